// The public functions' bodies, on whichever backend they are given. src/index.ts binds them to
// the automatically chosen backend, src/js.ts to the pure-TypeScript one. Arguments are validated
// here; all numerics live in the kernels (assembly/ and src/js/).

import type { Backend } from "./backend.js";
import { checkLogits, checkOut, checkRows, checkTemperature, readOptions, statusError } from "./validate.js";

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

export function rowwise(b: Backend, fn: RowOp, logits: unknown, options: unknown): Float32Array {
  const x = checkLogits(fn, logits);
  const o = readOptions(fn, options, SOFTMAX_KEYS);
  const t = checkTemperature(fn, o.temperature);
  const rows = checkRows(fn, o.rows, x.length);
  const out = checkOut(fn, o.out, x.length) ?? new Float32Array(x.length);
  const cols = x.length / rows;
  const status = b[fn](x, out, rows, cols, t);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x, rows, cols);
  return out;
}

export function logSumExpOn(b: Backend, logits: unknown, options: unknown): number | Float32Array {
  const fn = "logSumExp";
  const x = checkLogits(fn, logits);
  const o = readOptions(fn, options, LSE_KEYS);
  const t = checkTemperature(fn, o.temperature);
  const rows = checkRows(fn, o.rows, x.length);
  const cols = x.length / rows;
  const out = new Float32Array(rows);
  const status = b.logSumExp(x, out, rows, cols, t);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x, rows, cols);
  return rows === 1 ? out[0] : out;
}

export function argmaxOn(b: Backend, logits: unknown, options: unknown): number | Int32Array {
  const fn = "argmax";
  const x = checkLogits(fn, logits);
  const o = readOptions(fn, options, ARGMAX_KEYS);
  const rows = checkRows(fn, o.rows, x.length);
  const cols = x.length / rows;
  const out = new Int32Array(rows);
  const status = b.argmax(x, out, rows, cols);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x, rows, cols);
  return rows === 1 ? out[0] : out;
}
