// Selection: which element is the largest (ties to the lowest index), the first invalid logit, and
// the sampler's candidate filter. Its TypeScript twin is src/js/select.ts.

import { stage } from "./reduce";

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
    if (hi == Infinity) {
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
    if (count < cap) store<i32>(idx + (<usize>count << 2), i + ctz(mask));
    count++;
    mask &= mask - 1;
  }
  return count;
}
