// The public functions' bodies, on whichever backend they are given. src/index.ts binds them to
// the automatically chosen backend, src/js.ts to the pure-TypeScript one. Arguments are validated
// here; all numerics live in the kernels (assembly/ and src/js/).

import type { Backend } from "./backend.js";
import { readDtype, readLogits, readOptions, readOut, type Dtype } from "./input.js";
import { checkRows, checkTemperature, show, statusError } from "./validate.js";

/** Options of softmax() and logSoftmax(). */
export interface SoftmaxOptions {
  /** Divide the logits by T first (default 1). 0 = greedy limit, Infinity = uniform limit. */
  temperature?: number;
  /** Number of equal-length rows in the input, each normalised on its own (default 1). */
  rows?: number;
  /** Where to write the result: a Float32Array of the input's length; may be the input itself. */
  out?: Float32Array;
  /** What a Uint16Array of logits holds: "float16" or "bfloat16" bits (a Float16Array says it itself). */
  dtype?: Dtype;
}

/** Options of logSumExp(). */
export interface LogSumExpOptions {
  temperature?: number;
  rows?: number;
  /** What a Uint16Array of logits holds (see SoftmaxOptions.dtype). */
  dtype?: Dtype;
}

/** Options of argmax(). */
export interface ArgmaxOptions {
  rows?: number;
  /** What a Uint16Array of logits holds (see SoftmaxOptions.dtype). */
  dtype?: Dtype;
}

/**
 * A wasmInput() buffer: a Float32Array in the WASM backend's memory that only its owner writes,
 * with `free()` (and `Symbol.dispose`, for `using`) to hand its bytes back.
 */
export type WasmInput = Float32Array & { free(): void; refresh(): WasmInput };

/** A wasmInput() buffer for half-precision logits: their bits (pass it with the same `dtype`). */
export type WasmInput16 = Uint16Array & { free(): void; refresh(): WasmInput16 };

/**
 * Gives a wasmInput() buffer its methods, as non-enumerable own properties: `free()` (also as
 * `Symbol.dispose`, where the engine has it, for `using`) and `refresh()`.
 */
export function handOut(view: object, free: () => void, refresh: () => unknown): void {
  Object.defineProperty(view, "free", { value: free });
  Object.defineProperty(view, "refresh", { value: refresh });
  const dispose = (Symbol as { dispose?: symbol }).dispose;
  if (dispose) Object.defineProperty(view, dispose, { value: free });
}

export function wasmInputOn(b: Backend, length: unknown, dtype?: unknown): WasmInput | WasmInput16 {
  if (typeof length !== "number") throw new TypeError(`wasmInput: length must be a number; got ${show(length)}`);
  if (!Number.isInteger(length) || length < 1 || length > 2 ** 28) {
    throw new RangeError(`wasmInput: length must be an integer in 1..2^28; got ${show(length)}`);
  }
  const d = readDtype("wasmInput", dtype) ?? "float32";
  if (b.input) return b.input(length, d) as WasmInput | WasmInput16;
  // No WASM memory: an ordinary array, with the same (then empty) way to free it.
  const plain = d === "float32" ? new Float32Array(length) : new Uint16Array(length);
  handOut(plain, () => {}, () => plain);
  return plain as WasmInput | WasmInput16;
}

const SOFTMAX_KEYS = ["temperature", "rows", "out", "dtype"] as const;
const LSE_KEYS = ["temperature", "rows", "dtype"] as const;
const ARGMAX_KEYS = ["rows", "dtype"] as const;

type RowOp = "softmax" | "logSoftmax";

// Every body reads its arguments once, in one order: the options (whose getters may run any
// code), then the logits (whose element getters may too), then checks `out`, which either may
// have detached. Only then does the backend run, and no caller code runs after that.

export function rowwise(b: Backend, fn: RowOp, logits: unknown, options: unknown): Float32Array {
  const o = readOptions(fn, options, SOFTMAX_KEYS);
  const x = readLogits(fn, logits, readDtype(fn, o.dtype));
  const n = x.length;
  const t = checkTemperature(fn, o.temperature);
  const rows = checkRows(fn, o.rows, n);
  const out = readOut(fn, o.out, n) ?? new Float32Array(n);
  const cols = n / rows;
  const status = b[fn](x.data, out, rows, cols, t);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x.given, rows, cols);
  const result = b.resultView(out);
  return result === out && o.out !== undefined ? (o.out as Float32Array) : result;
}

export function logSumExpOn(b: Backend, logits: unknown, options: unknown): number | Float32Array {
  const fn = "logSumExp";
  const o = readOptions(fn, options, LSE_KEYS);
  const x = readLogits(fn, logits, readDtype(fn, o.dtype));
  const t = checkTemperature(fn, o.temperature);
  const rows = checkRows(fn, o.rows, x.length);
  const cols = x.length / rows;
  const out = new Float32Array(rows);
  const status = b.logSumExp(x.data, out, rows, cols, t);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x.given, rows, cols);
  return rows === 1 ? out[0] : out;
}

export function argmaxOn(b: Backend, logits: unknown, options: unknown): number | Int32Array {
  const fn = "argmax";
  const o = readOptions(fn, options, ARGMAX_KEYS);
  const x = readLogits(fn, logits, readDtype(fn, o.dtype));
  const rows = checkRows(fn, o.rows, x.length);
  const cols = x.length / rows;
  const out = new Int32Array(rows);
  const status = b.argmax(x.data, out, rows, cols);
  if (status !== 0) throw statusError(fn, status, b.errorAt(), x.given, rows, cols);
  return rows === 1 ? out[0] : out;
}
