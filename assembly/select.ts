// Selection: which element is the largest (ties to the lowest index), the first invalid logit, and
// the sampler's candidate filter. Its TypeScript twin is src/js/select.ts.

import { stage, sawNaN } from "./reduce";
import { HALF_CONSTANTS, f16Bits, halfKey } from "./half";

/** Bit k set when p[k] == v, for the 16 floats at p. */
// @ts-ignore: decorator
@inline
function eqMask16(p: usize, vv: v128): i32 {
  const m0 = i32x4.bitmask(f32x4.eq(v128.load(p, 0), vv));
  const m1 = i32x4.bitmask(f32x4.eq(v128.load(p, 16), vv));
  const m2 = i32x4.bitmask(f32x4.eq(v128.load(p, 32), vv));
  const m3 = i32x4.bitmask(f32x4.eq(v128.load(p, 48), vv));
  return m0 | (m1 << 4) | (m2 << 8) | (m3 << 12);
}

/** Lowest i with x[i] == v, or −1. (−0 and +0 are equal here, as everywhere in IEEE.) */
export function firstIndexOf(x: usize, n: i32, v: f32): i32 {
  if (ASC_FEATURE_SIMD) {
    const vv = f32x4.splat(v);
    let i = 0;
    for (; i + 16 <= n; i += 16) {
      const mask = eqMask16(x + (<usize>i << 2), vv);
      if (mask != 0) return i + ctz(mask);
    }
    if (i < n) {
      // NaN padding never compares equal, so staged lanes past the row cannot match.
      const mask = eqMask16(stage(x + (<usize>i << 2), n - i, NaN), vv);
      if (mask != 0) return i + ctz(mask);
    }
    return -1;
  } else {
    for (let i = 0; i < n; i++) if (load<f32>(x + (<usize>i << 2)) == v) return i;
    return -1;
  }
}

/** First index of an invalid logit (NaN or +Infinity) in x[0..n), or −1. Slow path for errors. */
export function firstInvalid(x: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v || v == Infinity) return i;
  }
  return -1;
}

/**
 * Writes the indices i (ascending) with lo ≤ x[i] ≤ hi to idx[], at most `cap` of them, and
 * returns how many there are in all (which may exceed cap: then only the first cap are written).
 * The sampler's O(V) candidate filter: top-k, top-p and typical-p narrow the vocabulary with it
 * before sorting only what it returns.
 */
export function collectRange(x: usize, n: i32, lo: f32, hi: f32, idx: usize, cap: i32): i32 {
  let count = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
    // Hits are rare (top-k keeps a few dozen of 128k), so each 16 floats are first tested with one
    // any_true, and the per-lane masks are built only when something matched.
    if (hi == Infinity && cap == 0) {
      // Only the count (how many unmasked; top-k by mask's bisection): every lane is counted,
      // without a branch. A test per 16 floats mispredicts whenever hits are neither rare nor
      // everywhere, as near the bisection's answer, where such a pass took 3–5 max passes.
      let c0 = i32x4.splat(0), c1 = c0, c2 = c0, c3 = c0; // −1 per hit, lane by lane
      for (; i + 16 <= n; i += 16) {
        const p = x + (<usize>i << 2);
        c0 = i32x4.add(c0, f32x4.ge(v128.load(p, 0), vlo)); c1 = i32x4.add(c1, f32x4.ge(v128.load(p, 16), vlo));
        c2 = i32x4.add(c2, f32x4.ge(v128.load(p, 32), vlo)); c3 = i32x4.add(c3, f32x4.ge(v128.load(p, 48), vlo));
      }
      const c = i32x4.add(i32x4.add(c0, c1), i32x4.add(c2, c3));
      count = -(i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3));
    } else if (hi == Infinity) {
      // The common case (top-k, top-p, min-p): no upper bound, one comparison per vector.
      for (; i + 16 <= n; i += 16) {
        const p = x + (<usize>i << 2);
        const g0 = f32x4.ge(v128.load(p, 0), vlo), g1 = f32x4.ge(v128.load(p, 16), vlo);
        const g2 = f32x4.ge(v128.load(p, 32), vlo), g3 = f32x4.ge(v128.load(p, 48), vlo);
        if (v128.any_true(v128.or(v128.or(g0, g1), v128.or(g2, g3)))) {
          count = emit(lanes16(g0, g1, g2, g3), i, count, idx, cap);
        }
      }
    } else {
      for (; i + 16 <= n; i += 16) {
        const p = x + (<usize>i << 2);
        const v0 = v128.load(p, 0), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
        const g0 = v128.and(f32x4.ge(v0, vlo), f32x4.le(v0, vhi)), g1 = v128.and(f32x4.ge(v1, vlo), f32x4.le(v1, vhi));
        const g2 = v128.and(f32x4.ge(v2, vlo), f32x4.le(v2, vhi)), g3 = v128.and(f32x4.ge(v3, vlo), f32x4.le(v3, vhi));
        if (v128.any_true(v128.or(v128.or(g0, g1), v128.or(g2, g3)))) {
          count = emit(lanes16(g0, g1, g2, g3), i, count, idx, cap);
        }
      }
    }
  }
  // The last n mod 16 floats (all of them in the scalar build).
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v >= lo && v <= hi) {
      if (count < cap) store<i32>(idx + (<usize>count << 2), i);
      count++;
    }
  }
  return count;
}

