// Selection: which element is the largest, with ties broken to the lowest index.

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
    // The common case (top-k, top-p): no upper bound, one comparison per vector.
    if (hi == Infinity) for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const m0 = i32x4.bitmask(f32x4.ge(v128.load(p, 0), vlo));
      const m1 = i32x4.bitmask(f32x4.ge(v128.load(p, 16), vlo));
      const m2 = i32x4.bitmask(f32x4.ge(v128.load(p, 32), vlo));
      const m3 = i32x4.bitmask(f32x4.ge(v128.load(p, 48), vlo));
      let mask = m0 | (m1 << 4) | (m2 << 8) | (m3 << 12);
      while (mask != 0) {
        if (count < cap) store<i32>(idx + (<usize>count << 2), i + ctz(mask));
        count++;
        mask &= mask - 1;
      }
    }
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const m0 = i32x4.bitmask(v128.and(f32x4.ge(v128.load(p, 0), vlo), f32x4.le(v128.load(p, 0), vhi)));
      const m1 = i32x4.bitmask(v128.and(f32x4.ge(v128.load(p, 16), vlo), f32x4.le(v128.load(p, 16), vhi)));
      const m2 = i32x4.bitmask(v128.and(f32x4.ge(v128.load(p, 32), vlo), f32x4.le(v128.load(p, 32), vhi)));
      const m3 = i32x4.bitmask(v128.and(f32x4.ge(v128.load(p, 48), vlo), f32x4.le(v128.load(p, 48), vhi)));
      let mask = m0 | (m1 << 4) | (m2 << 8) | (m3 << 12);
      while (mask != 0) {
        if (count < cap) store<i32>(idx + (<usize>count << 2), i + ctz(mask));
        count++;
        mask &= mask - 1;
      }
    }
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v >= lo && v <= hi) {
      if (count < cap) store<i32>(idx + (<usize>count << 2), i);
      count++;
    }
  }
  return count;
}
