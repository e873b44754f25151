// Row reductions: the max pass (which also validates) and the exp-and-sum pass.
// Its TypeScript twin is src/js/reduce.ts.
//
// Loop shape, shared by the SIMD passes (XNNPACK microkernel discipline): one flat loop whose body
// handles a whole stride (64 floats for the exp pass, 16 for the cheap passes), no branch inside
// it but the back edge, and the remainder handled once after the loop by staging the last floats
// of the row through SCRATCH, padded with a neutral value, and running the same body on it. The
// remainder then needs no code of its own to keep bit-identical.
//
// Why flat and one stride per iteration: V8 allocates registers per loop, and a tail check or a
// nested block loop inside the hot loop keeps extra values live across back edges, which it
// spills (207 instructions and 43 stack accesses per 16 floats before this shape; see the
// README's design notes and bench/hot-loops.mjs).
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
// reached 1.9e-6. The exp pass's stride is exactly one summation block, so the block sum closes
// inside the loop body with no counter of its own.

import { EXP_CONSTANTS, expLane } from "./exp";
import { BLOCK_SUMS, blockSum, blockSums4, lanesSum } from "./mask";

export const BLOCK: i32 = 64;

/**
 * 64 floats of static scratch below heap_base, owned by the kernels (no pointer argument, so the
 * wrapper's memory layout does not change): the staged remainder of a row, and the exps of one
 * block in passes that only need their sum. Storing those exps here instead of keeping them in
 * registers is faster: with no store to order against, V8 hoists all 16 loads of a block to its
 * top and spills them (logSumExp measured 1.31 ns/element that way, 1.08 with the stores).
 */
export const SCRATCH: usize = memory.data(BLOCK << 2, 16);

