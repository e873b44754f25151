// Masking: the sampler's filters that keep a large share of the vocabulary (top-n-σ, ε, η,
// mirostat v2) remove the rest by setting their logits to −Infinity, so that the kept set stays
// implicit and every later pass keeps running here.

/** w[i] = −Infinity wherever src[i] < bound (src may be w itself, or the row's exps). */
export function maskBelow(w: usize, src: usize, n: i32, bound: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(bound), ninf = f32x4.splat(-Infinity);
    // Four vectors per iteration, loaded before any store: src may alias w.
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      const s0 = v128.load(src + o, 0), s1 = v128.load(src + o, 16), s2 = v128.load(src + o, 32), s3 = v128.load(src + o, 48);
      const w0 = v128.load(w + o, 0), w1 = v128.load(w + o, 16), w2 = v128.load(w + o, 32), w3 = v128.load(w + o, 48);
      v128.store(w + o, v128.bitselect(ninf, w0, f32x4.lt(s0, vb)), 0);
      v128.store(w + o, v128.bitselect(ninf, w1, f32x4.lt(s1, vb)), 16);
      v128.store(w + o, v128.bitselect(ninf, w2, f32x4.lt(s2, vb)), 32);
      v128.store(w + o, v128.bitselect(ninf, w3, f32x4.lt(s3, vb)), 48);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (load<f32>(src + o) < bound) store<f32>(w + o, -Infinity);
  }
}

/** Set by sumFinite: how many x[i] it added (the finite ones), so top-n-σ needs no counting pass. */
export let finiteCount: i32 = 0;

/**
 * Σ x[i] over the finite x[i] (−Infinity skipped), in float64 with four accumulators, slot
 * i mod 4, combined as (s0 + s1) + (s2 + s3): the order src/js/mask.ts repeats bit for bit.
 * Their number goes to finiteCount.
 */
export function sumFinite(x: usize, n: i32): f64 {
  return sums(x, n, 0, false);
}

/** Σ (x[i] − mean)² over the finite x[i], in the same order as sumFinite. */
export function sumSquaredDeviations(x: usize, n: i32, mean: f64): f64 {
  return sums(x, n, mean, true);
}

// @ts-ignore: decorator
@inline
function sums(x: usize, n: i32, mean: f64, square: bool): f64 {
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  let count = 0;
  if (ASC_FEATURE_SIMD) {
    let a = f64x2.splat(0), b = f64x2.splat(0); // slots 0, 1 and 2, 3
    let c = i32x4.splat(0); // finite lanes are −1 in `finite`
    const vm = f64x2.splat(mean), ninf = f32x4.splat(-Infinity);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const finite = v128.not(f32x4.eq(v, ninf));
      const z = v128.and(v, finite); // −Infinity lanes become +0
      let lo = f64x2.promote_low_f32x4(z);
      let hi = f64x2.promote_low_f32x4(i32x4.shuffle(z, z, 2, 3, 0, 1));
      if (square) {
        // A skipped lane must add exactly +0, as the scalar path does not add it at all.
        const keepLo = i64x2.extend_low_i32x4_s(finite), keepHi = i64x2.extend_high_i32x4_s(finite);
        lo = v128.and(f64x2.mul(f64x2.sub(lo, vm), f64x2.sub(lo, vm)), keepLo);
        hi = v128.and(f64x2.mul(f64x2.sub(hi, vm), f64x2.sub(hi, vm)), keepHi);
      }
      a = f64x2.add(a, lo);
      b = f64x2.add(b, hi);
      if (!square) c = i32x4.sub(c, finite);
    }
    if (!square) count = i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3);
    s0 = f64x2.extract_lane(a, 0);
    s1 = f64x2.extract_lane(a, 1);
    s2 = f64x2.extract_lane(b, 0);
    s3 = f64x2.extract_lane(b, 1);
  } else {
    for (; i + 4 <= n; i += 4) {
      s0 += term(x, i, mean, square);
      s1 += term(x, i + 1, mean, square);
      s2 += term(x, i + 2, mean, square);
      s3 += term(x, i + 3, mean, square);
    }
  }
  for (; i < n; i++) {
    const t = term(x, i, mean, square);
    if ((i & 3) == 0) s0 += t;
    else if ((i & 3) == 1) s1 += t;
    else if ((i & 3) == 2) s2 += t;
    else s3 += t;
  }
  if (!square) {
    // The vector loop counted its lanes; the rest (all of the row in the scalar build) here.
    for (let j = ASC_FEATURE_SIMD ? n & ~3 : 0; j < n; j++) if (load<f32>(x + (<usize>j << 2)) != -Infinity) count++;
    finiteCount = count;
  }
  return (s0 + s1) + (s2 + s3);
}

