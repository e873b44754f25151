// Reading the caller's arguments exactly once, before anything is computed or memory grows.
//
// A caller's value may be hostile or foreign: an array whose element getters call back into the
// API or grow WASM memory, a Proxy, a typed array with an own `length` property, options with
// inherited keys, objects from another realm (an iframe, node:vm). So:
// - typed arrays are recognised by their internal slots (the intrinsic @@toStringTag getter), not
//   by `instanceof`, and measured with the intrinsic `length` getter, not the `length` property;
// - arrays are read once each (length once, every element once) into a copy, and only the copy
//   is used from then on;
// - options are own properties only, each read once into a fresh object;
// - Maps are recognised by their internal slot and read with the intrinsic Map methods.

import { bf16ToF32, f16ToF32 } from "./js/half.js";
import { show, typedArrayTag, typedLength } from "./validate.js";

export { typedArrayTag, typedLength };

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (o: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(o, key)!.get!;
const bufferOf = intrinsic(TypedArrayPrototype, "buffer") as (this: unknown) => ArrayBufferLike;
const byteOffsetOf = intrinsic(TypedArrayPrototype, "byteOffset") as (this: unknown) => number;
const mapSize = intrinsic(Map.prototype, "size") as (this: unknown) => number;
const mapForEach = Map.prototype.forEach;
const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/**
 * A fresh Float32Array of this realm over the same bytes as `v` (a Float32Array of any realm),
 * built from its internal slots: own `length`, `buffer` or `set` properties on the caller's object
 * (or another realm's prototype) can then not mislead anything downstream.
 */
export function ownFloat32(v: ArrayBufferView): Float32Array {
  return new Float32Array(bufferOf.call(v) as ArrayBuffer, byteOffsetOf.call(v), typedLength(v));
}

/** Half-precision logits: their bits, as the caller's memory holds them. */
export interface HalfBits {
  bits: Uint16Array;
  dtype: "float16" | "bfloat16";
}

/** What the logits hold: float32 values, or half-precision bits widened inside the kernels. */
export type LogitsData = Float32Array | HalfBits;

/** Logits as read once: the data the kernels see, and the values as given (for error messages). */
export interface Input {
  /** A fresh view of the caller's typed array (typed arrays have no element getters), or a copy. */
  data: LogitsData;
  length: number;
  /** The caller's values as given (float64 for converted input; decoded on demand for half). */
  readonly given: ArrayLike<number>;
}

/** The `dtype` option: what a Uint16Array holds (a Float16Array says it itself). */
export type Dtype = "float32" | "float16" | "bfloat16";

/** Checks the dtype option (undefined = from the array's type). */
export function readDtype(fn: string, dtype: unknown): Dtype | undefined {
  if (dtype === undefined) return undefined;
  if (dtype === "float32" || dtype === "float16" || dtype === "bfloat16") return dtype;
  if (typeof dtype !== "string") throw new TypeError(`${fn}: dtype must be "float32", "float16" or "bfloat16"; got ${show(dtype)}`);
  throw new RangeError(`${fn}: dtype must be "float32", "float16" or "bfloat16"; got ${show(dtype)}`);
}

const EMPTY_HINT = " (a view of WASM memory is empty once that memory grows: call wasmInput() again)";

/**
 * Reads the logits once: Float32Array, Float64Array, Float16Array (any realm), a Uint16Array of
 * float16 or bfloat16 bits (with `dtype`), or an array of numbers.
 */
export function readLogits(fn: string, logits: unknown, dtype?: Dtype): Input {
  const tag = typedArrayTag(logits);
  const mismatch = (what: string) =>
    new TypeError(`${fn}: dtype ${JSON.stringify(dtype)} does not match logits that are ${what}`);
  if (tag === "Float16Array" || tag === "Uint16Array") {
    const half = tag === "Float16Array" ? (dtype ?? "float16") : dtype;
    if (half === undefined) throw new TypeError(`${fn}: a Uint16Array of logits needs dtype: "float16" or "bfloat16" (which bits it holds)`);
    if (half === "float32" || (tag === "Float16Array" && half !== "float16")) throw mismatch(`a ${tag}`);
    const n = typedLength(logits as ArrayBufferView);
    if (n === 0) throw new RangeError(`${fn}: logits is empty${EMPTY_HINT}`);
    const bits = new Uint16Array(bufferOf.call(logits) as ArrayBuffer, byteOffsetOf.call(logits), n);
    const data: HalfBits = { bits, dtype: half };
    let decoded: Float32Array | undefined;
    return { data, length: n, get given() { return (decoded ??= widen(data)); } };
  }
  if (dtype !== undefined && dtype !== "float32") throw mismatch(tag ? `a ${tag}` : "numbers");
  if (tag === "Float32Array" || tag === "Float64Array") {
    const n = typedLength(logits as ArrayBufferView);
    if (n === 0) throw new RangeError(`${fn}: logits is empty${EMPTY_HINT}`);
    if (tag === "Float32Array") {
      const f32 = ownFloat32(logits as Float32Array);
      return { data: f32, length: n, given: f32 };
    }
    const given = new Float64Array(logits as Float64Array); // copies from the internal slots
    return { data: new Float32Array(given), length: n, given };
  }
  if (tag === undefined && Array.isArray(logits)) {
    const n = logits.length;
    if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${fn}: logits has an invalid length ${show(n)}`);
    if (n === 0) throw new RangeError(`${fn}: logits is empty`);
    const given = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = logits[i];
      if (typeof v !== "number") throw new TypeError(`${fn}: logits[${i}] is ${show(v)}, not a number`);
      given[i] = v;
    }
    return { data: new Float32Array(given), length: n, given };
  }
  throw new TypeError(`${fn}: logits must be a Float32Array, a Float64Array, a Float16Array, a Uint16Array with dtype, or an array of numbers; got ${show(logits)}`);
}

/** Half bits widened to a new Float32Array on the JS heap (the TS twin of the kernels' conversion). */
export function widen(h: HalfBits): Float32Array {
  const out = new Float32Array(h.bits.length);
  (h.dtype === "float16" ? f16ToF32 : bf16ToF32)(h.bits, out);
  return out;
}

/** out: a Float32Array (any realm) of exactly `length` elements, or undefined. */
export function readOut(fn: string, out: unknown, length: number): Float32Array | undefined {
  if (out === undefined) return undefined;
  if (typedArrayTag(out) !== "Float32Array") throw new TypeError(`${fn}: out must be a Float32Array; got ${show(out)}`);
  const n = typedLength(out as Float32Array);
  if (n !== length) {
    const stale = n === 0 ? EMPTY_HINT : "";
    throw new RangeError(`${fn}: out has length ${n} but the input has ${length}${stale}`);
  }
  return ownFloat32(out as Float32Array);
}

/**
 * The caller's options as a fresh object of own properties, each read once; unknown own keys
 * throw (a misspelt option must not be ignored), inherited keys are ignored.
 */
export function readOptions<K extends string>(fn: string, options: unknown, allowed: readonly K[]): Partial<Record<K, unknown>> {
  const o = Object.create(null) as Partial<Record<K, unknown>>; // so no key can be inherited here either
  if (options === undefined) return o;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${fn}: options must be an object; got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new TypeError(`${fn}: unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(", ")}`);
    }
  }
  for (const key of allowed) if (hasOwn(options, key)) o[key] = (options as Record<K, unknown>)[key];
  return o;
}

/** Whether `v` is a Map of any realm. */
export function isMap(v: unknown): v is Map<unknown, unknown> {
  if (v === null || typeof v !== "object") return false;
  try {
    mapSize.call(v);
    return true;
  } catch {
    return false;
  }
}

/** A Map's entries, read with the intrinsic forEach (a Map of any realm; own overrides ignored). */
export function mapEntries(m: Map<unknown, unknown>): [unknown, unknown][] {
  const entries: [unknown, unknown][] = [];
  mapForEach.call(m, (v: unknown, k: unknown) => entries.push([k, v]));
  return entries;
}

/**
 * Reads an array-like of numbers once (length once, each element once): a typed array by its
 * internal slots, anything else through its `length` and indices.
 */
export function readNumbers(fn: string, name: string, v: unknown): Float64Array | undefined {
  if (v === undefined) return undefined;
  const tag = typedArrayTag(v);
  if (tag !== undefined) {
    if (tag === "BigInt64Array" || tag === "BigUint64Array") {
      throw new TypeError(`${fn}: ${name} must hold numbers; got a ${tag}`);
    }
    if (typedLength(v as ArrayBufferView) === 0) return new Float64Array(0); // empty or detached
    return new Float64Array(v as ArrayLike<number>);
  }
  if (v === null || typeof v !== "object") throw new TypeError(`${fn}: ${name} must be an array-like of numbers; got ${show(v)}`);
  const n: unknown = (v as ArrayLike<unknown>).length;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new TypeError(`${fn}: ${name} must be an array-like of numbers; its length is ${show(n)}`);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x: unknown = (v as ArrayLike<unknown>)[i];
    if (typeof x !== "number") throw new TypeError(`${fn}: ${name}[${i}] is ${show(x)}, not a number`);
    out[i] = x;
  }
  return out;
}
