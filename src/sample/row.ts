// One row's working state and the primitives every stage uses: the kernels' passes (RowKernels)
// with float32-exact bounds, exps over the whole vocabulary or an explicit kept set, top-k by
// logit, sorting small candidate sets, and validation. The stages are in chain.ts and stages.ts.
//
// The kept set is either "every unmasked token" (kept === null) or an explicit list of ids.
// Probabilities over a kept set K at scale s are p_i = e_i / Z with e_i = exp(f32((w_i − m_K)·s))
// from the kernels' exp (m_K the max over K). Over the whole vocabulary Z is the kernels' ordered
// sum; over an explicit list it is the f64 sum in ascending id order.

import { topKFits, type RowKernels } from "../backend.js";
import { expLane } from "../js/exp.js";

export const fr = Math.fround;
export const F32_MAX = 3.4028234663852886e38;
/** The smallest positive float32 (2^-149): a lower bound that excludes exps of exactly 0. */
export const F32_TINY = 1.401298464324817e-45;
/** Below this scale the kernels halve the row first (assembly/softmax.ts); so does the chain. */
export const HUGE_T_SCALE = 2 ** -100;


/** Thrown by sampleRow for invalid logits; the caller turns it into a RangeError with context. */
export class RowError {
  constructor(readonly kind: "nan" | "inf" | "masked" | "banned", readonly index: number) {}
}

/** A float32 value's bits mapped so that unsigned integer order is float order (−0 read as +0). */
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
export function orderKey(v: number): number {
  f32buf[0] = v === 0 ? 0 : v;
  const b = u32buf[0];
  return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}

/** The float32 whose orderKey is k (the inverse of orderKey; −0 comes back as +0). */
function valueOfKey(k: number): number {
  u32buf[0] = k & 0x80000000 ? k & 0x7fffffff : ~k >>> 0;
  return f32buf[0];
}

// sortDesc's keys, reused from call to call: a sampling step sorts a few small sets, and a new
// typed array of more than 64 bytes costs V8 an off-heap allocation each (about 1 µs here, plus
// garbage-collector work), which was most of the step's time outside the O(V) passes.
let keyScratch = new Float64Array(256);

/**
 * Sorts ids by a float32 value descending, ties by lower id: one numeric key per id,
 * (2^32 − 1 − orderKey(value))·2^21 + id, exact in a float64 for ids < 2^21.
 */
export function sortDesc(ids: ArrayLike<number>, value: (id: number) => number): Int32Array {
  const n = ids.length;
  const keys = sortedKeys(n, (j) => ids[j], (j) => value(ids[j]));
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) out[j] = idOfKey(keys[j]);
  return out;
}

/** keyScratch[0..n) = the keys of (id(j), value(j)) for j < n, sorted ascending (value descending). */
function sortedKeys(n: number, id: (j: number) => number, value: (j: number) => number): Float64Array {
  if (keyScratch.length < n) keyScratch = new Float64Array(Math.max(n, 2 * keyScratch.length));
  const keys = keyScratch;
  for (let j = 0; j < n; j++) keys[j] = (0xffffffff - orderKey(value(j))) * 2097152 + id(j);
  sortPrefix(keys, n);
  return keys;
}

/** The id in a sort key. (Not key % 2^21: V8 computes a float64 remainder by a call into C.) */
const idOfKey = (key: number): number => key - Math.floor(key / 2097152) * 2097152;

/**
 * Of ids (ascending, e[j] the weight of ids[j]), the fewest by weight descending (ties to lower
 * ids) whose running sum reaches target, as ascending ids with their weights: top-p's cut. All of
 * them if none does.
 */
