// Argument checks for the public functions: each failure is a TypeError (wrong kind of value) or
// a RangeError (right kind, out of range) whose message names the argument and the value.

import type { Logits } from "./backend.js";
import { Status } from "./status.js";

/** Renders a caller's value for an error message. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<unknown>).length}`;
  return `a ${typeof v === "function" ? "function" : ((v as object).constructor?.name ?? "object")}`;
}

/** Checks the logits' type (and, for number[], every element's) and that they are not empty. */
export function checkLogits(fn: string, logits: unknown): Logits {
  if (logits instanceof Float32Array || logits instanceof Float64Array) {
    if (logits.length === 0) {
      throw new RangeError(`${fn}: logits is empty (a detached view of WASM memory is empty too: call wasmInput() again after memory grows)`);
    }
    return logits;
  }
  if (Array.isArray(logits)) {
    if (logits.length === 0) throw new RangeError(`${fn}: logits is empty`);
    for (let i = 0; i < logits.length; i++) {
      if (typeof logits[i] !== "number") {
        throw new TypeError(`${fn}: logits[${i}] is ${show(logits[i])}, not a number`);
      }
    }
    return logits as number[];
  }
  throw new TypeError(`${fn}: logits must be a Float32Array, a Float64Array or an array of numbers; got ${show(logits)}`);
}

const NO_OPTIONS = Object.freeze({});

/**
 * Checks an options object, rejecting unknown keys (a misspelt option must not be ignored), and
 * returns it as is — no copy, so that a steady stream of calls allocates nothing.
 */
export function readOptions<K extends string>(fn: string, options: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  if (options === undefined) return NO_OPTIONS;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${fn}: options must be an object; got ${show(options)}`);
  }
  for (const key in options) {
    if (Object.prototype.hasOwnProperty.call(options, key) && !(allowed as readonly string[]).includes(key)) {
      throw new TypeError(`${fn}: unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ")}`);
    }
  }
  return options as Partial<Record<K, unknown>>;
}

/** temperature: a number ≥ 0 — finite, or exactly Infinity — defaulting to 1. */
export function checkTemperature(fn: string, t: unknown): number {
  if (t === undefined) return 1;
  if (typeof t !== "number") throw new TypeError(`${fn}: temperature must be a number; got ${show(t)}`);
  if (!(t >= 0)) {
    throw new RangeError(`${fn}: temperature must be > 0, or 0 (greedy) or Infinity (uniform); got ${show(t)}`);
  }
  return t;
}

/** rows: a positive integer dividing the input length, defaulting to 1. */
export function checkRows(fn: string, rows: unknown, length: number): number {
  if (rows === undefined) return 1;
  if (typeof rows !== "number") throw new TypeError(`${fn}: rows must be a number; got ${show(rows)}`);
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`${fn}: rows must be a positive integer; got ${show(rows)}`);
  if (length % rows !== 0) {
    throw new RangeError(`${fn}: rows = ${rows} does not divide the input length ${length} into equal rows`);
  }
  return rows;
}

/** out: a Float32Array of exactly `length` elements, or undefined. */
export function checkOut(fn: string, out: unknown, length: number): Float32Array | undefined {
  if (out === undefined) return undefined;
  if (!(out instanceof Float32Array)) throw new TypeError(`${fn}: out must be a Float32Array; got ${show(out)}`);
  if (out.length !== length) {
    throw new RangeError(`${fn}: out has length ${out.length} but the input has ${length}`);
  }
  return out;
}

/** The error for a non-Ok kernel status, naming the offending element (as the caller gave it). */
export function statusError(fn: string, status: number, at: number, logits: Logits, rows: number, cols: number): RangeError {
  if (status === Status.MaskedRow) {
    const which = rows === 1 ? "every logit is" : `row ${at}: every logit is`;
    return new RangeError(`${fn}: ${which} -Infinity (every token masked), so there is no distribution to normalise`);
  }
  const given = logits[at];
  const where = rows === 1 ? `logits[${at}]` : `logits[${at}] (row ${Math.floor(at / cols)}, column ${at % cols})`;
  if (status === Status.NaN) return new RangeError(`${fn}: ${where} is NaN`);
  const overflow = given !== Infinity ? `, which overflows float32 to Infinity` : "";
  return new RangeError(`${fn}: ${where} is ${show(given)}${overflow}; only -Infinity (masked) may be infinite`);
}
