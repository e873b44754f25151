// softmax-wasm: the public API. Every function validates its arguments here, then hands the work
// to the active backend (runtime.ts); all numerics live in the kernels (assembly/ and src/js/).

import type { Logits } from "./backend.js";
import { backend } from "./runtime.js";
import { WasmBackend } from "./wasm/backend.js";
import { checkLogits, checkOut, checkRows, checkTemperature, readOptions, statusError } from "./validate.js";

export type { BackendName, Logits } from "./backend.js";
export type { BackendInfo } from "./runtime.js";
export type { WasmSource } from "./wasm/load.js";
export { getBackend, setBackend, init, initSync } from "./runtime.js";

/** Options of softmax() and logSoftmax(). */
export interface SoftmaxOptions {
  /** Divide the logits by T first (default 1). 0 = greedy limit, Infinity = uniform limit. */
  temperature?: number;
  /** Number of equal-length rows in the input, each normalised on its own (default 1). */
  rows?: number;
  /** Where to write the result: a Float32Array of the input's length; may be the input itself. */
  out?: Float32Array;
}

/** Options of logSumExp(). */
export interface LogSumExpOptions {
  temperature?: number;
  rows?: number;
}

/** Options of argmax(). */
export interface ArgmaxOptions {
  rows?: number;
}

const SOFTMAX_KEYS = ["temperature", "rows", "out"] as const;
const LSE_KEYS = ["temperature", "rows"] as const;
const ARGMAX_KEYS = ["rows"] as const;

type RowOp = "softmax" | "logSoftmax";

function rowwise(fn: RowOp, logits: unknown, options: unknown): Float32Array {
  const x = checkLogits(fn, logits);
  const o = readOptions(fn, options, SOFTMAX_KEYS);
  const t = checkTemperature(fn, o.temperature);
  const rows = checkRows(fn, o.rows, x.length);
  const out = checkOut(fn, o.out, x.length) ?? new Float32Array(x.length);
  const cols = x.length / rows;
  const b = backend();
  const status = b[fn](x, out, rows, cols, t);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x, rows, cols);
  return out;
}

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
  return rowwise("softmax", logits, options);
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
  return rowwise("logSoftmax", logits, options);
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
  const fn = "logSumExp";
  const x = checkLogits(fn, logits);
  const o = readOptions(fn, options, LSE_KEYS);
  const t = checkTemperature(fn, o.temperature);
  const rows = checkRows(fn, o.rows, x.length);
  const cols = x.length / rows;
  const out = new Float32Array(rows);
  const b = backend();
  const status = b.logSumExp(x, out, rows, cols, t);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x, rows, cols);
  return rows === 1 ? out[0] : out;
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
  const fn = "argmax";
  const x = checkLogits(fn, logits);
  const o = readOptions(fn, options, ARGMAX_KEYS);
  const rows = checkRows(fn, o.rows, x.length);
  const cols = x.length / rows;
  const out = new Int32Array(rows);
  const b = backend();
  const status = b.argmax(x, out, rows, cols);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x, rows, cols);
  return rows === 1 ? out[0] : out;
}

/**
 * Zero-copy input: a Float32Array of `length` floats inside the WASM backend's memory. Write
 * logits into it and pass it as `logits` — and as `out` to compute in place — and the call copies
 * nothing in or out.
 *
 * The view stays valid until that memory grows (a later call on a larger input, or a larger
 * wasmInput()); a stale view is empty (length 0) and is rejected with a RangeError, so call
 * wasmInput() again then. On the "js" backend this returns an ordinary Float32Array.
 *
 * @example
 * ```ts
 * const buf = wasmInput(vocab);
 * buf.set(modelOutput);
 * softmax(buf, { temperature: 0.7, out: buf }); // probabilities now in buf
 * ```
 */
export function wasmInput(length: number): Float32Array {
  if (typeof length !== "number" || !Number.isInteger(length) || length < 1) {
    throw new RangeError(`wasmInput: length must be a positive integer; got ${String(length)}`);
  }
  const b = backend();
  return b instanceof WasmBackend ? b.input(length) : new Float32Array(length);
}

export { sample, createSampler } from "./sample/sampler.js";
export type { Sampler, SampleCall, SampleResult } from "./sample/sampler.js";
export type { SamplerOptions, StageName, OrderPreset } from "./sample/options.js";
