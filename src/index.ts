// softmax-wasm: the public API. Every function validates its arguments here, then hands the work
// to the active backend (runtime.ts); all numerics live in the kernels (assembly/ and src/js/).

import type { Logits } from "./backend.js";
import { argmaxOn, logSumExpOn, rowwise, wasmInputOn, type ArgmaxOptions, type LogSumExpOptions, type SoftmaxOptions, type WasmInput, type WasmInput16 } from "./api.js";
import type { Dtype } from "./input.js";
import { backend } from "./runtime.js";
import { createSamplerOn, sampleBatchOn, sampleOn, type SampleBatchCall, type Sampler, type SampleResult } from "./sample/sampler.js";
import type { SamplerOptions } from "./sample/options.js";

export type { BackendName, Logits } from "./backend.js";
export type { BackendInfo, InitOptions } from "./runtime.js";
export type { WasmSource } from "./wasm/load.js";
export type { ArgmaxOptions, LogSumExpOptions, SoftmaxOptions, WasmInput, WasmInput16 } from "./api.js";
export type { Dtype } from "./input.js";
export { getBackend, setBackend, init, initSync } from "./runtime.js";
export type { Sampler, SampleBatchCall, SampleCall, SampleResult } from "./sample/sampler.js";
export type { SamplerOptions, StageName, OrderPreset } from "./sample/options.js";

/**
 * Probabilities softmax(logits / T), row by row, as float32.
 *
 * Computed stably (the row max is subtracted first) and bit-identically on every backend and
 * engine. -Infinity logits are masked: probability exactly 0.
 *
 * @param logits - Float32Array (fast path), Float64Array or number[] (converted to f32 first).
 * @param options - `temperature` (default 1), `rows` (default 1), `out` (write here; may be `logits`).
 * @returns `out`, or a new Float32Array; the input is never modified unless `out === logits`.
 * @throws TypeError for a wrong kind of argument; RangeError for empty input, NaN or +Infinity
 *   logits (naming the index), a row that is all -Infinity, a bad temperature, rows or out length.
 * @example
 * ```ts
 * const p = softmax(new Float32Array([2, 1, 0.1]), { temperature: 0.7 });
 * ```
 */
export function softmax(logits: Logits, options?: SoftmaxOptions): Float32Array {
  return rowwise(backend(), "softmax", logits, options);
}

/**
 * Log-probabilities logSoftmax(logits / T) = logits/T − logSumExp(logits/T), row by row.
 * Masked (-Infinity) logits give -Infinity. Same options, errors and guarantees as softmax().
 *
 * @example
 * ```ts
 * const lp = logSoftmax(logits, { temperature: 0.7, out: scratch });
 * ```
 */
export function logSoftmax(logits: Logits, options?: SoftmaxOptions): Float32Array {
  return rowwise(backend(), "logSoftmax", logits, options);
}

/**
 * ln Σ exp(logits / T) per row, the normaliser of softmax(logits / T), as a float32 value.
 *
 * T = 0 gives the limit: +Infinity if the row max is > 0, -Infinity if it is < 0, ln(#maxima) if
 * it is 0. T = Infinity gives ln(#unmasked). Values beyond float32 range are ±Infinity.
 *
 * @returns a number when rows = 1, else a Float32Array with one value per row.
 * @example
 * ```ts
 * logSumExp(new Float32Array([0, 0])); // ≈ 0.6931472 (ln 2)
 * ```
 */
export function logSumExp(logits: Logits, options?: LogSumExpOptions): number | Float32Array {
  return logSumExpOn(backend(), logits, options);
}

/**
 * Index of the largest logit per row; among equal maxima always the lowest index.
 *
 * @returns a number when rows = 1, else an Int32Array with one index (within its row) per row.
 * @throws as softmax() for invalid logits (NaN, +Infinity, an all -Infinity row).
 * @example
 * ```ts
 * argmax([1, 3, 3]); // 1
 * ```
 */
export function argmax(logits: Logits, options?: ArgmaxOptions): number | Int32Array {
  return argmaxOn(backend(), logits, options);
}

