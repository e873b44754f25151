// Argument checks for the public functions: each failure is a TypeError (wrong kind of value) or
// a RangeError (right kind, out of range) whose message names the argument and the value.

import { Status } from "./status.js";

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const tagOf = Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;
const lengthOf = Object.getOwnPropertyDescriptor(TypedArrayPrototype, "length")!.get! as (this: unknown) => number;

/** The typed-array kind of `v` ("Float32Array", …) from any realm, or undefined (its internal slot). */
export function typedArrayTag(v: unknown): string | undefined {
  return tagOf.call(v);
}

/** The element count of a typed array, from its internal slot (0 once detached). */
export function typedLength(v: ArrayBufferView): number {
  return lengthOf.call(v);
}

/** Renders a caller's value for an error message. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  const tag = typedArrayTag(v); // any realm; a typed array's own getters are not asked
  if (tag !== undefined) return `a ${tag} of length ${typedLength(v as ArrayBufferView)}`;
  if (ArrayBuffer.isView(v)) return "a DataView";
  return `a ${typeof v === "function" ? "function" : ((v as object).constructor?.name ?? "object")}`;
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

/** The error for a non-Ok kernel status, naming the offending element (as the caller gave it). */
export function statusError(fn: string, status: number, at: number, logits: ArrayLike<number>, rows: number, cols: number): RangeError {
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