/** Copies the last r < 64 floats of a row to SCRATCH, padded with `fill`, and returns SCRATCH. */
export function stage(src: usize, r: i32, fill: f32): usize {
  if (ASC_FEATURE_SIMD) {
    const f = f32x4.splat(fill);
    for (let k: usize = 0; k < <usize>(BLOCK << 2); k += 16) v128.store(SCRATCH + k, f);
  } else {
    for (let k = 0; k < BLOCK; k++) store<f32>(SCRATCH + (<usize>k << 2), fill);
  }
  memory.copy(SCRATCH, src, <usize>r << 2);
  return SCRATCH;
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
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const v0 = v128.load(p, 0), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      // pmax(acc, v) returns acc when v is NaN, so NaN never reaches the max; it is caught here.
      nan = v128.or(nan, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
      m0 = f32x4.pmax(m0, v0); m1 = f32x4.pmax(m1, v1); m2 = f32x4.pmax(m2, v2); m3 = f32x4.pmax(m3, v3);
    }
    if (i < n) { // the same body once more on the remainder; −Infinity padding cannot win a max
      const p = stage(x + (<usize>i << 2), n - i, -Infinity);
      const v0 = v128.load(p, 0), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      nan = v128.or(nan, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
      m0 = f32x4.pmax(m0, v0); m1 = f32x4.pmax(m1, v1); m2 = f32x4.pmax(m2, v2); m3 = f32x4.pmax(m3, v3);
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
 * One summation block of the exp pass: the exps of the 64 floats at src, stored at dst (which may
 * equal src), and their sum in the documented order. Four vectors at a time, each step of expVec
 * (exp.ts) issued for all four before the next: the CPU then overlaps four dependent chains of
 * ~22 operations instead of waiting on one, which V8 does not arrange by itself (and in place it
 * cannot hoist a load above an earlier store that may alias it). Written out flat, not as a loop
 * over the four groups, because a nested loop spills at every back edge.
 */
// @ts-ignore: decorator
@inline
function expBlock(
  src: usize, dst: usize, vm: v128, vs: v128, log2e: v128, magic: v128, hi: v128, lo: v128,
  c6: v128, c5: v128, c4: v128, c3: v128, c2: v128, clamp: v128,
): f64 {
  // Slot j mod 8: even vectors are slots 0–3 (acc0), odd ones slots 4–7 (acc1). They start from the
  // block's first two exps instead of +0 + e, the same value for every e ≥ 0.
  let acc0: v128, acc1: v128;
  { // floats 0–15
    let u0 = f32x4.mul(f32x4.sub(v128.load(src, 0), vm), vs);
    let u1 = f32x4.mul(f32x4.sub(v128.load(src, 16), vm), vs);
    let u2 = f32x4.mul(f32x4.sub(v128.load(src, 32), vm), vs);
    let u3 = f32x4.mul(f32x4.sub(v128.load(src, 48), vm), vs);
    u0 = f32x4.pmax(u0, clamp); u1 = f32x4.pmax(u1, clamp); u2 = f32x4.pmax(u2, clamp); u3 = f32x4.pmax(u3, clamp);
    let n0 = f32x4.add(f32x4.mul(u0, log2e), magic), n1 = f32x4.add(f32x4.mul(u1, log2e), magic);
    let n2 = f32x4.add(f32x4.mul(u2, log2e), magic), n3 = f32x4.add(f32x4.mul(u3, log2e), magic);
    const s0 = i32x4.shl(n0, 23), s1 = i32x4.shl(n1, 23), s2 = i32x4.shl(n2, 23), s3 = i32x4.shl(n3, 23);
    n0 = f32x4.sub(n0, magic); n1 = f32x4.sub(n1, magic); n2 = f32x4.sub(n2, magic); n3 = f32x4.sub(n3, magic);
    let t0 = f32x4.add(f32x4.mul(n0, hi), u0), t1 = f32x4.add(f32x4.mul(n1, hi), u1);
    let t2 = f32x4.add(f32x4.mul(n2, hi), u2), t3 = f32x4.add(f32x4.mul(n3, hi), u3);
    t0 = f32x4.add(f32x4.mul(n0, lo), t0); t1 = f32x4.add(f32x4.mul(n1, lo), t1);
    t2 = f32x4.add(f32x4.mul(n2, lo), t2); t3 = f32x4.add(f32x4.mul(n3, lo), t3);
    let q0 = f32x4.add(f32x4.mul(c6, t0), c5), q1 = f32x4.add(f32x4.mul(c6, t1), c5);
    let q2 = f32x4.add(f32x4.mul(c6, t2), c5), q3 = f32x4.add(f32x4.mul(c6, t3), c5);
    q0 = f32x4.add(f32x4.mul(q0, t0), c4); q1 = f32x4.add(f32x4.mul(q1, t1), c4);
    q2 = f32x4.add(f32x4.mul(q2, t2), c4); q3 = f32x4.add(f32x4.mul(q3, t3), c4);
    q0 = f32x4.add(f32x4.mul(q0, t0), c3); q1 = f32x4.add(f32x4.mul(q1, t1), c3);
    q2 = f32x4.add(f32x4.mul(q2, t2), c3); q3 = f32x4.add(f32x4.mul(q3, t3), c3);
    q0 = f32x4.add(f32x4.mul(q0, t0), c2); q1 = f32x4.add(f32x4.mul(q1, t1), c2);
    q2 = f32x4.add(f32x4.mul(q2, t2), c2); q3 = f32x4.add(f32x4.mul(q3, t3), c2);
    q0 = f32x4.add(f32x4.mul(f32x4.mul(t0, t0), q0), t0); q1 = f32x4.add(f32x4.mul(f32x4.mul(t1, t1), q1), t1);
    q2 = f32x4.add(f32x4.mul(f32x4.mul(t2, t2), q2), t2); q3 = f32x4.add(f32x4.mul(f32x4.mul(t3, t3), q3), t3);
    const e0 = f32x4.add(f32x4.mul(q0, s0), s0), e1 = f32x4.add(f32x4.mul(q1, s1), s1);
    const e2 = f32x4.add(f32x4.mul(q2, s2), s2), e3 = f32x4.add(f32x4.mul(q3, s3), s3);
    v128.store(dst, e0, 0); v128.store(dst, e1, 16); v128.store(dst, e2, 32); v128.store(dst, e3, 48);
    acc0 = f32x4.add(e0, e2); acc1 = f32x4.add(e1, e3);
  }
  { // floats 16–31
    let u0 = f32x4.mul(f32x4.sub(v128.load(src, 64), vm), vs);
    let u1 = f32x4.mul(f32x4.sub(v128.load(src, 80), vm), vs);
    let u2 = f32x4.mul(f32x4.sub(v128.load(src, 96), vm), vs);
    let u3 = f32x4.mul(f32x4.sub(v128.load(src, 112), vm), vs);
    u0 = f32x4.pmax(u0, clamp); u1 = f32x4.pmax(u1, clamp); u2 = f32x4.pmax(u2, clamp); u3 = f32x4.pmax(u3, clamp);
    let n0 = f32x4.add(f32x4.mul(u0, log2e), magic), n1 = f32x4.add(f32x4.mul(u1, log2e), magic);
    let n2 = f32x4.add(f32x4.mul(u2, log2e), magic), n3 = f32x4.add(f32x4.mul(u3, log2e), magic);
    const s0 = i32x4.shl(n0, 23), s1 = i32x4.shl(n1, 23), s2 = i32x4.shl(n2, 23), s3 = i32x4.shl(n3, 23);
    n0 = f32x4.sub(n0, magic); n1 = f32x4.sub(n1, magic); n2 = f32x4.sub(n2, magic); n3 = f32x4.sub(n3, magic);
    let t0 = f32x4.add(f32x4.mul(n0, hi), u0), t1 = f32x4.add(f32x4.mul(n1, hi), u1);
    let t2 = f32x4.add(f32x4.mul(n2, hi), u2), t3 = f32x4.add(f32x4.mul(n3, hi), u3);
    t0 = f32x4.add(f32x4.mul(n0, lo), t0); t1 = f32x4.add(f32x4.mul(n1, lo), t1);
    t2 = f32x4.add(f32x4.mul(n2, lo), t2); t3 = f32x4.add(f32x4.mul(n3, lo), t3);
    let q0 = f32x4.add(f32x4.mul(c6, t0), c5), q1 = f32x4.add(f32x4.mul(c6, t1), c5);
    let q2 = f32x4.add(f32x4.mul(c6, t2), c5), q3 = f32x4.add(f32x4.mul(c6, t3), c5);
    q0 = f32x4.add(f32x4.mul(q0, t0), c4); q1 = f32x4.add(f32x4.mul(q1, t1), c4);
    q2 = f32x4.add(f32x4.mul(q2, t2), c4); q3 = f32x4.add(f32x4.mul(q3, t3), c4);
    q0 = f32x4.add(f32x4.mul(q0, t0), c3); q1 = f32x4.add(f32x4.mul(q1, t1), c3);
    q2 = f32x4.add(f32x4.mul(q2, t2), c3); q3 = f32x4.add(f32x4.mul(q3, t3), c3);
    q0 = f32x4.add(f32x4.mul(q0, t0), c2); q1 = f32x4.add(f32x4.mul(q1, t1), c2);
    q2 = f32x4.add(f32x4.mul(q2, t2), c2); q3 = f32x4.add(f32x4.mul(q3, t3), c2);
    q0 = f32x4.add(f32x4.mul(f32x4.mul(t0, t0), q0), t0); q1 = f32x4.add(f32x4.mul(f32x4.mul(t1, t1), q1), t1);
    q2 = f32x4.add(f32x4.mul(f32x4.mul(t2, t2), q2), t2); q3 = f32x4.add(f32x4.mul(f32x4.mul(t3, t3), q3), t3);
    const e0 = f32x4.add(f32x4.mul(q0, s0), s0), e1 = f32x4.add(f32x4.mul(q1, s1), s1);
    const e2 = f32x4.add(f32x4.mul(q2, s2), s2), e3 = f32x4.add(f32x4.mul(q3, s3), s3);
    v128.store(dst, e0, 64); v128.store(dst, e1, 80); v128.store(dst, e2, 96); v128.store(dst, e3, 112);
    acc0 = f32x4.add(f32x4.add(acc0, e0), e2); acc1 = f32x4.add(f32x4.add(acc1, e1), e3);
  }
  { // floats 32–47
    let u0 = f32x4.mul(f32x4.sub(v128.load(src, 128), vm), vs);
    let u1 = f32x4.mul(f32x4.sub(v128.load(src, 144), vm), vs);
    let u2 = f32x4.mul(f32x4.sub(v128.load(src, 160), vm), vs);
    let u3 = f32x4.mul(f32x4.sub(v128.load(src, 176), vm), vs);
    u0 = f32x4.pmax(u0, clamp); u1 = f32x4.pmax(u1, clamp); u2 = f32x4.pmax(u2, clamp); u3 = f32x4.pmax(u3, clamp);
    let n0 = f32x4.add(f32x4.mul(u0, log2e), magic), n1 = f32x4.add(f32x4.mul(u1, log2e), magic);
    let n2 = f32x4.add(f32x4.mul(u2, log2e), magic), n3 = f32x4.add(f32x4.mul(u3, log2e), magic);
    const s0 = i32x4.shl(n0, 23), s1 = i32x4.shl(n1, 23), s2 = i32x4.shl(n2, 23), s3 = i32x4.shl(n3, 23);
    n0 = f32x4.sub(n0, magic); n1 = f32x4.sub(n1, magic); n2 = f32x4.sub(n2, magic); n3 = f32x4.sub(n3, magic);
    let t0 = f32x4.add(f32x4.mul(n0, hi), u0), t1 = f32x4.add(f32x4.mul(n1, hi), u1);
    let t2 = f32x4.add(f32x4.mul(n2, hi), u2), t3 = f32x4.add(f32x4.mul(n3, hi), u3);
    t0 = f32x4.add(f32x4.mul(n0, lo), t0); t1 = f32x4.add(f32x4.mul(n1, lo), t1);
    t2 = f32x4.add(f32x4.mul(n2, lo), t2); t3 = f32x4.add(f32x4.mul(n3, lo), t3);
    let q0 = f32x4.add(f32x4.mul(c6, t0), c5), q1 = f32x4.add(f32x4.mul(c6, t1), c5);
    let q2 = f32x4.add(f32x4.mul(c6, t2), c5), q3 = f32x4.add(f32x4.mul(c6, t3), c5);
    q0 = f32x4.add(f32x4.mul(q0, t0), c4); q1 = f32x4.add(f32x4.mul(q1, t1), c4);
    q2 = f32x4.add(f32x4.mul(q2, t2), c4); q3 = f32x4.add(f32x4.mul(q3, t3), c4);
    q0 = f32x4.add(f32x4.mul(q0, t0), c3); q1 = f32x4.add(f32x4.mul(q1, t1), c3);
    q2 = f32x4.add(f32x4.mul(q2, t2), c3); q3 = f32x4.add(f32x4.mul(q3, t3), c3);
    q0 = f32x4.add(f32x4.mul(q0, t0), c2); q1 = f32x4.add(f32x4.mul(q1, t1), c2);
    q2 = f32x4.add(f32x4.mul(q2, t2), c2); q3 = f32x4.add(f32x4.mul(q3, t3), c2);
    q0 = f32x4.add(f32x4.mul(f32x4.mul(t0, t0), q0), t0); q1 = f32x4.add(f32x4.mul(f32x4.mul(t1, t1), q1), t1);
    q2 = f32x4.add(f32x4.mul(f32x4.mul(t2, t2), q2), t2); q3 = f32x4.add(f32x4.mul(f32x4.mul(t3, t3), q3), t3);
    const e0 = f32x4.add(f32x4.mul(q0, s0), s0), e1 = f32x4.add(f32x4.mul(q1, s1), s1);
    const e2 = f32x4.add(f32x4.mul(q2, s2), s2), e3 = f32x4.add(f32x4.mul(q3, s3), s3);
    v128.store(dst, e0, 128); v128.store(dst, e1, 144); v128.store(dst, e2, 160); v128.store(dst, e3, 176);
    acc0 = f32x4.add(f32x4.add(acc0, e0), e2); acc1 = f32x4.add(f32x4.add(acc1, e1), e3);
  }
  { // floats 48–63
    let u0 = f32x4.mul(f32x4.sub(v128.load(src, 192), vm), vs);
    let u1 = f32x4.mul(f32x4.sub(v128.load(src, 208), vm), vs);
    let u2 = f32x4.mul(f32x4.sub(v128.load(src, 224), vm), vs);
    let u3 = f32x4.mul(f32x4.sub(v128.load(src, 240), vm), vs);
    u0 = f32x4.pmax(u0, clamp); u1 = f32x4.pmax(u1, clamp); u2 = f32x4.pmax(u2, clamp); u3 = f32x4.pmax(u3, clamp);
    let n0 = f32x4.add(f32x4.mul(u0, log2e), magic), n1 = f32x4.add(f32x4.mul(u1, log2e), magic);
    let n2 = f32x4.add(f32x4.mul(u2, log2e), magic), n3 = f32x4.add(f32x4.mul(u3, log2e), magic);
    const s0 = i32x4.shl(n0, 23), s1 = i32x4.shl(n1, 23), s2 = i32x4.shl(n2, 23), s3 = i32x4.shl(n3, 23);
    n0 = f32x4.sub(n0, magic); n1 = f32x4.sub(n1, magic); n2 = f32x4.sub(n2, magic); n3 = f32x4.sub(n3, magic);
    let t0 = f32x4.add(f32x4.mul(n0, hi), u0), t1 = f32x4.add(f32x4.mul(n1, hi), u1);
    let t2 = f32x4.add(f32x4.mul(n2, hi), u2), t3 = f32x4.add(f32x4.mul(n3, hi), u3);
    t0 = f32x4.add(f32x4.mul(n0, lo), t0); t1 = f32x4.add(f32x4.mul(n1, lo), t1);
    t2 = f32x4.add(f32x4.mul(n2, lo), t2); t3 = f32x4.add(f32x4.mul(n3, lo), t3);
    let q0 = f32x4.add(f32x4.mul(c6, t0), c5), q1 = f32x4.add(f32x4.mul(c6, t1), c5);
    let q2 = f32x4.add(f32x4.mul(c6, t2), c5), q3 = f32x4.add(f32x4.mul(c6, t3), c5);
    q0 = f32x4.add(f32x4.mul(q0, t0), c4); q1 = f32x4.add(f32x4.mul(q1, t1), c4);
    q2 = f32x4.add(f32x4.mul(q2, t2), c4); q3 = f32x4.add(f32x4.mul(q3, t3), c4);
    q0 = f32x4.add(f32x4.mul(q0, t0), c3); q1 = f32x4.add(f32x4.mul(q1, t1), c3);
    q2 = f32x4.add(f32x4.mul(q2, t2), c3); q3 = f32x4.add(f32x4.mul(q3, t3), c3);
    q0 = f32x4.add(f32x4.mul(q0, t0), c2); q1 = f32x4.add(f32x4.mul(q1, t1), c2);
    q2 = f32x4.add(f32x4.mul(q2, t2), c2); q3 = f32x4.add(f32x4.mul(q3, t3), c2);
    q0 = f32x4.add(f32x4.mul(f32x4.mul(t0, t0), q0), t0); q1 = f32x4.add(f32x4.mul(f32x4.mul(t1, t1), q1), t1);
    q2 = f32x4.add(f32x4.mul(f32x4.mul(t2, t2), q2), t2); q3 = f32x4.add(f32x4.mul(f32x4.mul(t3, t3), q3), t3);
    const e0 = f32x4.add(f32x4.mul(q0, s0), s0), e1 = f32x4.add(f32x4.mul(q1, s1), s1);
    const e2 = f32x4.add(f32x4.mul(q2, s2), s2), e3 = f32x4.add(f32x4.mul(q3, s3), s3);
    v128.store(dst, e0, 192); v128.store(dst, e1, 208); v128.store(dst, e2, 224); v128.store(dst, e3, 240);
    acc0 = f32x4.add(f32x4.add(acc0, e0), e2); acc1 = f32x4.add(f32x4.add(acc1, e1), e3);
  }
  const a = f32x4.add(acc0, acc1);
  return (<f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1))
       + (<f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3));
}

/**
 * y[i] = exp((x[i] − m)·s) when `doStore`, and returns Σ exp((x[i] − m)·s) in the order above,
 * added to `total` (a running sum of earlier blocks of the row, or 0). Requires x[i] ≤ m (so
 * every argument is ≤ 0); x may equal y. Without `doStore`, y is unused and the exps go to
 * SCRATCH. Not inlined: one copy of the 64-float body (and one for the remainder) serves every
 * caller, which keeps the module small; a call costs nothing next to a row.
 */
export function expSum(x: usize, y: usize, n: i32, m: f32, s: f32, doStore: bool, total: f64 = 0): f64 {
  const c = EXP_CONSTANTS;
  if (ASC_FEATURE_SIMD) {
    // Hoisted into locals once per call: a v128.load32_splat at each use was measured 1.6× slower
    // (issue #11).
    const vm = f32x4.splat(m), vs = f32x4.splat(s);
    const log2e = v128.load32_splat(c, 0), magic = v128.load32_splat(c, 4);
    const hi = v128.load32_splat(c, 8), lo = v128.load32_splat(c, 12);
    const c6 = v128.load32_splat(c, 16), c5 = v128.load32_splat(c, 20);
    const c4 = v128.load32_splat(c, 24), c3 = v128.load32_splat(c, 28);
    const c2 = v128.load32_splat(c, 32), clamp = v128.load32_splat(c, 36);
    const full = n & ~(BLOCK - 1);
    let i = 0;
    for (; i < full; i += BLOCK) {
      const off = <usize>i << 2;
      total += expBlock(x + off, doStore ? y + off : SCRATCH, vm, vs, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
    }
    if (i < n) {
      // The last block, shorter than 64: −Infinity padding has exp +0, which leaves every slot as it is.
      const r = n - i;
      const t = stage(x + (<usize>i << 2), r, -Infinity);
      total += expBlock(t, t, vm, vs, log2e, magic, hi, lo, c6, c5, c4, c3, c2, clamp);
      if (doStore) memory.copy(y + (<usize>i << 2), t, <usize>r << 2);
    }
  } else {
    const log2e = load<f32>(c, 0), magic = load<f32>(c, 4), hi = load<f32>(c, 8), lo = load<f32>(c, 12);
    const c6 = load<f32>(c, 16), c5 = load<f32>(c, 20), c4 = load<f32>(c, 24), c3 = load<f32>(c, 28);
    const c2 = load<f32>(c, 32), clamp = load<f32>(c, 36);
    let i = 0;
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
          if (doStore) memory.copy(y + (<usize>i << 2), SCRATCH, <usize>r << 2);
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

/**
 * expSum(x, y, n, m, s, true) for a row that a filter left mostly −Infinity (top-n-σ, a large
 * top-k by mask), with the same bits: a block of 64 that is all −Infinity has exps of +0 and adds
 * +0 to the total, so it is filled with zeros instead of computed, and the blocks between such
 * runs go through expSum with the running total. One test per block: on a dense row it costs a
 * few percent, so the sampler asks for it only after masking.
 */
export function expSumSparse(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
  if (!ASC_FEATURE_SIMD) return expSum(x, y, n, m, s, true);
  const full = n & ~(BLOCK - 1);
  const zero = f32x4.splat(0);
  let total: f64 = 0;
  let run = 0; // where the blocks not yet computed start
  for (let b = 0; b < full; b += BLOCK) {
    const p = x + (<usize>b << 2);
    if (!allMasked64(p)) continue;
    if (b > run) total = expSum(x + (<usize>run << 2), y + (<usize>run << 2), b - run, m, s, true, total);
    const q = y + (<usize>b << 2);
    for (let o: usize = 0; o < 256; o += 64) {
      v128.store(q + o, zero, 0); v128.store(q + o, zero, 16); v128.store(q + o, zero, 32); v128.store(q + o, zero, 48);
    }
    run = b + BLOCK;
  }
  if (n > run) total = expSum(x + (<usize>run << 2), y + (<usize>run << 2), n - run, m, s, true, total);
  return total;
}

/** Whether the 64 floats at p are all −Infinity. */
// @ts-ignore: decorator
@inline
function allMasked64(p: usize): bool {
  const ninf = f32x4.splat(-Infinity);
  let all = i32x4.splat(-1);
  for (let o: usize = 0; o < 256; o += 64) {
    all = v128.and(all, v128.and(
      v128.and(f32x4.eq(v128.load(p + o, 0), ninf), f32x4.eq(v128.load(p + o, 16), ninf)),
      v128.and(f32x4.eq(v128.load(p + o, 32), ninf), f32x4.eq(v128.load(p + o, 48), ninf)),
    ));
  }
  return i32x4.bitmask(all) == 15;
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

/**
 * Σ e[i]·u[i] with u[i] = max(f32((x[i] − m)·s), −88): the entropy term of typical-p, η and
 * dynamic temperature, in the exp pass's summation order (blocks of 64, element j of a block into
 * float32 slot j mod 8, the block's sum in float64 as the header says, blocks added in float64):
 * the precision of the Z it is divided by, which a float64 dot product (what this was) only
 * pretended to beat, at three times the cost. The clamp is the exp's own: e = 0 exactly where
 * u ≤ −88, so a masked token adds ±0 (never 0·−∞), and where e > 0 the clamp changes nothing.
 * Every term is ≤ 0, so the sums cannot cancel.
 */
export function dotExpArg(x: usize, e: usize, n: i32, m: f32, s: f32): f64 {
  let total: f64 = 0;
  let b = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m), vs = f32x4.splat(s), clamp = v128.load32_splat(EXP_CONSTANTS, 36);
    for (; b + BLOCK <= n; b += BLOCK) {
      const px = x + (<usize>b << 2), pe = e + (<usize>b << 2);
      let lo = f32x4.splat(0), hi = lo; // slots 0–3 and 4–7
      for (let q: usize = 0; q < 256; q += 32) {
        const u0 = f32x4.pmax(f32x4.mul(f32x4.sub(v128.load(px + q, 0), vm), vs), clamp);
        const u1 = f32x4.pmax(f32x4.mul(f32x4.sub(v128.load(px + q, 16), vm), vs), clamp);
        lo = f32x4.add(lo, f32x4.mul(v128.load(pe + q, 0), u0));
        hi = f32x4.add(hi, f32x4.mul(v128.load(pe + q, 16), u1));
      }
      total += lanesSum(f32x4.add(lo, hi));
    }
  }
  // The last block, shorter than 64 (every block in the scalar build): its terms staged in
  // SCRATCH, summed by blockSum in the same slot order.
  const clamp = load<f32>(EXP_CONSTANTS, 36);
  for (; b < n; b += BLOCK) {
    const len = min(BLOCK, n - b);
    for (let j = 0; j < len; j++) {
      const p = <usize>(b + j) << 2;
      store<f32>(SCRATCH + (<usize>j << 2), load<f32>(e + p) * max((load<f32>(x + p) - m) * s, clamp));
    }
    total += blockSum(SCRATCH, len);
  }
  return total;
}

/**
 * The draw's inverse CDF over e (zeros are not tokens). The running sum goes block by block, in
 * the exp pass's own order: C_k = C_(k−1) + (block k's sum, as sumExps adds it), so that the last
 * C is that pass's total Z and any target below Z is crossed. Inside the first block whose C_k
 * exceeds the target, the running sum continues element by element from C_(k−1) in float64; the
 * first element that takes it past the target is drawn, or, should rounding leave it short, the
 * block's last nonzero element. One vector pass per block instead of a float64 add per element.
 */
export function walkCdf(e: usize, n: i32, target: f64): i32 {
  let run: f64 = 0;
  for (let b = 0; b < n; ) {
    // The next four blocks' sums at a time where four whole blocks are left (blockSums4: the
    // same bits as blockSum), else the next block's; then crossed in order.
    let count = 1;
    if (ASC_FEATURE_SIMD && b + 256 <= n) {
      blockSums4(e + (<usize>b << 2));
      count = 4;
    } else {
      store<f64>(BLOCK_SUMS, blockSum(e + (<usize>b << 2), min(BLOCK, n - b)));
    }
    for (let j = 0; j < count; j++, b += BLOCK) {
      const next = run + load<f64>(BLOCK_SUMS + (<usize>j << 3));
      if (next > target) {
        const at = walkBlock(e, b, min(BLOCK, n - b), run, target);
        if (at >= 0) return at;
      }
      run = next;
    }
  }
  for (let i = n - 1; i >= 0; i--) if (load<f32>(e + (<usize>i << 2)) != 0) return i;
  return -1;
}

/**
 * Inside the block e[b..b+len) that the running sum crosses: from run, element by element in
 * float64, the first nonzero element that takes it past target, else the block's last nonzero
 * element, else −1 (an all-zero block).
 */
function walkBlock(e: usize, b: i32, len: i32, run: f64, target: f64): i32 {
  let last = -1;
  for (let j = 0; j < len; j++) {
    const w = <f64>load<f32>(e + (<usize>(b + j) << 2));
    if (w == 0) continue;
    run += w;
    last = b + j;
    if (run > target) return last;
  }
  return last;
}
