// softmax-wasm/transformers: this package's sampler as a transformers.js logits processor.
//
// transformers.js's generate() runs every processor in its LogitsProcessorList as
// `processor(input_ids, logits)` (LogitsProcessorList._call, @huggingface/transformers 4.x), with
// input_ids the running sequences as bigint[][] and logits a Tensor of dims [batch, vocab] that
// is float32 (generate() converts float16 logits first). It then picks the next token per row
// with its own greedy or multinomial selection. So the processor samples each row here and
// leaves only the chosen logit finite: whatever selection transformers.js then runs (argmax, or
// top-k + softmax + draw) can only return that token.
//
// transformers.js is never imported: its Tensor is duck-typed (`data`, `dims`), and the processor
// is a plain function that also has `_call`, which is all LogitsProcessorList and code written
// against transformers.js's Callable processors use.

import { createSampler } from "./index.js";
import { typedArrayTag } from "./input.js";
import { show } from "./validate.js";
import type { Sampler, SampleResult } from "./sample/sampler.js";
import type { SamplerOptions } from "./sample/options.js";

export type { SampleResult } from "./sample/sampler.js";

/** The parts of a transformers.js `Tensor` of logits that the processor uses. */
export interface LogitsTensor {
  /** The logits, row after row: float32, as transformers.js hands them to processors. */
  data: Float32Array;
  /** [batch, vocab] (any leading dims are read as the batch). */
  dims: readonly number[];
}

/**
 * The running token ids, one sequence per row: what generate() passes (`bigint[][]`), or any
 * array of array-likes of bigints or numbers, or a Tensor-like `{ data, dims: [batch, length] }`.
 */
export type InputIds =
  | readonly ArrayLike<bigint | number>[]
  | { data: ArrayLike<bigint | number>; dims: readonly number[] };

/**
 * The sampler's options (see createSampler) without `rows`: the batch size comes from
 * `logits.dims` at the first call.
 */
export type LogitsProcessorOptions = Omit<SamplerOptions, "rows">;

/** A transformers.js logits processor backed by this package's sampler. */
export interface LogitsProcessor {
  /** Samples every row and leaves only the chosen logit finite (in place); returns `logits`. */
  <T extends LogitsTensor>(inputIds: InputIds, logits: T): T;
  /** The same function, for code that calls transformers.js processors by their `_call`. */
  _call<T extends LogitsTensor>(inputIds: InputIds, logits: T): T;
  /** The last call's results, one per row (with `logprob`/`topLogprobs` when `logprobs` is set). */
  readonly results: readonly SampleResult[] | undefined;
}

const FN = "logitsProcessor";

// Options whose stage reads the history, with their "off" values. Reading the history costs O(L)
// per step, so it is read only when one of these is on; a new history-reading stage belongs here.
const HISTORY_OPTIONS: Record<string, unknown> = { repetitionPenalty: 1, frequencyPenalty: 0, presencePenalty: 0, dryMultiplier: 0 };

/** The sampler's own errors, renamed to this function, with the same class and the original as cause. */
function renamed(e: unknown, suffix = ""): unknown {
  if (!(e instanceof RangeError || e instanceof TypeError)) return e;
  const m = /^(?:createSampler|sampler\.sample): ([\s\S]*)$/.exec(e.message);
  if (!m) return e;
  const Ctor = e instanceof RangeError ? RangeError : TypeError;
  return new Ctor(`${FN}: ${m[1]}${suffix}`, { cause: e });
}

/** dims as written, `[1, 32000]`, for messages (show() would give only the length). */
function dimsText(dims: unknown): string {
  return Array.isArray(dims) ? `[${dims.map((d) => show(d)).join(", ")}]` : show(dims);
}