/** The lane masks of four comparisons as 16 bits, lane k of g_j at bit 4j + k. */
// @ts-ignore: decorator
@inline
function lanes16(g0: v128, g1: v128, g2: v128, g3: v128): i32 {
  return i32x4.bitmask(g0) | (i32x4.bitmask(g1) << 4) | (i32x4.bitmask(g2) << 8) | (i32x4.bitmask(g3) << 12);
}

/** Appends i + (each set bit of mask), ascending, to idx (at most cap written); returns the new count. */
// @ts-ignore: decorator
@inline
function emit(mask: i32, i: i32, count: i32, idx: usize, cap: i32): i32 {
  while (mask != 0) {
    // Past cap only the count is wanted: one popcnt, not a loop over the bits (a counting pass
    // over an unmasked row has every bit set).
    if (count >= cap) return count + popcnt(mask);
    store<i32>(idx + (<usize>count << 2), i + ctz(mask));
    count++;
    mask &= mask - 1;
  }
  return count;
}

/**
 * The k largest of x[0..n) (ties to the lowest ids), as ids in ascending order into idx; returns
 * how many (k, or fewer when fewer than k entries exceed −Infinity). Also flags a NaN in sawNaN,
 * so that a caller can validate the row with this one pass. `tmp` is scratch of 2·cap floats
 * (or 2·n when cap > n), cap > k.
 *
 * One pass: every entry above the threshold τ is appended to idx (its value to tmp); when idx
 * holds cap ids they are cut back to the k best and τ becomes the k-th best value. From then on
 * only entries strictly above τ can be among the k best: one equal to τ comes after k ids that
 * rank ahead of it (their values are ≥ τ and their ids lower). In the SIMD build the scan skips
 * 16 floats at a time while all of them are ≤ τ (one comparison per vector: NaN fails it too and
 * is sorted out with the hits), in a function of its own so that nothing else is live in it.
 * For k ≥ 256 the pass starts from τ = sampledCut (see there) instead of −Infinity.
 */
export function topK(x: usize, n: i32, k: i32, cap: i32, idx: usize, tmp: usize): i32 {
  if (k >= 256) {
    // A large k fills the buffer many times before τ catches up: start from a τ that a strided
    // sample says about k + 3σ entries exceed. If fewer than k did, it was too high: scan again.
    const count = scanTopK(x, n, k, cap, idx, tmp, sampledCut(x, n, k, cap, tmp));
    if (count >= k) return count;
  }
  return scanTopK(x, n, k, cap, idx, tmp, -Infinity);
}

/**
 * A value that about k + 3√(k·m/n)·n/m + n/m of x's n values exceed, from a strided sample of
 * m = min(2·cap, n/4) of them (into tmp; NaNs left out): the rank k·m/n + 3σ + 1 in the sample.
 * −Infinity when the sample is too small for that rank.
 */
