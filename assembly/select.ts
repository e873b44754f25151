// Selection: which element is the largest, with ties broken to the lowest index.

import { stage } from "./reduce";

/** Lowest i with x[i] == v, or −1. (−0 and +0 are equal here, as everywhere in IEEE.) */
export function firstIndexOf(x: usize, n: i32, v: f32): i32 {
  if (ASC_FEATURE_SIMD) {
    const vv = f32x4.splat(v);
    let i = 0;
    while (i < n) {
      const r = n - i;
      // NaN padding never compares equal, so staged lanes past the row cannot match.
      const src = r < 16 ? stage(x + (<usize>i << 2), r, NaN) : x + (<usize>i << 2);
      const m0 = i32x4.bitmask(f32x4.eq(v128.load(src, 0), vv));
      const m1 = i32x4.bitmask(f32x4.eq(v128.load(src, 16), vv));
      const m2 = i32x4.bitmask(f32x4.eq(v128.load(src, 32), vv));
      const m3 = i32x4.bitmask(f32x4.eq(v128.load(src, 48), vv));
      const mask = m0 | (m1 << 4) | (m2 << 8) | (m3 << 12);
      if (mask != 0) return i + ctz(mask);
      i += 16;
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
