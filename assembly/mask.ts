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

/** Set by moments: how many x[i] it added (the finite ones), so top-n-σ needs no counting pass. */
export let finiteCount: i32 = 0;

/** Set by moments: Σ d² over the same terms. */
export let momentSquares: f64 = 0;

/**
 * Σ d and (into momentSquares) Σ d² over the finite x[i] (−Infinity skipped), d = x[i] − shift in
 * float64: top-n-σ's mean and variance in one pass, shifted by the row's max so that the squares
 * do not cancel. Eight float64 slots per sum, slot i mod 8, each in increasing i (SLOTS[0..8)
 * for d, SLOTS[8..16) for d²), each sum's slots combined by combine8: the order src/js/mask.ts
 * repeats bit for bit. Their number goes to finiteCount.
 */
export function moments(x: usize, n: i32, shift: f32): f64 {
  let i = 0;
  let count = 0;
  const k = <f64>shift;
  if (ASC_FEATURE_SIMD) {
    // s01 holds slots 0 and 1 of Σd, q01 of Σd², and so on: 16 floats per iteration, the first
    // and third vectors into slots 0–3, the second and fourth into slots 4–7.
    const zero = f64x2.splat(0);
    let s01 = zero, s23 = zero, s45 = zero, s67 = zero, q01 = zero, q23 = zero, q45 = zero, q67 = zero;
    let masked = i32x4.splat(0); // −1 per −Infinity lane
    const vk = f64x2.splat(k), vk32 = f32x4.splat(shift), ninf = f32x4.splat(-Infinity);
    for (; i + 16 <= n; i += 16) {
      const p = x + (<usize>i << 2);
      const v0 = v128.load(p, 0), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      const m0 = f32x4.eq(v0, ninf), m1 = f32x4.eq(v1, ninf), m2 = f32x4.eq(v2, ninf), m3 = f32x4.eq(v3, ninf);
      masked = i32x4.add(masked, i32x4.add(i32x4.add(m0, m1), i32x4.add(m2, m3)));
      // A −Infinity lane becomes the shift itself: its d is +0, and +0 changes no slot (a slot is
      // never −0: it starts at +0 and a d of exactly 0 is +0).
      const w0 = v128.bitselect(vk32, v0, m0), w1 = v128.bitselect(vk32, v1, m1);
      const w2 = v128.bitselect(vk32, v2, m2), w3 = v128.bitselect(vk32, v3, m3);
      let d = deviation2(w0, false, vk); s01 = f64x2.add(s01, d); q01 = f64x2.add(q01, f64x2.mul(d, d));
      d = deviation2(w0, true, vk); s23 = f64x2.add(s23, d); q23 = f64x2.add(q23, f64x2.mul(d, d));
      d = deviation2(w1, false, vk); s45 = f64x2.add(s45, d); q45 = f64x2.add(q45, f64x2.mul(d, d));
      d = deviation2(w1, true, vk); s67 = f64x2.add(s67, d); q67 = f64x2.add(q67, f64x2.mul(d, d));
      d = deviation2(w2, false, vk); s01 = f64x2.add(s01, d); q01 = f64x2.add(q01, f64x2.mul(d, d));
      d = deviation2(w2, true, vk); s23 = f64x2.add(s23, d); q23 = f64x2.add(q23, f64x2.mul(d, d));
      d = deviation2(w3, false, vk); s45 = f64x2.add(s45, d); q45 = f64x2.add(q45, f64x2.mul(d, d));
      d = deviation2(w3, true, vk); s67 = f64x2.add(s67, d); q67 = f64x2.add(q67, f64x2.mul(d, d));
    }
    count = i + (i32x4.extract_lane(masked, 0) + i32x4.extract_lane(masked, 1) + i32x4.extract_lane(masked, 2) + i32x4.extract_lane(masked, 3));
    v128.store(SLOTS, s01, 0); v128.store(SLOTS, s23, 16); v128.store(SLOTS, s45, 32); v128.store(SLOTS, s67, 48);
    v128.store(SLOTS, q01, 64); v128.store(SLOTS, q23, 80); v128.store(SLOTS, q45, 96); v128.store(SLOTS, q67, 112);
  } else {
    memory.fill(SLOTS, 0, 16 << 3);
  }
  // The last n mod 16 (all of the row in the scalar build), each into its slot in the same order.
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v == -Infinity) continue;
    count++;
    const d = <f64>v - k;
    const p = SLOTS + (<usize>(i & 7) << 3);
    store<f64>(p, load<f64>(p) + d);
    store<f64>(p, load<f64>(p, 64) + d * d, 64);
  }
  finiteCount = count;
  momentSquares = combine8(SLOTS + 64);
  return combine8(SLOTS);
}

/** Two lanes of moments' deviations: the low (or high) half of w promoted to float64, minus k. */
// @ts-ignore: decorator
@inline
function deviation2(w: v128, high: bool, k: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(high ? i32x4.shuffle(w, w, 2, 3, 0, 1) : w), k);
}

/** Eight float64 slots at p added in a fixed pairwise tree: ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)). */
export function combine8(p: usize): f64 {
  return ((load<f64>(p, 0) + load<f64>(p, 8)) + (load<f64>(p, 16) + load<f64>(p, 24)))
    + ((load<f64>(p, 32) + load<f64>(p, 40)) + (load<f64>(p, 48) + load<f64>(p, 56)));
}

