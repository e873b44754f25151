// A tiny causal "language model" as ONNX bytes, built in code so that the examples and tests need
// no download: logits = Embedding[input_ids] · LMHead, i.e. one Gather and one MatMul.
//   input  input_ids  int64   [batch_size, sequence_length]
//   output logits     float32 [batch_size, sequence_length, vocab]
// Each next token depends only on the last one (a bigram model), which is all generate() needs.
// The weights come from a seeded xorshift32, so every run (and every runtime) builds the same bytes.
//
// ONNX is protobuf; the handful of messages used here are encoded by hand (field numbers from
// onnx/onnx.proto: ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto, TensorProto).

const FLOAT = 1;
const INT64 = 7;

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Uint8Array.from(out);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// Protobuf wire types: 0 = varint, 2 = length-delimited.
const tag = (field, wire) => varint((field << 3) | wire);
const int = (field, v) => concat([tag(field, 0), varint(v)]);
const msg = (field, ...parts) => {
  const body = concat(parts);
  return concat([tag(field, 2), varint(body.length), body]);
};
const str = (field, s) => msg(field, new TextEncoder().encode(s));

/** TypeProto.Tensor with a shape whose dims are numbers (dim_value) or names (dim_param). */
const tensorType = (elemType, dims) =>
  msg(1, int(1, elemType), msg(2, ...dims.map((d) => msg(1, typeof d === "number" ? int(1, d) : str(2, d)))));
const valueInfo = (name, elemType, dims) => concat([str(1, name), msg(2, tensorType(elemType, dims))]);

/** TensorProto of float32 values, as raw little-endian bytes (field 9). */
function floatTensor(name, dims, values) {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return concat([...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), msg(9, raw)]);
}

const node = (op, inputs, outputs) => concat([...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op)]);

/** Uniform floats in [-scale, scale) from a seeded xorshift32. */
function weights(n, seed, scale) {
  const w = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    w[i] = (s / 2 ** 32 * 2 - 1) * scale;
  }
  return w;
}

/**
 * The model's ONNX bytes.
 * @param {{ vocab?: number, hidden?: number, seed?: number }} [options] vocab (default 32000) is both
 *   the input id range and the logits width; hidden (default 16) is the embedding width.
 * @returns {Uint8Array}
 */
export function tinyModel({ vocab = 32000, hidden = 16, seed = 1 } = {}) {
  // Scales chosen so a logit's standard deviation is about 3, as in real LLM heads: with
  // U(-a, a)·U(-b, b) summed over `hidden` terms, sd = a·b·sqrt(hidden)/3.
  const embed = weights(vocab * hidden, seed, 1);
  const head = weights(hidden * vocab, seed + 1, 9 / Math.sqrt(hidden));
  const graph = concat([
    msg(1, node("Gather", ["embed", "input_ids"], ["hidden"])),
    msg(1, node("MatMul", ["hidden", "lm_head"], ["logits"])),
    str(2, "tiny-bigram-lm"),
    msg(5, floatTensor("embed", [vocab, hidden], embed)),
    msg(5, floatTensor("lm_head", [hidden, vocab], head)),
    msg(11, valueInfo("input_ids", INT64, ["batch_size", "sequence_length"])),
    msg(12, valueInfo("logits", FLOAT, ["batch_size", "sequence_length", vocab])),
  ]);
  // ir_version 8, opset 13 of the default domain.
  return concat([int(1, 8), msg(8, str(1, ""), int(2, 13)), msg(7, graph)]);
}
