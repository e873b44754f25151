// Row reductions: the max pass (which also validates) and the exp-and-sum pass.
//
// Loop shape, shared by every SIMD pass: 16 floats (four v128) per iteration. The last 1–15
// floats of a row are staged through TAIL, padded with a neutral value, and run through the same
// loop body once — so there is one body and no scalar remainder to keep bit-identical.
//
// Summation order (every backend follows it; this is what makes the bits reproducible):
//   * a row is cut into blocks of 64 elements; the last block may be shorter;
//   * inside a block, element j adds into f32 slot j mod 8, in increasing j
//     (in SIMD: slots 0–3 are the lanes of acc0, slots 4–7 the lanes of acc1);
//   * a block's sum is, in f64, (a0 + a1) + (a2 + a3) with a_k = f32(slot_k + slot_{k+4});
//   * block sums are added into one f64 total in block order.
// f32 partials keep the inner loop fast; f64 across blocks keeps Σ accurate at 2^20 elements.
// 64, not more: a slot then takes at most 8 values, so even when every add rounds the same way
// (one logit near 1 and many tiny ones, as in a peaked row) Σ errs by < 4.8e-7; at 256 it
// reached 1.9e-6.

import { EXP_CONSTANTS, expLane, expVec } from "./exp";

export const BLOCK: i32 = 64;
export const TAIL: usize = memory.data(64, 16);

/** Copies the last r < 16 floats of a row to TAIL, padded with `fill`, and returns TAIL. */
// @ts-ignore: decorator
@inline
export function stage(src: usize, r: i32, fill: f32): usize {
  if (ASC_FEATURE_SIMD) {
    const f = f32x4.splat(fill);
    v128.store(TAIL, f, 0);
    v128.store(TAIL, f, 16);
    v128.store(TAIL, f, 32);
    v128.store(TAIL, f, 48);
  } else {
    for (let k = 0; k < 16; k++) store<f32>(TAIL + (<usize>k << 2), fill);
  }
  memory.copy(TAIL, src, <usize>r << 2);
  return TAIL;
}

/** Set by rowMax: whether the row held a NaN. */
export let sawNaN: bool = false;

/** Largest element of x[0..n), ignoring NaN (flagged in sawNaN). −Infinity for an empty max. */
export function rowMax(x: usize, n: i32): f32 {
  let m: f32;
  if (ASC_FEATURE_SIMD) {
    const ninf = f32x4.splat(-Infinity);
    let m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
    let nan = i32x4.splat(0);
    let i = 0;
    while (i < n) {
      const r = n - i;
      const src = r < 16 ? stage(x + (<usize>i << 2), r, -Infinity) : x + (<usize>i << 2);
      const v0 = v128.load(src, 0), v1 = v128.load(src, 16);
      const v2 = v128.load(src, 32), v3 = v128.load(src, 48);
      // pmax(acc, v) returns acc when v is NaN, so NaN never reaches the max; it is caught here.
      nan = v128.or(nan, v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)));
      nan = v128.or(nan, v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3)));
      m0 = f32x4.pmax(m0, v0); m1 = f32x4.pmax(m1, v1);
      m2 = f32x4.pmax(m2, v2); m3 = f32x4.pmax(m3, v3);
      i += 16;
    }
    m0 = f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3));
    m = max(max(f32x4.extract_lane(m0, 0), f32x4.extract_lane(m0, 1)),
            max(f32x4.extract_lane(m0, 2), f32x4.extract_lane(m0, 3)));
    sawNaN = v128.any_true(nan);
  } else {
    m = -Infinity;
    let nan = false;
    for (let i = 0; i < n; i++) {
      const v = load<f32>(x + (<usize>i << 2));
      if (!(v <= m)) { // one comparison in the common case; NaN fails it too
        if (v != v) nan = true;
        else m = v;
      }
    }
    sawNaN = nan;
  }
  // +0 and −0 compare equal, so which one wins depends on the order; pin it to +0.
  return m == 0 ? 0 : m;
}

/**
 * y[i] = exp((x[i] − m)·s) when `doStore`, and returns Σ exp((x[i] − m)·s) in the order above.
 * Requires x[i] ≤ m (so every argument is ≤ 0); x may equal y.
 */