export function heaviest(ids: Int32Array, e: ArrayLike<number>, target: number): { ids: Int32Array; e: ArrayLike<number> } {
  const n = ids.length;
  const keys = sortedKeys(n, (j) => j, (j) => e[j]); // positions: ascending ids, so ties go to the lower id
  let run = 0, count = n;
  for (let j = 0; j < n; j++) {
    run += e[idOfKey(keys[j])];
    if (run >= target) {
      count = j + 1;
      break;
    }
  }
  if (count === n) return { ids, e };
  // Marked by position and read back in order: ascending ids, so that the draw needs no sort.
  if (marks.length < n) marks = new Uint8Array(Math.max(n, 2 * marks.length));
  marks.fill(0, 0, n);
  for (let j = 0; j < count; j++) marks[idOfKey(keys[j])] = 1;
  const out = new Int32Array(count);
  const weights: number[] = new Array<number>(count).fill(0);
  for (let j = 0, o = 0; o < count; j++) {
    if (marks[j] === 1) {
      out[o] = ids[j];
      weights[o++] = e[j];
    }
  }
  return { ids: out, e: weights };
}
let marks = new Uint8Array(256);

/**
 * Sorts a[0..n) ascending (distinct, finite numbers). Insertion sort up to 64: the sets a step
 * sorts are mostly a few dozen (top-k 40), where the built-in typed-array sort cost several
 * times more (2.5 µs for 40 here).
 */
function sortPrefix(a: Float64Array, n: number): void {
  if (n > 64) {
    a.subarray(0, n).sort();
    return;
  }
  for (let j = 1; j < n; j++) {
    const v = a[j];
    let i = j - 1;
    for (; i >= 0 && a[i] > v; i--) a[i + 1] = a[i];
    a[i + 1] = v;
  }
}

/**
 * The ids of an explicit kept set in ascending order: the set itself when it already is (callers
 * do not write to it), else a sorted copy. The same insertion sort as sortPrefix, on its own array
 * type: one function on both made V8's element loads polymorphic.
 */
export function ascending(kept: Int32Array): Int32Array {
  const n = kept.length;
  let j = 1;
  while (j < n && kept[j - 1] < kept[j]) j++;
  if (j >= n) return kept;
  const ids = kept.slice();
  if (n > 64) return ids.sort();
  for (; j < n; j++) {
    const v = ids[j];
    let i = j - 1;
    for (; i >= 0 && ids[i] > v; i--) ids[i + 1] = ids[i];
    ids[i + 1] = v;
  }
  return ids;
}

/** Per-row context: the kernels' buffers and the row's current max over the kept set. */
export interface Row {
  k: RowKernels;
  w: Float32Array;
  e: Float32Array;
  idx: Int32Array;
  V: number;
  /** Max of w over the kept set. */
  m: number;
  /** Scale of the exps currently in e (NaN when e is stale), for the whole vocabulary. */
  eScale: number;
  /** Σe for that scale. */
  eSum: number;
  /** Set once a filter has masked w, likely most of it: the exp pass then skips all-masked blocks. */
  sparse?: boolean;
  /**
   * expsOf's last result for an explicit kept set, kept for the next stage or the draw on the
   * same set (the same array) at the same scale. Cleared with eScale by anything that writes w.
   */
  exps?: Exps;
  /**
   * When idx[0..count) holds the k largest of w as the row came in (ascending ids, from the pass
   * that validated it) and `edited` the ids whose logits were edited since: the top k − |edited|
   * of w as it is now are among these (a token outside both still has k − |edited| unedited
   * tokens ranked above it), so the top-k stage needs no pass of its own. Cleared by anything
   * that rescales w or writes idx.
   */
  top?: { k: number; count: number; edited: number[] };
  /**
   * Set while w holds only the candidates of a top-k pass over half-precision bits (the rest of w
   * is stale; see startRow in chain.ts): r.k is then a stand-in that widens the row (full) before
   * any pass, and code that reads w beyond the kept tokens calls full first.
   */
  lazy?: { k: RowKernels; fill: () => void };
}

/** Widens the rest of a half-precision row that only its top-k candidates were widened of. */
export function full(r: Row): void {
  const lazy = r.lazy;
  if (!lazy) return;
  r.lazy = undefined;
  r.k = lazy.k;
  lazy.fill();
}

/** r.k while w waits for the rest of its half bits: the first use of any pass widens them. */
export function waiting(r: Row, k: RowKernels, fill: () => void): void {
  r.lazy = { k, fill };
  r.k = new Proxy(k, {
    get(target, name: keyof RowKernels) {
      full(r);
      return target[name];
    },
  });
}