/**
 * Zero-copy input: a Float32Array of `length` floats (zeroed) in the WASM backend's memory, in a
 * region of its own. Write logits into it and pass it as `logits` — and as `out` to compute in
 * place — and the call copies nothing in or out. No other call, sampler or later wasmInput()
 * ever writes into it; a call writes into it only when it is passed as `out`.
 *
 * It lives until `buf.free()` (or `using buf = wasmInput(n)`), or until the view is garbage-
 * collected. The view goes stale (length 0) only when WASM memory grows: at a later wasmInput(),
 * or at a call on an input larger than any wasmInput() so far; calls on this buffer itself never
 * grow it. A stale view is rejected with a RangeError: free it and call wasmInput() again. On the
 * "js" backend this returns an ordinary Float32Array (whose free() does nothing). See the
 * README's memory model.
 *
 * With `dtype` "float16" or "bfloat16" it is a Uint16Array for those bits instead (half the
 * bytes); pass it with the same `dtype`, and the kernels widen it into their scratch.
 *
 * @throws TypeError if `length` is not a number; RangeError if it is not an integer in 1..2^28,
 *   or WASM memory cannot grow that far.
 * @example
 * ```ts
 * const buf = wasmInput(vocab);
 * buf.set(modelOutput);
 * softmax(buf, { temperature: 0.7, out: buf }); // probabilities now in buf
 * buf.free();
 * ```
 */
export function wasmInput(length: number, dtype?: "float32"): WasmInput;
export function wasmInput(length: number, dtype: "float16" | "bfloat16"): WasmInput16;
export function wasmInput(length: number, dtype?: Dtype): WasmInput | WasmInput16 {
  return wasmInputOn(backend(), length, dtype);
}

/**
 * Samples one token id from logits — stateless: with `seed`, the same logits and options always
 * give the same token; without, a random seed is drawn per call.
 *
 * The chain (bias → penalties → temperature → topK → topP → minP → typicalP by default) runs as
 * SPEC.md §3 and the README describe; then one uniform picks a token by inverse CDF over the kept
 * tokens in ascending id order.
 *
 * @returns the token id, or an Int32Array of one id per row when `rows` > 1.
 * @throws TypeError / RangeError naming the option for invalid options, and RangeError for invalid
 *   logits (NaN, +Infinity, every token masked or banned).
 * @example
 * ```ts
 * const id = sample(logits, { temperature: 0.7, topK: 40, topP: 0.95, seed: 42 });
 * ```
 */
export function sample(logits: Logits, options?: SamplerOptions): number | Int32Array {
  return sampleOn(backend, logits, options);
}

/**
 * Creates a sampler with its own xoshiro128** stream (seeded by `seed`, else randomly): each
 * sampled token takes the next uniform, so a seed reproduces a whole sequence on every backend
 * and engine. Options are validated once, here.
 *
 * @example
 * ```ts
 * const sampler = createSampler({ temperature: 0.8, topP: 0.95, repetitionPenalty: 1.1, seed: 7, logprobs: 5 });
 * const { token, logprob, topLogprobs } = sampler.sample(logits, { history: generated }) as SampleResult;
 * ```
 */
export function createSampler(options?: SamplerOptions): Sampler {
  return createSamplerOn(backend, options);
}

/**
 * Samples a batch whose rows have their own settings: row i of `logits` (rows of equal length) is
 * sampled by `samplers[i]` — its options, its random stream, its mirostat state — with
 * `call.histories[i]` feeding its penalties and DRY. The results are those of calling each
 * sampler on its row alone, in row order (a sampler listed twice draws twice, in order). If any
 * row fails, no sampler's stream or state moves.
 *
 * @returns one SampleResult per row.
 * @throws TypeError if a sampler is not one from createSampler, RangeError if one has rows > 1 or
 *   the logits do not split into samplers.length rows, and the sampler's errors otherwise.
 * @example
 * ```ts
 * const samplers = requests.map((r) => createSampler({ temperature: r.temperature, topP: r.topP, seed: r.seed }));
 * const next = sampleBatch(batchLogits, samplers, { histories: requests.map((r) => r.tokens) });
 * ```
 */
export function sampleBatch(logits: Logits, samplers: readonly Sampler[], call?: SampleBatchCall): SampleResult[] {
  return sampleBatchOn(backend, logits, samplers, call);
}