function sampledCut(x: usize, n: i32, k: i32, cap: i32, tmp: usize): f32 {
  const m = min(2 * cap, n >> 2);
  if (m < 16) return -Infinity;
  const stride = n / m;
  let got = 0;
  for (let j = 0, i = stride >> 1; j < m; j++, i += stride) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v == v) store<f32>(tmp + (<usize>(got++) << 2), v);
  }
  const expected = <f64>k * <f64>got / <f64>n;
  const rank = <i32>(expected + 3 * Math.sqrt(expected)) + 1;
  return rank <= got ? kthLargest(tmp, got, rank) : -Infinity;
}

function scanTopK(x: usize, n: i32, k: i32, cap: i32, idx: usize, tmp: usize, from: f32): i32 {
  cutValue = from;
  let tau = cutValue;
  let count = 0;
  let nan = false;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const end = n & ~15;
    for (;;) {
      i = skipAtMost(x, i, end, tau);
      if (i >= end) break;
      // Only the lanes that failed v ≤ τ (above it, or NaN), in ascending order; τ may rise
      // between them, so each is compared again.
      const p = x + (<usize>i << 2), vt = f32x4.splat(tau);
      let mask = lanes16(
        v128.not(f32x4.le(v128.load(p, 0), vt)), v128.not(f32x4.le(v128.load(p, 16), vt)),
        v128.not(f32x4.le(v128.load(p, 32), vt)), v128.not(f32x4.le(v128.load(p, 48), vt)),
      );
      while (mask != 0) {
        const id = i + ctz(mask);
        mask &= mask - 1;
        const v = load<f32>(x + (<usize>id << 2));
        if (v != v) nan = true;
        else if (v > tau) {
          count = admit(id, v, count, idx, tmp, k, cap);
          tau = cutValue;
        }
      }
      i += 16;
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) nan = true;
    else if (v > tau) {
      count = admit(i, v, count, idx, tmp, k, cap);
      tau = cutValue;
    }
  }
  sawNaN = nan;
  if (count > k) {
    cutToBest(idx, tmp, count, k, count);
    count = k;
  }
  return count;
}

/**
 * topK over half-precision bits (bf16: bfloat16, else float16) without widening the row: the
 * same ids (the widening keeps every value's order, and −0 == +0), and the k values widened into
 * w at their ids; nothing else of w is written. The scan tests order keys (see half.ts), 16 lanes
 * per vector, against the key of τ: a lane whose key is below it is at most τ, so only the others
 * (and NaNs, by their magnitude) are widened and compared as topK compares them. SIMD build
 * only: the scalar one returns −1.
 */
export function topKHalf(src: usize, n: i32, k: i32, cap: i32, idx: usize, tmp: usize, w: usize, bf16: bool): i32 {
  if (!ASC_FEATURE_SIMD) return -1; // the scalar build widens the row first (its bytes are the bundle's)
  cutValue = -Infinity;
  halfKeyAbove = halfKey(cutValue, bf16);
  halfCount = 0;
  halfNaN = false;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const magnitude = v128.load16_splat(HALF_CONSTANTS, 0);
    const nanLimit = v128.load16_splat(HALF_CONSTANTS + (bf16 ? 10 : 22), 0);
    const end = n & ~15;
    for (;;) {
      const vk = i16x8.splat(<i16>(halfKeyAbove - 1));
      let mask = 0;
      for (; i + 32 <= end; i += 32) if (halfHits32(src + (<usize>i << 1), vk, magnitude, nanLimit)) break;
      for (; i < end; i += 16) if ((mask = halfHits(src + (<usize>i << 1), vk, magnitude, nanLimit)) != 0) break;
      if (i >= end) break;
      // τ may rise between the lanes: halfCandidate compares each again.
      for (; mask != 0; mask &= mask - 1) halfCandidate(src, i + ctz(mask), idx, tmp, k, cap, bf16);
      i += 16;
    }
  }
  for (; i < n; i++) {
    const h = <u32>load<u16>(src + (<usize>i << 1));
    const a = <i32>(h & 0x7fff);
    if ((h & 0x8000 ? ~a : a) >= halfKeyAbove || a > (bf16 ? 0x7f80 : 0x7c00)) halfCandidate(src, i, idx, tmp, k, cap, bf16);
  }
  sawNaN = halfNaN;
  let count = halfCount;
  if (count > k) {
    cutToBest(idx, tmp, count, k, count);
    count = k;
  }
  for (let j = 0; j < count; j++) {
    store<f32>(w + (<usize>load<i32>(idx + (<usize>j << 2)) << 2), load<f32>(tmp + (<usize>j << 2)));
  }
  return count;
}