/** u = (w − m)·s as the kernels round it; at s = 0 (the uniform limit) 0 for every unmasked w. */
export function scaled(w: number, m: number, s: number): number {
  if (s === 0) return w === -Infinity ? -Infinity : 0;
  return fr(fr(w - m) * s);
}

/** The smallest float32 ≥ v, so that f32 ≥ it ⇔ f32 ≥ v in every backend (WASM rounds bounds to f32). */
export function f32AtLeast(v: number): number {
  if (v > 0 && v <= F32_TINY) return F32_TINY;
  const r = fr(v);
  return r < v ? nextUp(r) : r;
}

/** The largest float32 ≤ v. */
export function f32AtMost(v: number): number {
  const r = fr(v);
  return r > v ? -nextUp(-r) : r;
}

/** Ids i with lo ≤ src[i] ≤ hi, with the bounds made exact float32 first (see f32AtLeast). */
export function collect(r: Row, src: "w" | "e", lo: number, hi: number, cap: number): number {
  r.top = undefined;
  return r.k.collect(src, r.V, f32AtLeast(lo), f32AtMost(hi), cap);
}

export function expAll(r: Row, s: number): number {
  if (r.eScale !== s) {
    r.eSum = r.k.expSum(r.V, r.m, s, r.sparse);
    r.eScale = s;
  }
  return r.eSum;
}

/**
 * Whether a top-k over the whole vocabulary lists its k tokens (topOfAll, then the draw over an
 * explicit set) rather than masking the rest (keepTopByMask). The two draw with sums in different
 * orders, so the choice must not depend on the backend. Up to 4,096 listing is level with masking
 * on simd (top-k 2,000 at V = 128,256: 344 against 399 µs a step, median) and far faster on the
 * scalar backends, whose counting passes cost 10–20 times a SIMD one (top-k 1,000 on wasm: 345
 * µs listed, 2.4 ms masked).
 */
export const listsTopK = (k: number): boolean => k <= 4096;

/** How many tokens keepTopByMask sorts once its bracket holds at most this many (see there). */
const BAND = 256;

/**
 * Keeps the k highest-w unmasked tokens (ties to lower ids, exactly k) by masking every other
 * logit, for a k too large to list (see listsTopK; mirostat v1's estimate can be tens of thousands).
 * Counting passes narrow a bracket [lo, hi) of float32 values with count(w ≥ lo) ≥ k >
 * count(w ≥ hi) until it holds at most BAND tokens; one pass then lists those, and sorting them
 * gives the k-th value τ. Then w < τ is masked, and so are the highest ids among the ties at τ
 * beyond k. The first bound is `guess` (a caller's estimate of the k-th value) or 1, 4, 16, 64
 * below the max; then each comes from interpolating the count in the bracket, with a bisection
 * of the float32 order after a step that did not halve the bracket's count, and only bisections
 * after 40 passes (at most 32 more). Simulated over k from 300 to 120,000 at V = 128,256: 10.8
 * passes on average on LLM-like logits (14 when only bisecting down to the band, about 20 when
 * bisecting to an exact count as before), 7.6–9.8 on uniform and Gaussian ones, 28 on integers
 * (ties: the bracket must close to one value), 20 on Cauchy-distributed ones (13 bisecting).
 * The result does not depend on the path, so it is the same on every backend. Returns null: the
 * set stays implicit.
 */