// @ts-ignore: decorator
@inline
function term(x: usize, i: i32, mean: f64, square: bool): f64 {
  const v = load<f32>(x + (<usize>i << 2));
  if (v == -Infinity) return 0;
  const d = <f64>v - mean;
  return square ? d * d : <f64>v;
}

/**
 * w[i] = −Infinity and e[i] = 0 wherever e[i] < bound: a filter by probability that keeps the
 * row's max, after which the exps of the kept tokens are still right and only the sum changes.
 */
export function maskExpsBelow(w: usize, e: usize, n: i32, bound: f32): void {
  maskBelow(w, e, n, bound);
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb = f32x4.splat(bound);
    for (; i + 4 <= n; i += 4) {
      const p = e + (<usize>i << 2);
      const v = v128.load(p);
      v128.store(p, v128.andnot(v, f32x4.lt(v, vb)));
    }
  }
  for (; i < n; i++) {
    const p = e + (<usize>i << 2);
    if (load<f32>(p) < bound) store<f32>(p, 0);
  }
}

/**
 * Σ e[i] in the exp pass's documented order (assembly/reduce.ts): blocks of 64, element j of a
 * block into float32 slot j mod 8, the block's sum (f32(s0 + s4) + f32(s1 + s5)) + (f32(s2 + s6)
 * + f32(s3 + s7)) in float64, the blocks added in float64. Over exps the exp pass wrote, with some
 * set to 0, it returns the bits that pass would return for the row with those tokens masked.
 */
export function sumExps(e: usize, n: i32): f64 {
  let total: f64 = 0;
  for (let b = 0; b < n; b += 64) total += blockSum(e + (<usize>b << 2), min(64, n - b));
  return total;
}

/** One block's sum in the documented order (n ≤ 64): SIMD for a whole block, else scalar. */
export function blockSum(p: usize, n: i32): f64 {
  if (ASC_FEATURE_SIMD && n == 64) {
    let lo = f32x4.splat(0), hi = f32x4.splat(0); // slots 0–3 and 4–7
    for (let q = 0; q < 64; q += 8) {
      lo = f32x4.add(lo, v128.load(p + (<usize>q << 2)));
      hi = f32x4.add(hi, v128.load(p + (<usize>q << 2), 16));
    }
    const t = f32x4.add(lo, hi);
    return (<f64>f32x4.extract_lane(t, 0) + <f64>f32x4.extract_lane(t, 1)) +
      (<f64>f32x4.extract_lane(t, 2) + <f64>f32x4.extract_lane(t, 3));
  }
  let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    switch (j & 7) {
      case 0: a0 += v; break;
      case 1: a1 += v; break;
      case 2: a2 += v; break;
      case 3: a3 += v; break;
      case 4: a4 += v; break;
      case 5: a5 += v; break;
      case 6: a6 += v; break;
      default: a7 += v;
    }
  }
  return (<f64>(a0 + a4) + <f64>(a1 + a5)) + (<f64>(a2 + a6) + <f64>(a3 + a7));
}