/** Own enumerable options, each read once, so later samplers are built from a stable copy. */
function readOptions(options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${FN}: options must be an object; got ${show(options)}`);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(options)) copy[key] = (options as Record<string, unknown>)[key];
  if ("rows" in copy) {
    throw new TypeError(`${FN}: rows is not an option here; the batch size comes from logits.dims`);
  }
  return copy;
}

function readLogits(logits: unknown): { data: Float32Array; rows: number; vocab: number } {
  if (logits === null || typeof logits !== "object") {
    throw new TypeError(`${FN}: logits must be a transformers.js Tensor (an object with data and dims); got ${show(logits)}`);
  }
  const { data, dims } = logits as { data: unknown; dims: unknown };
  if (typedArrayTag(data) !== "Float32Array") {
    throw new TypeError(`${FN}: logits.data must be a Float32Array (generate() hands processors float32 logits); got ${show(data)}`);
  }
  if (!Array.isArray(dims) || dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(`${FN}: logits.dims must be an array of non-negative integers like [batch, vocab]; got ${dimsText(dims)}`);
  }
  const f = data as Float32Array;
  const vocab = dims[dims.length - 1] as number;
  const rows = (dims as number[]).slice(0, -1).reduce((a, b) => a * b, 1);
  if (rows * vocab !== f.length) {
    throw new RangeError(`${FN}: logits.dims ${dimsText(dims)} hold ${rows * vocab} values but logits.data has ${f.length}`);
  }
  if (f.length === 0) throw new RangeError(`${FN}: logits are empty (dims ${dimsText(dims)})`);
  return { data: f, rows, vocab };
}

/** Row accessors for input_ids, after checking that there is one sequence per logits row. */
function readInputIds(inputIds: unknown, rows: number): (row: number) => ArrayLike<unknown> {
  if (Array.isArray(inputIds)) {
    if (inputIds.length !== rows) {
      throw new RangeError(`${FN}: input_ids has ${inputIds.length} sequences but logits have ${rows} rows`);
    }
    return (row) => {
      const ids: unknown = inputIds[row];
      if (ids === null || typeof ids !== "object" || typeof (ids as ArrayLike<unknown>).length !== "number") {
        throw new TypeError(`${FN}: input_ids[${row}] must be an array of token ids; got ${show(ids)}`);
      }
      return ids as ArrayLike<unknown>;
    };
  }
  if (inputIds !== null && typeof inputIds === "object") {
    const { data, dims } = inputIds as { data: unknown; dims: unknown };
    if (Array.isArray(dims) && dims.length === 2 && data !== null && typeof data === "object") {
      const [n, len] = dims as number[];
      if (n !== rows) throw new RangeError(`${FN}: input_ids has ${n} sequences (dims ${dimsText(dims)}) but logits have ${rows} rows`);
      const flat = data as ArrayLike<unknown> & { subarray?: unknown; slice(a: number, b: number): ArrayLike<unknown> };
      return (row) => flat.slice(row * len, (row + 1) * len);
    }
  }
  throw new TypeError(`${FN}: input_ids must be one array of token ids per row (bigint[][]) or a Tensor of dims [batch, length]; got ${show(inputIds)}`);
}

/** A sequence's ids as numbers, each checked to be a token id of this vocabulary. */
function history(ids: ArrayLike<unknown>, row: number, vocab: number): Float64Array {
  const out = new Float64Array(ids.length);
  for (let i = 0; i < out.length; i++) {
    const v = ids[i];
    const n = typeof v === "bigint" ? (v >= 0n && v < BigInt(vocab) ? Number(v) : NaN) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n >= vocab) {
      throw new RangeError(`${FN}: input_ids[${row}][${i}] is ${show(v)}, not a token id in 0..${vocab - 1}`);
    }
    out[i] = n;
  }
  return out;
}

/**
 * A logits processor for transformers.js's `generate({ logits_processor: [...] })` that samples
 * with this package's sampler and leaves only the chosen token finite (every other logit
 * −Infinity), so that transformers.js's own selection, greedy or multinomial, returns it.
 *
 * Every sampler option works (seeded xoshiro128** stream, bias, penalties, temperature, top-k,
 * top-p, min-p, typical-p, orders, logprobs); the penalties' history is each row's input ids,
 * prompt included, as in HF transformers. A batch of B rows is sampled as one sampler with
 * `rows: B`: one stream, the rows' uniforms drawn in row order, so the tokens are those of
 * `createSampler({ ...options, rows: B }).sample(logits.data, { histories })`, each row's history
 * its own input ids (and mirostat's μ kept per row). The stream carries on across calls and
 * generate() runs; make a new processor to start again from the seed. The batch size is fixed by
 * the first call.
 *
 * Let this processor do all the sampling: call generate() with `do_sample: false` (its greedy
 * pick then returns the token chosen here) and without transformers.js's own `temperature` or
 * `repetition_penalty`, which it would apply to the logits before this processor sees them.
 *
 * @param options - createSampler's options, without `rows`. Validated here, once.
 * @returns a processor function (with `_call` and `results`) that modifies `logits.data` in place
 *   and returns `logits`.
 * @throws TypeError / RangeError naming the option for invalid options (as createSampler), and
 *   TypeError for `rows`. A call throws TypeError for logits that are not a float32 Tensor-like
 *   or malformed input_ids, and RangeError for mismatched dims, an input id outside the
 *   vocabulary, NaN or +Infinity logits or a row with nothing to sample; a call that throws leaves
 *   the logits untouched.
 * @example
 * ```ts
 * import { logitsProcessor } from "softmax-wasm/transformers";
 *
 * const output = await model.generate({
 *   ...inputs,
 *   max_new_tokens: 50,
 *   do_sample: false,
 *   logits_processor: [logitsProcessor({ temperature: 0.7, topP: 0.9, minP: 0.05, seed: 42 })],
 * });
 * ```
 */
export function logitsProcessor(options?: LogitsProcessorOptions): LogitsProcessor {
  const o = readOptions(options);
  const needsHistory = Object.keys(HISTORY_OPTIONS).some((k) => o[k] !== undefined && o[k] !== HISTORY_OPTIONS[k]);
  let sampler: Sampler | undefined;
  try {
    createSampler({ ...o, rows: 1 } as SamplerOptions); // validates the options now, not at the first step
  } catch (e) {
    throw renamed(e);
  }
  let batch = 0;
  let results: readonly SampleResult[] | undefined;

  function step<T extends LogitsTensor>(inputIds: InputIds, logits: T): T {
    const { data, rows, vocab } = readLogits(logits);
    const rowIds = readInputIds(inputIds, rows);
    if (sampler === undefined) {
      batch = rows;
      try {
        sampler = createSampler({ ...o, rows } as SamplerOptions);
      } catch (e) {
        throw renamed(e);
      }
    } else if (rows !== batch) {
      throw new RangeError(`${FN}: logits have ${rows} rows but this processor samples batches of ${batch}; make a new logitsProcessor for another batch size`);
    }

    let out: SampleResult[];
    const call = needsHistory ? { histories: Array.from({ length: rows }, (_, r) => history(rowIds(r), r, vocab)) } : undefined;
    try {
      const r = sampler.sample(data, call);
      out = Array.isArray(r) ? r : [r];
    } catch (e) {
      throw renamed(e);
    }

    // Only now, with every row sampled, is anything written.
    for (let r = 0; r < rows; r++) {
      const at = r * vocab + out[r].token;
      const kept = data[at];
      data.fill(-Infinity, r * vocab, (r + 1) * vocab);
      data[at] = kept;
    }
    results = out;
    return logits;
  }

  const processor = function logitsProcessorStep<T extends LogitsTensor>(inputIds: InputIds, logits: T): T {
    return step(inputIds, logits);
  } as LogitsProcessor;
  Object.defineProperty(processor, "_call", { value: processor });
  Object.defineProperty(processor, "results", { get: () => results, enumerable: true });
  return processor;
}