export function keepTopByMask(r: Row, k: number, guess = NaN): null {
  const all = countUnmasked(r);
  if (all <= k) return null; // every unmasked token is kept
  const LOWEST = orderKey(-F32_MAX);
  let lo = LOWEST, hi = orderKey(r.m) + 1; // as keys; nothing is ≥ hi (no +Infinity)
  let atLo = all, atHi = 0; // count(w ≥ lo), count(w ≥ hi)
  let widen = 0, probes = 0, stalled = false;
  while (atLo !== k && atLo - atHi > BAND && hi - lo > 1) {
    const vLo = valueOfKey(lo), vHi = valueOfKey(hi);
    let v = NaN, interpolated = false;
    if (guess === guess) v = guess;
    else if (lo === LOWEST) v = widen < 4 ? vHi - 4 ** widen++ : NaN; // no lower bound yet: 1, 4, 16, 64 below
    else if (!stalled && probes < 40) {
      // Aim a little past k on the side whose bound is further from it, so that the next step
      // can close the bracket to a band from both sides; ln(count) while the counts are far
      // apart (the count grows about exponentially below the max), the count itself once close.
      const aim = atLo - k > k - atHi ? k + BAND / 4 : k - BAND / 4;
      const t = Math.min(atLo - 1, Math.max(atHi + 1, aim));
      const f = atLo > 2 * (atHi + 1) ? Math.log((atLo + 1) / (t + 1)) / Math.log((atLo + 1) / (atHi + 1)) : (atLo - t) / (atLo - atHi);
      v = vLo + (vHi - vLo) * f;
      interpolated = true;
    }
    guess = NaN;
    let mid = v === v && Math.abs(v) <= F32_MAX ? orderKey(fr(v)) : -1;
    if (!(mid > lo && mid < hi)) mid = lo + Math.ceil((hi - lo) / 2); // else bisect the float32 order
    const count = collect(r, "w", valueOfKey(mid), Infinity, 0);
    probes++;
    const before = atLo - atHi;
    if (count >= k) [lo, atLo] = [mid, count];
    else [hi, atHi] = [mid, count];
    stalled = interpolated && 2 * (atLo - atHi) > before; // then bisect once
  }
  let tau = valueOfKey(lo), keepAtTau = k - atHi; // of the tokens in [lo, hi), keep the best k − atHi
  if (atLo > k && hi - lo > 1) {
    // Sort the band [lo, hi): its (k − atHi)-th best is the k-th value.
    const n = collect(r, "w", tau, valueOfKey(hi - 1), r.V);
    const band = sortDesc(r.idx.subarray(0, n), (i) => r.w[i]);
    tau = r.w[band[keepAtTau - 1]];
    for (let j = keepAtTau; j < n; j++) if (r.w[band[j]] === tau) r.w[band[j]] = -Infinity; // ties beyond k
  } else if (atLo > k) {
    // Every token in the bracket is at τ: keep the lowest ids among them.
    const ties = collect(r, "w", tau, tau, r.V); // ascending ids
    for (let j = keepAtTau; j < ties; j++) r.w[r.idx[j]] = -Infinity;
  }
  r.k.maskBelow("w", r.V, tau);
  r.sparse = true;
  stale(r);
  return null;
}

/**
 * The k highest-w unmasked tokens (ties to lower ids), by value descending, or in any order when
 * `anyOrder` (then, when the candidates are exactly those k, ascending and without a sort). From
 * the candidates the validating pass found (r.top) when they cover k, else by the one-pass topK
 * kernel; a row too short for its scratch sorts every unmasked token instead.
 */
export function topOfAll(r: Row, k: number, anyOrder = false): Int32Array {
  if (k === 1) return Int32Array.of(r.k.firstIndex(r.V, r.m)); // the first maximum
  if (!topKFits(r.V, k)) return sortDesc(allUnmasked(r), (i) => r.w[i]).subarray(0, k); // a short row
  const top = r.top;
  r.top = undefined;
  let found: Int32Array;
  if (top && k + top.edited.length <= top.k) {
    found = r.idx.subarray(0, top.count);
    if (top.edited.length > 0) {
      // The validating pass's candidates and the edited tokens, each once and unmasked.
      const ids = [...new Set([...top.edited, ...found])].filter((i) => r.w[i] > -Infinity);
      return sortDesc(ids, (i) => r.w[i]).subarray(0, k);
    }
  } else {
    found = r.idx.subarray(0, r.k.topK(r.V, k).count);
    stale(r); // the pass's scratch is e
  }
  if (anyOrder && found.length <= k) return found.slice();
  return sortDesc(found, (i) => r.w[i]).subarray(0, k);
}

/** An explicit kept set in ascending ids, their exps at scale s shifted by m (their max), and Σ in id order. */
export interface Exps {
  ids: Int32Array;
  e: ArrayLike<number>;
  z: number;
  m: number;
  s: number;
}