// @ts-ignore: decorator
@inline
export function expSum(x: usize, y: usize, n: i32, m: f32, s: f32, doStore: bool): f64 {
  const c = EXP_CONSTANTS;
  let total: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m), vs = f32x4.splat(s);
    const log2e = v128.load32_splat(c, 0), magic = v128.load32_splat(c, 4);
    const hi = v128.load32_splat(c, 8), lo = v128.load32_splat(c, 12);
    const c6 = v128.load32_splat(c, 16), c5 = v128.load32_splat(c, 20);
    const c4 = v128.load32_splat(c, 24), c3 = v128.load32_splat(c, 28);
    const c2 = v128.load32_splat(c, 32), clamp = v128.load32_splat(c, 36);
    while (i < n) {
      const blockEnd = min(i + BLOCK, n);
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
      while (i < blockEnd) {
        const r = blockEnd - i;
        let src = x + (<usize>i << 2), dst = y + (<usize>i << 2);
        if (r < 16) src = dst = stage(src, r, -Infinity);
        // One vector at a time: four in lockstep would need more than V8's 16 xmm registers
        // (12 constants are live) and spill; the CPU overlaps the independent chains anyway.
        let e = expVec(f32x4.mul(f32x4.sub(v128.load(src, 0), vm), vs), log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
        if (doStore) v128.store(dst, e, 0);
        acc0 = f32x4.add(acc0, e);
        e = expVec(f32x4.mul(f32x4.sub(v128.load(src, 16), vm), vs), log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
        if (doStore) v128.store(dst, e, 16);
        acc1 = f32x4.add(acc1, e);
        e = expVec(f32x4.mul(f32x4.sub(v128.load(src, 32), vm), vs), log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
        if (doStore) v128.store(dst, e, 32);
        acc0 = f32x4.add(acc0, e);
        e = expVec(f32x4.mul(f32x4.sub(v128.load(src, 48), vm), vs), log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
        if (doStore) v128.store(dst, e, 48);
        acc1 = f32x4.add(acc1, e);
        if (r < 16) {
          if (doStore) memory.copy(y + (<usize>i << 2), TAIL, <usize>r << 2);
          i = blockEnd;
        } else {
          i += 16;
        }
      }
      const a = f32x4.add(acc0, acc1);
      total += (<f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1))
             + (<f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3));
    }
  } else {
    const log2e = load<f32>(c, 0), magic = load<f32>(c, 4), hi = load<f32>(c, 8), lo = load<f32>(c, 12);
    const c6 = load<f32>(c, 16), c5 = load<f32>(c, 20), c4 = load<f32>(c, 24), c3 = load<f32>(c, 28);
    const c2 = load<f32>(c, 32), clamp = load<f32>(c, 36);
    while (i < n) {
      const blockEnd = min(i + BLOCK, n);
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let s4: f32 = 0, s5: f32 = 0, s6: f32 = 0, s7: f32 = 0;
      while (i < blockEnd) {
        const r = blockEnd - i;
        let src = x + (<usize>i << 2), dst = y + (<usize>i << 2);
        if (r < 16) src = dst = stage(src, r, -Infinity);
        for (let h = 0; h < 2; h++) {
          const e0 = expLane((load<f32>(src, 0) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e0, 0);
          s0 += e0;
          const e1 = expLane((load<f32>(src, 4) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e1, 4);
          s1 += e1;
          const e2 = expLane((load<f32>(src, 8) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e2, 8);
          s2 += e2;
          const e3 = expLane((load<f32>(src, 12) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e3, 12);
          s3 += e3;
          const e4 = expLane((load<f32>(src, 16) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e4, 16);
          s4 += e4;
          const e5 = expLane((load<f32>(src, 20) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e5, 20);
          s5 += e5;
          const e6 = expLane((load<f32>(src, 24) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e6, 24);
          s6 += e6;
          const e7 = expLane((load<f32>(src, 28) - m) * s, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
          if (doStore) store<f32>(dst, e7, 28);
          s7 += e7;
          src += 32; dst += 32;
        }
        if (r < 16) {
          if (doStore) memory.copy(y + (<usize>i << 2), TAIL, <usize>r << 2);
          i = blockEnd;
        } else {
          i += 16;
        }
      }
      const a0: f32 = s0 + s4, a1: f32 = s1 + s5, a2: f32 = s2 + s6, a3: f32 = s3 + s7;
      total += (<f64>a0 + <f64>a1) + (<f64>a2 + <f64>a3);
    }
  }
  return total;
}

/** Number of entries of x[0..n) that are not −Infinity. */
export function countUnmasked(x: usize, n: i32): i32 {
  let k = 0;
  for (let i = 0; i < n; i++) if (load<f32>(x + (<usize>i << 2)) != -Infinity) k++;
  return k;
}

/** Number of entries of x[0..n) equal to v. */
export function countEqual(x: usize, n: i32, v: f32): i32 {
  let k = 0;
  for (let i = 0; i < n; i++) if (load<f32>(x + (<usize>i << 2)) == v) k++;
  return k;
}

/** Σ e[i]·u[i] with u[i] = f32((x[i] − m)·s), in f64, in index order: the entropy term of typical-p. */
export function dotExpArg(x: usize, e: usize, n: i32, m: f32, s: f32): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    const w = load<f32>(e + p);
    if (w != 0) acc += <f64>w * <f64>((load<f32>(x + p) - m) * s);
  }
  return acc;
}

/** The first i whose running Σ e (f64, index order) exceeds target, else the last nonzero e. */
export function walkCdf(e: usize, n: i32, target: f64): i32 {
  let run: f64 = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const w = <f64>load<f32>(e + (<usize>i << 2));
    if (w == 0) continue;
    run += w;
    last = i;
    if (run > target) return i;
  }
  return last;
}