// topKHalf's state between candidates (one function takes each, from either loop): the lowest
// key that may lie above τ (= cutValue), how many are in the buffer, and whether a NaN was seen.
let halfKeyAbove = 0;
let halfCount = 0;
let halfNaN = false;

/** Widens the half at id and admits it as topK would its float32 value. */
function halfCandidate(src: usize, id: i32, idx: usize, tmp: usize, k: i32, cap: i32, bf16: bool): void {
  const h = <u32>load<u16>(src + (<usize>id << 1));
  const v = reinterpret<f32>(bf16 ? h << 16 : f16Bits(h));
  if (v != v) halfNaN = true;
  else if (v > cutValue) {
    const tau = cutValue;
    halfCount = admit(id, v, halfCount, idx, tmp, k, cap);
    if (cutValue != tau) halfKeyAbove = halfKey(cutValue, bf16);
  }
}

/** Whether any of the 32 halves at p has a key above vk or is a NaN (one test per 32 while none). */
// @ts-ignore: decorator
@inline
function halfHits32(p: usize, vk: v128, magnitude: v128, nanLimit: v128): bool {
  const h0 = v128.load(p, 0), h1 = v128.load(p, 16), h2 = v128.load(p, 32), h3 = v128.load(p, 48);
  const a0 = v128.and(h0, magnitude), a1 = v128.and(h1, magnitude), a2 = v128.and(h2, magnitude), a3 = v128.and(h3, magnitude);
  const above = v128.or(
    v128.or(i16x8.gt_s(v128.xor(a0, i16x8.shr_s(h0, 15)), vk), i16x8.gt_s(v128.xor(a1, i16x8.shr_s(h1, 15)), vk)),
    v128.or(i16x8.gt_s(v128.xor(a2, i16x8.shr_s(h2, 15)), vk), i16x8.gt_s(v128.xor(a3, i16x8.shr_s(h3, 15)), vk)),
  );
  const nan = i16x8.gt_s(i16x8.max_u(i16x8.max_u(a0, a1), i16x8.max_u(a2, a3)), nanLimit);
  return i16x8.bitmask(v128.or(above, nan)) != 0;
}

/** Bit j set when half j of the 16 at p has a key above vk (key − 1) or is a NaN. */
// @ts-ignore: decorator
@inline
function halfHits(p: usize, vk: v128, magnitude: v128, nanLimit: v128): i32 {
  const h0 = v128.load(p, 0), h1 = v128.load(p, 16);
  const a0 = v128.and(h0, magnitude), a1 = v128.and(h1, magnitude);
  const hit0 = v128.or(i16x8.gt_s(v128.xor(a0, i16x8.shr_s(h0, 15)), vk), i16x8.gt_s(a0, nanLimit));
  const hit1 = v128.or(i16x8.gt_s(v128.xor(a1, i16x8.shr_s(h1, 15)), vk), i16x8.gt_s(a1, nanLimit));
  return i16x8.bitmask(hit0) | (i16x8.bitmask(hit1) << 8);
}

/** topK's threshold: the k-th best value at the last cut (−Infinity before the first). */
let cutValue: f32 = -Infinity;

/**
 * Appends id with its value v to topK's buffer; when that fills it (cap entries), cuts it back to
 * the k best and raises cutValue. Returns the new count.
 */
// @ts-ignore: decorator
@inline
function admit(id: i32, v: f32, count: i32, idx: usize, tmp: usize, k: i32, cap: i32): i32 {
  store<i32>(idx + (<usize>count << 2), id);
  store<f32>(tmp + (<usize>count << 2), v);
  if (++count < cap) return count;
  cutValue = cutToBest(idx, tmp, count, k, cap);
  return k;
}

/**
 * The first i (from i in steps of 16, up to end) whose 16 floats are not all ≤ tau; end if none.
 * 32 floats per test while they pass: the test's compare-and-branch is then half as frequent.
 */