/** moments' float64 slots, eight for Σd and eight for Σd² (static, below heap_base: kernels own it). */
export const SLOTS: usize = memory.data(16 << 3, 16);

/**
 * w[i] = −Infinity and e[i] = 0 wherever e[i] < bound: a filter by probability that keeps the
 * row's max, after which the exps of the kept tokens are still right and only the sum changes.
 */
export function maskExpsBelow(w: usize, e: usize, n: i32, bound: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    // One pass over both rows, 16 floats per iteration, each vector's mask used for both stores
    // (two passes, one per row, cost twice the memory traffic).
    const vb = f32x4.splat(bound), ninf = f32x4.splat(-Infinity);
    for (; i + 16 <= n; i += 16) {
      const o = <usize>i << 2;
      const e0 = v128.load(e + o, 0), e1 = v128.load(e + o, 16), e2 = v128.load(e + o, 32), e3 = v128.load(e + o, 48);
      const m0 = f32x4.lt(e0, vb), m1 = f32x4.lt(e1, vb), m2 = f32x4.lt(e2, vb), m3 = f32x4.lt(e3, vb);
      v128.store(e + o, v128.andnot(e0, m0), 0); v128.store(e + o, v128.andnot(e1, m1), 16);
      v128.store(e + o, v128.andnot(e2, m2), 32); v128.store(e + o, v128.andnot(e3, m3), 48);
      v128.store(w + o, v128.bitselect(ninf, v128.load(w + o, 0), m0), 0);
      v128.store(w + o, v128.bitselect(ninf, v128.load(w + o, 16), m1), 16);
      v128.store(w + o, v128.bitselect(ninf, v128.load(w + o, 32), m2), 32);
      v128.store(w + o, v128.bitselect(ninf, v128.load(w + o, 48), m3), 48);
    }
  }
  for (; i < n; i++) {
    const p = e + (<usize>i << 2);
    if (load<f32>(p) < bound) {
      store<f32>(p, 0);
      store<f32>(w + (<usize>i << 2), -Infinity);
    }
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
  let b = 0;
  if (ASC_FEATURE_SIMD) {
    for (; b + 256 <= n; b += 256) {
      blockSums4(e + (<usize>b << 2));
      total += load<f64>(BLOCK_SUMS, 0);
      total += load<f64>(BLOCK_SUMS, 8);
      total += load<f64>(BLOCK_SUMS, 16);
      total += load<f64>(BLOCK_SUMS, 24);
    }
  }
  for (; b < n; b += 64) total += blockSum(e + (<usize>b << 2), min(64, n - b));
  return total;
}

/** blockSums4's four results (static, below heap_base: kernels own it). */
export const BLOCK_SUMS: usize = memory.data(4 << 3, 16);

/**
 * blockSum of each of the four whole blocks at p (256 floats), into BLOCK_SUMS: the same bits,
 * the four blocks' additions interleaved. One block alone is two chains of eight dependent adds,
 * which leaves the adder waiting on each; eight chains keep it busy.
 */
export function blockSums4(p: usize): void {
  const zero = f32x4.splat(0);
  let lo0 = zero, hi0 = zero, lo1 = zero, hi1 = zero, lo2 = zero, hi2 = zero, lo3 = zero, hi3 = zero;
  for (let q: usize = 0; q < 256; q += 32) {
    lo0 = f32x4.add(lo0, v128.load(p + q, 0)); hi0 = f32x4.add(hi0, v128.load(p + q, 16));
    lo1 = f32x4.add(lo1, v128.load(p + q, 256)); hi1 = f32x4.add(hi1, v128.load(p + q, 272));
    lo2 = f32x4.add(lo2, v128.load(p + q, 512)); hi2 = f32x4.add(hi2, v128.load(p + q, 528));
    lo3 = f32x4.add(lo3, v128.load(p + q, 768)); hi3 = f32x4.add(hi3, v128.load(p + q, 784));
  }
  store<f64>(BLOCK_SUMS, lanesSum(f32x4.add(lo0, hi0)), 0);
  store<f64>(BLOCK_SUMS, lanesSum(f32x4.add(lo1, hi1)), 8);
  store<f64>(BLOCK_SUMS, lanesSum(f32x4.add(lo2, hi2)), 16);
  store<f64>(BLOCK_SUMS, lanesSum(f32x4.add(lo3, hi3)), 24);
}

/** A block's slot pairs t = (f32(s0 + s4), …, f32(s3 + s7)) added as the documented order says. */
// @ts-ignore: decorator
@inline
export function lanesSum(t: v128): f64 {
  return (<f64>f32x4.extract_lane(t, 0) + <f64>f32x4.extract_lane(t, 1)) +
    (<f64>f32x4.extract_lane(t, 2) + <f64>f32x4.extract_lane(t, 3));
}

/** One block's sum in the documented order (n ≤ 64): SIMD for a whole block, else scalar. */
export function blockSum(p: usize, n: i32): f64 {
  if (ASC_FEATURE_SIMD && n == 64) {
    let lo = f32x4.splat(0), hi = f32x4.splat(0); // slots 0–3 and 4–7
    for (let q = 0; q < 64; q += 8) {
      lo = f32x4.add(lo, v128.load(p + (<usize>q << 2)));
      hi = f32x4.add(hi, v128.load(p + (<usize>q << 2), 16));
    }
    return lanesSum(f32x4.add(lo, hi));
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
