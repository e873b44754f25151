// What every backend implements, and which one runs. The public functions (index.ts) validate
// their arguments and then call exactly one of these methods.

import type { Dtype, LogitsData } from "./input.js";

/** Name of a backend: WASM with 128-bit SIMD, WASM without SIMD, or pure TypeScript. */
export type BackendName = "simd" | "wasm" | "js";

/**
 * Logits as callers may pass them: Float32Array (the fast path), Float64Array or number[]
 * (converted to f32 first), or half precision (a Float16Array where the engine has one, or a
 * Uint16Array of float16/bfloat16 bits with the `dtype` option), widened exactly inside the kernels.
 */
export type Logits = Float32Array | Float64Array | number[] | Uint16Array | ArrayBufferView;

/**
 * A backend computes on `rows × cols` float32 logits and writes into `out`; it returns a Status
 * code and leaves the offending index in `errorAt()` when that code is not Ok. It never writes to
 * `out` (nor to `x`, unless they share memory) before it has validated every row, and it writes
 * nowhere else that the caller can see. `x` (float32, or half-precision bits that the backend
 * widens) and `out` are this realm's typed arrays, already read and checked (src/input.ts); they
 * may be views into WASM memory, and may overlap.
 */
export interface Backend {
  readonly name: BackendName;
  softmax(x: LogitsData, out: Float32Array, rows: number, cols: number, temperature: number): number;
  logSoftmax(x: LogitsData, out: Float32Array, rows: number, cols: number, temperature: number): number;
  logSumExp(x: LogitsData, out: Float32Array, rows: number, cols: number, temperature: number): number;
  argmax(x: LogitsData, out: Int32Array, rows: number, cols: number): number;
  errorAt(): number;
  /**
   * `out` after a call that wrote it: itself, or — if the call grew WASM memory, which detaches
   * every view of it — a fresh view of the same bytes.
   */
  resultView(out: Float32Array): Float32Array;
  /** A zero-copy input buffer in this backend's memory (WASM backends only; see src/wasm/memory.ts). */
  input?(length: number, dtype: Dtype): Float32Array | Uint16Array;
  /** The row primitives the sampler drives (src/sample/). */
  rowKernels(): RowKernels;
}

/**
 * One row's working buffers and the O(V) passes over them. The sampler calls prepare() once per
 * call, then copies each row of logits into `w`, edits it (bias, penalties), and calls these.
 */
export interface RowKernels {
  /**
   * Makes room for rows of n (which may grow WASM memory) and returns the logits `x` readable
   * after that: `x` itself, a fresh view of the same bytes, or (for a view into WASM memory that
   * is not a wasmInput() buffer) a copy taken before anything moved. Half-precision bits come back
   * widened; one row may be widened straight into `w` unless `rereads` (default true) says the
   * caller reads the returned logits again after editing `w`.
   */
  prepare(x: LogitsData, n: number, rereads?: boolean): Float32Array;
  /**
   * The row of half bits that the last prepare() left unwidened where w goes (one row of half
   * bits with rereads false, on the WASM backends), now taken: `topK` (SIMD build only) is the
   * topK pass over the bits, which widens only the k values it finds into w; `fill` widens the
   * row (the rest of it, after topK); `fillMax` widens it and returns what rowMax would, in one
   * pass. undefined when prepare() widened (or copied) the row itself. Call after buffers().
   */
  takeHalf?(): {
    topK?(n: number, k: number): { count: number; nan: boolean };
    fill(): void;
    fillMax(): { max: number; nan: boolean };
  } | undefined;
  /** The working buffers for a row of n (after prepare): w (working logits), e (exps), idx (token ids). */
  buffers(n: number): { w: Float32Array; e: Float32Array; idx: Int32Array };
  /** Max of w[0..n), ignoring NaN, and whether there was a NaN. */
  rowMax(n: number): { max: number; nan: boolean };
  /**
   * e[i] = exp((w[i] − m)·s); returns Σe in the kernels' documented order. `sparse`: w is mostly
   * −Infinity, so a pass that skips all-masked blocks (the same bits) is faster.
   */
  expSum(n: number, m: number, s: number, sparse?: boolean): number;
  /** Ids i with lo ≤ src[i] ≤ hi into idx (ascending, at most cap); returns the full count. */
  collect(src: "w" | "e", n: number, lo: number, hi: number, cap: number): number;
  /**
   * The k largest of w[0..n) (ties to lower ids) as ascending ids in idx, and whether w held a
   * NaN: one pass that also validates the row (its max is the largest of these). Overwrites e.
   * Only where topKFits(n, k).
   */
  topK(n: number, k: number): { count: number; nan: boolean };
  /** The lowest i with w[i] == v, or −1. */
  firstIndex(n: number, v: number): number;
  /** Σ e[i]·f32((w[i] − m)·s) over e[i] ≠ 0, in f64: sixteen slots i mod 16 (the kernels' documented order). */
  dotExpArg(n: number, m: number, s: number): number;
  /** w[i] = −Infinity wherever src[i] < bound (bound an exact float32). */
  maskBelow(src: "w" | "e", n: number, bound: number): void;
  /** w[i] = −Infinity and e[i] = 0 wherever e[i] < bound; then sumExps gives the new Σe. */
  maskExpsBelow(n: number, bound: number): void;
  /** Σe in the exp pass's documented order (what expSum returns for these exps). */
  sumExps(n: number): number;
  /**
   * Σ d and Σ d² over the finite w (count: how many), d = w − shift in float64, in the documented
   * slot order (assembly/mask.ts): top-n-σ's mean and variance in one pass.
   */
  moments(n: number, shift: number): { sum: number; squares: number; count: number };
  /** The first i whose running Σe (f64, index order) exceeds target; the last nonzero if none. */
  walkCdf(n: number, target: number): number;
}

/**
 * How many ids topK gathers before cutting back to the best k: k more than it keeps, at least
 * 128. A cut costs O(cap), and until it comes the threshold stays where the last cut left it,
 * letting more entries through. Simulated at V = 128256, k = 40: cap 72 admits 453 entries in
 * 12 cuts, 168 admits 711 in 5, 296 admits 967 in 3, 1064 admits 2,235 in 2 (the pass took
 * 55 µs then, 33–37 µs at 72–296, of which the scan alone is about 13). At most n/2, since its
 * scratch (values, and a copy to select in) is one row. Needs topKFits(n, k).
 */
export function topKCap(n: number, k: number): number {
  return Math.min(k + Math.max(k, 128), Math.floor(n / 2));
}

/** Whether topK can run on a row of n: its cap must exceed k within n/2. */
export const topKFits = (n: number, k: number): boolean => 2 * (k + 1) <= n;