function skipAtMost(x: usize, i: i32, end: i32, tau: f32): i32 {
  const vt = f32x4.splat(tau);
  for (; i + 32 <= end; i += 32) {
    const p = x + (<usize>i << 2);
    const le = v128.and(
      v128.and(
        v128.and(f32x4.le(v128.load(p, 0), vt), f32x4.le(v128.load(p, 16), vt)),
        v128.and(f32x4.le(v128.load(p, 32), vt), f32x4.le(v128.load(p, 48), vt)),
      ),
      v128.and(
        v128.and(f32x4.le(v128.load(p, 64), vt), f32x4.le(v128.load(p, 80), vt)),
        v128.and(f32x4.le(v128.load(p, 96), vt), f32x4.le(v128.load(p, 112), vt)),
      ),
    );
    // bitmask is one instruction in V8's x64 code, all_true five.
    if (i32x4.bitmask(le) != 15) break;
  }
  // The 32 that failed, 16 at a time, or the last 16 of the row.
  for (; i < end; i += 16) {
    const p = x + (<usize>i << 2);
    const le = v128.and(
      v128.and(f32x4.le(v128.load(p, 0), vt), f32x4.le(v128.load(p, 16), vt)),
      v128.and(f32x4.le(v128.load(p, 32), vt), f32x4.le(v128.load(p, 48), vt)),
    );
    if (i32x4.bitmask(le) != 15) return i;
  }
  return end;
}

/**
 * Keeps, of the `count` > k ascending ids in idx with their values in tmp, the k whose values rank
 * highest (ties to lower ids), still ascending, values alongside; returns the k-th best value.
 * tmp[off..off+count) is the quickselect's scratch.
 */
function cutToBest(idx: usize, tmp: usize, count: i32, k: i32, off: i32): f32 {
  const sel = tmp + (<usize>off << 2);
  for (let j = 0; j < count; j++) store<f32>(sel + (<usize>j << 2), load<f32>(tmp + (<usize>j << 2)));
  const t = kthLargest(sel, count, k);
  let above = 0;
  for (let j = 0; j < count; j++) if (load<f32>(tmp + (<usize>j << 2)) > t) above++;
  let ties = k - above; // how many entries equal to t make the cut: the lowest ids among them
  let out = 0;
  for (let j = 0; j < count; j++) {
    const v = load<f32>(tmp + (<usize>j << 2));
    if (v > t || (v == t && ties-- > 0)) {
      store<i32>(idx + (<usize>out << 2), load<i32>(idx + (<usize>j << 2)));
      store<f32>(tmp + (<usize>out << 2), v);
      out++;
    }
  }
  return t;
}

/**
 * The k-th largest of a[0..n) (1 ≤ k ≤ n, no NaN), by quickselect; reorders a. The partitions are
 * branch-free (swap every element, advance by the comparison's 0 or 1): on random values a
 * branching partition mispredicts about every other element, which made a cut cost 8–13 ns per
 * element visited. Two passes per round, > pivot then = pivot, so that equal values cannot
 * stall it.
 */
function kthLargest(a: usize, n: i32, k: i32): f32 {
  let lo = 0, hi = n - 1;
  const want = k - 1; // its position in descending order
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    const a0 = load<f32>(a + (<usize>lo << 2)), a1 = load<f32>(a + (<usize>mid << 2)), a2 = load<f32>(a + (<usize>hi << 2));
    const pivot = max(min(a0, a1), min(max(a0, a1), a2)); // one of them, so the round makes progress
    let i = lo; // a[lo..i) > pivot
    for (let j = lo; j <= hi; j++) {
      const pj = a + (<usize>j << 2), pi = a + (<usize>i << 2);
      const x = load<f32>(pj);
      store<f32>(pj, load<f32>(pi));
      store<f32>(pi, x);
      i += <i32>(x > pivot);
    }
    if (want < i) {
      hi = i - 1;
      continue;
    }
    let e = i; // a[i..e) = pivot
    for (let j = i; j <= hi; j++) {
      const pj = a + (<usize>j << 2), pe = a + (<usize>e << 2);
      const x = load<f32>(pj);
      store<f32>(pj, load<f32>(pe));
      store<f32>(pe, x);
      e += <i32>(x == pivot);
    }
    if (want < e) return pivot;
    lo = e;
  }
  return load<f32>(a + (<usize>want << 2));
}
