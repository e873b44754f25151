// Shared test utilities: the backends to run every numeric test against, seeded data, and a
// float64 reference softmax computed from the same f32 arguments the kernels see.

import { setBackend, type BackendName } from "../src/index.js";

export const BACKENDS: BackendName[] = ["simd", "wasm", "js"];

/** Runs `fn` with `name` as the active backend, restoring auto-selection's "simd" afterwards. */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend("simd");
  }
}

/** A small, fast, seeded PRNG (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** LLM-like logits: normal(0, 2.5) with a few boosted tokens. */
export function llmLogits(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12), v = r();
    x[i] = 2.5 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  for (let k = 0; k < Math.min(20, n); k++) x[Math.floor(r() * n)] += 8 + 7 * r();
  return x;
}

export const f32 = Math.fround;

/** The scale the kernels use: f32(1/T), capped at f32 max. */
export function scaleOf(t: number): number {
  return Math.min(f32(1 / t), 3.4028234663852886e38);
}

/**
 * Reference softmax in float64 of the same f32 arguments the kernels exponentiate,
 * u_i = f32(f32(x_i − max)·s): isolates the kernels' own error from the (unavoidable) f32
 * rounding of (x − max)/T. Returns probabilities as float64.
 */
export function refSoftmaxSameArgs(x: Float32Array, t: number): Float64Array {
  const s = scaleOf(t);
  let m = -Infinity;
  for (const v of x) if (v > m) m = v;
  const e = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const u = x[i] === -Infinity ? -Infinity : f32(f32(x[i] - m) * s);
    e[i] = Math.exp(u);
    sum += e[i];
  }
  for (let i = 0; i < x.length; i++) e[i] /= sum;
  return e;
}

/** Exact-math reference softmax(x/T) in float64 (x promoted from f32). */
export function refSoftmax(x: ArrayLike<number>, t: number): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  const e = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    e[i] = x[i] === -Infinity ? 0 : Math.exp((x[i] - m) / t);
    sum += e[i];
  }
  for (let i = 0; i < x.length; i++) e[i] /= sum;
  return e;
}

/** Distance in units in the last place between two f32 values (as integers on the f32 line). */
export function ulpDiff(a: number, b: number): number {
  const buf = new Float32Array([a, b]);
  const i = new Int32Array(buf.buffer);
  const ord = (k: number) => (i[k] < 0 ? 0x80000000 - i[k] : i[k]);
  return Math.abs(ord(0) - ord(1));
}

/** Raw bits of a Float32Array, for bit-identity comparisons. */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Index of the first differing 32-bit word, or −1. */
export function firstBitDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = bitsOf(a), y = bitsOf(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}