/** The row's w (or its exps) changed: the whole-row exps in e and any kept set's exps are stale. */
export function stale(r: Row): void {
  r.eScale = NaN;
  r.exps = undefined;
}

/** The kept ids of the explicit set with their exps at scale s (max-shifted) and Σ in id order. */
export function expsOf(r: Row, kept: Int32Array, s: number): Exps {
  const last = r.exps;
  if (last && last.ids === kept && last.s === s) return last;
  const ids = ascending(kept);
  let m = -Infinity;
  for (const i of ids) if (r.w[i] > m) m = r.w[i];
  const e: number[] = new Array<number>(ids.length).fill(0); // not a Float64Array: see sortDesc
  let z = 0;
  for (let j = 0; j < ids.length; j++) {
    e[j] = s === 0 ? 1 : expLane(scaled(r.w[ids[j]], m, s));
    z += e[j];
  }
  return (r.exps = { ids, e, z, m, s });
}

/** Walks ids sorted by priority, accumulating weight(id), until the sum reaches target. */
export function prefix(sorted: Int32Array, weight: (id: number) => number, target: number): Int32Array | undefined {
  let run = 0;
  for (let j = 0; j < sorted.length; j++) {
    run += weight(sorted[j]);
    if (run >= target) return sorted.subarray(0, j + 1);
  }
  return undefined;
}

/** How many tokens are not masked (−Infinity), by one counting pass that writes no ids. */
export function countUnmasked(r: Row): number {
  return collect(r, "w", -F32_MAX, Infinity, 0);
}

export function allUnmasked(r: Row): Int32Array {
  const count = collect(r, "w", -F32_MAX, Infinity, r.V);
  return r.idx.slice(0, count);
}

/**
 * Removes every token whose `src` value (w: its logit; e: its current exp) is below `lo` by
 * masking its logit, so that the kept set stays implicit (null) and the draw and later stages keep
 * running in the kernels. The caller guarantees that the row's max stays (p_max ≥ any bound it
 * keeps), so r.m is unchanged; the exps are stale.
 */
export function maskBelow(r: Row, src: "w" | "e", lo: number): null {
  r.k.maskBelow(src, r.V, f32AtLeast(lo));
  r.sparse = true;
  stale(r);
  return null;
}


/** The next float32 above the float32 v. */
export function nextUp(v: number): number {
  if (v === 0) return F32_TINY; // from −0 too, whose bits would step the wrong way
  f32buf[0] = v;
  u32buf[0] += v >= 0 ? 1 : -1;
  return f32buf[0];
}


/** Checks w's max (NaN, +Infinity, all −Infinity) and stores it in r.m. */
export function validate(r: Row, x: Float32Array, allMasked: "masked" | "banned", found = r.k.rowMax(r.V)): void {
  const { max, nan } = found;
  r.top = undefined;
  check(r, x, allMasked, max, nan);
}

/**
 * validate() by the top-k pass: the same checks, with the max read off the k largest, which
 * idx then holds for the top-k stage (r.top).
 */
export function validateWithTop(r: Row, x: Float32Array, k: number, found = r.k.topK(r.V, k)): void {
  const { count, nan } = found;
  let max = -Infinity;
  for (let j = 0; j < count; j++) max = Math.max(max, r.w[r.idx[j]]);
  check(r, x, "masked", max === 0 ? 0 : max, nan); // +0 for a max of −0, as rowMax gives
  r.top = { k, count, edited: [] };
}

function check(r: Row, x: Float32Array, allMasked: "masked" | "banned", max: number, nan: boolean): void {
  if (nan || max === Infinity) {
    full(r);
    let i = 0;
    while (!(r.w[i] !== r.w[i] || r.w[i] === Infinity)) i++;
    // NaN or +Infinity in the caller's logits, or an overflow that a bias or penalty caused.
    throw new RowError(x[i] !== x[i] ? "nan" : "inf", i);
  }
  if (max === -Infinity) throw new RowError(allMasked, -1);
  r.m = max;
  stale(r);
}
