// The peers users would otherwise pick, as harness entries (see harness.mjs). Each setup imports
// its library lazily, so a missing or broken peer is reported in the table instead of aborting.

import { T, naiveSoftmax } from "./harness.mjs";
import { logSumExp, setBackend, softmax, wasmInput } from "../../dist/index.js";
import { logitsProcessor } from "../../dist/transformers.js";

export const naive = { name: "naive JS (Math.exp)", setup: (x, t) => { const out = new Float32Array(x.length); return () => naiveSoftmax(x, t, out); } };

export const ours = [
  { name: "softmax-wasm simd, copy", setup: (x, t) => { const out = new Float32Array(x.length); return () => { setBackend("simd"); softmax(x, { temperature: t, out }); }; } },
  {
    // The logits already in the module's memory (wasmInput), computed in place: the counterpart of
    // a tfjs op on a tensor already in its memory.
    name: "softmax-wasm simd, zero-copy in place",
    setup: (x, t) => {
      setBackend("simd");
      const buf = wasmInput(x.length);
      buf.set(x);
      // refresh(): later setups' wasmInput() calls may grow memory, detaching this view.
      return () => { setBackend("simd"); const b = buf.refresh(); softmax(b, { temperature: t, out: b }); };
    },
  },
  {
    name: "softmax-wasm simd logSumExp, zero-copy",
    setup: (x, t) => {
      setBackend("simd");
      const buf = wasmInput(x.length);
      buf.set(x);
      return () => { setBackend("simd"); return logSumExp(buf.refresh(), { temperature: t }); };
    },
  },
  { name: "softmax-wasm js twin", setup: (x, t) => { const out = new Float32Array(x.length); return () => { setBackend("js"); softmax(x, { temperature: t, out }); }; } },
];

const scaled = (x, t) => x.map((v) => v / t);

export const peers = [
  {
    name: "transformers.js softmax (pre-scaled)",
    async setup(x, t) {
      const { softmax: hfSoftmax } = await import("@huggingface/transformers");
      const z = scaled(x, t);
      return () => hfSoftmax(z);
    },
  },
  {
    // transformers.js's own step: TopKLogitsWarper and TopPLogitsWarper are exported but have no
    // _call (they throw); its sampler does top-k with the ONNX TopK op (`topk`), then softmax and
    // a weighted draw, and ignores top-p. That is what this times.
    name: "transformers.js step (T, top-k 40 via topk, draw; no top-p)",
    async setup(x, t) {
      const hf = await import("@huggingface/transformers");
      const temperature = new hf.TemperatureLogitsWarper(t);
      return async () => {
        const logits = temperature([[0n]], new hf.Tensor("float32", x.slice(), [1, x.length]));
        const [values, indices] = await hf.topk(logits, 40);
        const p = hf.softmax(values.data);
        let u = Math.random(), i = 0;
        while (i < p.length - 1 && (u -= p[i]) > 0) i++;
        return indices.data[i];
      };
    },
  },
  // softmax-wasm/transformers in place of that step: the processor samples with its own chain
  // (top-p applied) and leaves one finite logit, which transformers.js's greedy pick then returns.
  // Each call refills the Tensor, as the step above copies x, because the processor overwrites it,
  // and selects the backend, as the js-twin row leaves "js" selected.
  ...[
    ["T, top-k 40, top-p 0.95", { topK: 40, topP: 0.95 }],
    ["T, top-p 0.95, min-p 0.05; no top-k", { topP: 0.95, minP: 0.05 }],
  ].flatMap(([label, options]) => [false, true].map((pick) => ({
    name: `softmax-wasm logitsProcessor${pick ? " + transformers.js greedy pick" : ""} (${label})`,
    async setup(x, t) {
      const hf = await import("@huggingface/transformers");
      const processor = logitsProcessor({ temperature: t, seed: 1, ...options });
      const logits = new hf.Tensor("float32", new Float32Array(x.length), [1, x.length]);
      const ids = [[0n]];
      return () => {
        setBackend("simd");
        logits.data.set(x);
        const out = processor(ids, logits);
        if (!pick) return out;
        // GreedySampler's pick (utils/maths.js max, not exported): the first largest value.
        const d = out.data;
        let max = d[0], best = 0;
        for (let i = 1; i < d.length; i++) if (d[i] > max) (max = d[i]), (best = i);
        return best;
      };
    },
  }))),
  {
    // End to end: upload, divide, softmax, download. tidy() returns the tensor and dataSync() runs
    // outside it: tidy walks whatever its callback returns looking for tensors to keep, and a
    // 128k-element Float32Array returned from inside it cost 600–1400 ns/element.
    name: "tfjs wasm (XNNPACK) tensor+div+softmax+dataSync",
    async setup(x, t) {
      const tf = await tfjsWasm();
      return () => {
        const y = tf.tidy(() => tf.softmax(tf.div(tf.tensor1d(x), t)));
        const out = y.dataSync();
        y.dispose();
        return out;
      };
    },
  },
  {
    // The op alone, XNNPACK's kernels (rmax, raddstoreexpminusmax, vmulc) on pre-scaled logits
    // already in tfjs's memory: the counterpart of softmax-wasm's zero-copy row.
    name: "tfjs wasm (XNNPACK) tf.softmax op alone (pre-scaled, in its memory)",
    async setup(x, t) {
      const tf = await tfjsWasm();
      const z = tf.tensor1d(scaled(x, t));
      return () => tf.softmax(z).dispose();
    },
  },
  {
    // For the logSumExp row: tfjs composes it from max, sub, exp, sum, log and add ops.
    name: "tfjs wasm tf.logSumExp op alone (pre-scaled, in its memory)",
    async setup(x, t) {
      const tf = await tfjsWasm();
      const z = tf.tensor1d(scaled(x, t));
      return () => tf.logSumExp(z).dispose();
    },
  },
  {
    name: "onnxruntime-web wasm 1 thread, Softmax (pre-scaled)",
    async setup(x, t) {
      const ort = await import("onnxruntime-web");
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(softmaxModel(x.length), { executionProviders: ["wasm"] });
      const feeds = { x: new ort.Tensor("float32", scaled(x, t), [x.length]) };
      return async () => (await session.run(feeds)).y.data;
    },
  },
];

async function tfjsWasm() {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs could not start its wasm backend");
  await tf.ready();
  if (tf.getBackend() !== "wasm") throw new Error(`tfjs runs on ${tf.getBackend()}, not wasm`);
  return tf;
}

// ---- a one-node ONNX model (Softmax over a float[V] input), encoded as protobuf by hand ----

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}
const field = (num, wire, payload) => [...varint((num << 3) | wire), ...payload];
const int = (num, v) => field(num, 0, varint(v));
const bytes = (num, b) => field(num, 2, [...varint(b.length), ...b]);
const str = (num, s) => bytes(num, [...new TextEncoder().encode(s)]);

function softmaxModel(V) {
  const tensorType = (n) => [...bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, n)))])]; // TypeProto.tensor_type{FLOAT, shape[V]}
  const valueInfo = (name) => [...str(1, name), ...bytes(2, tensorType(V))];
  const node = [...str(1, "x"), ...str(2, "y"), ...str(4, "Softmax"), ...bytes(5, [...str(1, "axis"), ...int(3, 0), ...int(20, 2)])];
  const graph = [...bytes(1, node), ...str(2, "softmax"), ...bytes(11, valueInfo("x")), ...bytes(12, valueInfo("y"))];
  return Uint8Array.from([...int(1, 8), ...bytes(8, [...str(1, ""), ...int(2, 13)]), ...bytes(7, graph)]);
}

export { T };
