// Half-precision input: float16 and bfloat16 bits widened to float32, exactly (every float16 and
// bfloat16 value is a float32 value). The copy into WASM memory then moves half the bytes; the
// kernels read the widened row as any other. NaN payloads, ±Infinity, subnormals and −0 keep
// their float32 meaning, so validation treats them as it would the float32 values.

// Normal float16s: the bits shifted into float32 position, exponent rebiased by 127 − 15.
const REBIAS_BITS: u32 = 112 << 23;
// Subnormal float16s (and zeros): the mantissa times 2^-24, exact, and no float32 subnormal is
// ever an operand (which costs x86 a microcode assist per lane: 2.3 ns/element measured).
const SUBNORMAL_UNIT: f32 = 5.960464477539063e-8;

// The SIMD widening works on the 16-bit lanes as loaded, eight at a time, and only then
// interleaves them into float32 bits: a float32's upper half is sign | exponent | 7 mantissa
// bits, its lower half the other 3 mantissa bits << 13, so for a normal float16 with magnitude
// bits a = h & 0x7fff the upper half is (a >> 3) + (112 << 7) and the lower half is h << 13.
// The two other kinds of lane are fixed with masks, never a branch:
//   * subnormals and zeros (a < 0x400): bit 23 is set as well, which makes the float
//     2^-14·(1 + m/1024), and then 2^-14 is subtracted as a float: m·2^-24, exact (Sterbenz), and
//     +0 for m = 0. Neither operand is a float32 subnormal (no microcode assist); every other lane
//     subtracts +0, which leaves it unchanged, as none of them is a NaN yet;
//   * Infinity and NaN (a >= 0x7c00): after that subtraction, the exponent bits are all set by an
//     OR (the lane had exponent 31 + 112, a finite float, while it went through the subtraction;
//     so a NaN's payload is never touched by float arithmetic). The sign goes in by the same OR.
// The constants are loaded from linear memory once per call: as immediates, Binaryen re-inlines
// them as v128.const inside the loop and V8 rebuilds each one on every iteration (see exp.ts).
export const HALF_CONSTANTS: usize = memory.data<u16>([
  0x7fff, // 0  magnitude mask
  0x3800, // 2  exponent rebias 127 − 15, in the upper half (112 << 7)
  0x0400, // 4  a below this: a subnormal or a zero
  0x3880, // 6  2^-14, the upper half of its float32 bits (0x3800 with bit 23)
  0x7bff, // 8  a above this: Infinity or NaN
  0x7f80, // 10 the float32 exponent bits, in the upper half
  0x0000, // 12 zero
  0xfc00, // 14 float16 −Infinity (the remainder's padding)
  0x83ff, // 16 its order key
  0xff80, // 18 bfloat16 −Infinity
  0x807f, // 20 its order key
  0x7c00, // 22 a above this: a float16 NaN (bfloat16's is 10)
], 16);

/** The remainder of a row (< 8 values): its bits padded with −Infinity, then its 8 floats. */
const HALF_STAGE: usize = memory.data(48, 16);

// The max is found on the bits, before widening: with key = a ^ (h >> 15) (arithmetic shift) a
// negative value's magnitude bits are inverted, so the keys of the non-NaN values order as
// signed 16-bit integers exactly as their values do (−0 just below +0, which the max then pins to
// +0 as rowMax does), eight lanes per instruction. A NaN is caught by the largest magnitude.

/** Eight float16 lanes h widened into float32 at p, p + 16; returns their magnitude bits. */
// @ts-ignore: decorator
@inline
function widenF16(
  h: v128, p: usize, magnitude: v128, rebias: v128, subLimit: v128,
  twoM14: v128, infLimit: v128, expBits: v128, zero: v128,
): v128 {
  const a = v128.and(h, magnitude);
  const sub = i16x8.lt_s(a, subLimit);
  const fix = v128.and(sub, twoM14); // upper halves of the floats to subtract (+0 elsewhere)
  const hi = i16x8.add(i16x8.shr_u(a, 3), i16x8.max_u(rebias, fix)); // 0x3880 = 0x3800 | bit 23
  const lo = i16x8.shl(h, 13);
  const post = v128.or(v128.and(i16x8.gt_s(a, infLimit), expBits), v128.xor(h, a)); // exponent, sign
  let w0 = i16x8.shuffle(lo, hi, 0, 8, 1, 9, 2, 10, 3, 11);
  let w1 = i16x8.shuffle(lo, hi, 4, 12, 5, 13, 6, 14, 7, 15);
  w0 = f32x4.sub(w0, i16x8.shuffle(zero, fix, 0, 8, 1, 9, 2, 10, 3, 11));
  w1 = f32x4.sub(w1, i16x8.shuffle(zero, fix, 4, 12, 5, 13, 6, 14, 7, 15));
  v128.store(p, v128.or(w0, i16x8.shuffle(zero, post, 0, 8, 1, 9, 2, 10, 3, 11)), 0);
  v128.store(p, v128.or(w1, i16x8.shuffle(zero, post, 4, 12, 5, 13, 6, 14, 7, 15)), 16);
  return a;
}

/** Eight bfloat16 lanes h widened into float32 at p, p + 16 (each the upper half of its float). */
// @ts-ignore: decorator
@inline
function widenBf16(h: v128, p: usize, zero: v128): void {
  v128.store(p, i16x8.shuffle(zero, h, 0, 8, 1, 9, 2, 10, 3, 11), 0);
  v128.store(p, i16x8.shuffle(zero, h, 4, 12, 5, 13, 6, 14, 7, 15), 16);
}

/** The largest signed 16-bit lane of v, and the largest unsigned one of u, in one i32: key | amax << 16. */
// @ts-ignore: decorator
@inline
function lanesMax(v: v128, u: v128): i32 {
  v = i16x8.max_s(v, i16x8.shuffle(v, v, 4, 5, 6, 7, 0, 1, 2, 3));
  v = i16x8.max_s(v, i16x8.shuffle(v, v, 2, 3, 0, 1, 2, 3, 0, 1));
  v = i16x8.max_s(v, i16x8.shuffle(v, v, 1, 0, 1, 0, 1, 0, 1, 0));
  u = i16x8.max_u(u, i16x8.shuffle(u, u, 4, 5, 6, 7, 0, 1, 2, 3));
  u = i16x8.max_u(u, i16x8.shuffle(u, u, 2, 3, 0, 1, 2, 3, 0, 1));
  u = i16x8.max_u(u, i16x8.shuffle(u, u, 1, 0, 1, 0, 1, 0, 1, 0));
  return (i16x8.extract_lane_u(v, 0) as i32) | ((i16x8.extract_lane_u(u, 0) as i32) << 16);
}

/**
 * The order key (a ^ (h >> 15), see above) of the half-precision value equal to the float32 v,
 * which must be one (every value topKHalf compares against came from the row).
 */
export function halfKey(v: f32, bf16: bool): i32 {
  const b = reinterpret<u32>(v);
  let h: u32;
  if (bf16) h = b >>> 16;
  else {
    const a = b & 0x7fffffff;
    if (a >= 0x38800000) h = a >= 0x7f800000 ? 0x7c00 : (a - REBIAS_BITS) >>> 13; // normal, or ±Infinity
    else h = <u32>(reinterpret<f32>(a) / SUBNORMAL_UNIT); // a subnormal float16 or a zero: exact
    h |= (b >>> 16) & 0x8000;
  }
  const a = <i32>(h & 0x7fff);
  return h & 0x8000 ? ~a : a;
}

/** The bits of the value whose order key is k (16 bits): the inverse of a ^ (h >> 15). */
// @ts-ignore: decorator
@inline
function unkey(k: u32): u32 {
  return k & 0x8000 ? k ^ 0x7fff : k;
}

/** dst[i] = the float32 value of the float16 bits src[i]. */
export function f16ToF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const c = HALF_CONSTANTS;
    const magnitude = v128.load16_splat(c, 0), rebias = v128.load16_splat(c, 2), subLimit = v128.load16_splat(c, 4);
    const twoM14 = v128.load16_splat(c, 6), infLimit = v128.load16_splat(c, 8);
    const expBits = v128.load16_splat(c, 10), zero = v128.load16_splat(c, 12);
    for (; i + 8 <= n; i += 8) {
      widenF16(v128.load(src + (<usize>i << 1)), dst + (<usize>i << 2), magnitude, rebias, subLimit, twoM14, infLimit, expBits, zero);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), f16Bits(load<u16>(src + (<usize>i << 1))));
}

/**
 * The fused first pass for float16 rows: dst[i] = the float32 value of the bits src[i], and the
 * row's max in the same loop, which reads each value once, as 2 bytes. Returns the max, as rowMax
 * would on dst (−Infinity for n = 0, ±0 as +0), or NaN if the row holds a NaN.
 */
export function f16RowMax(src: usize, dst: usize, n: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const c = HALF_CONSTANTS;
    const magnitude = v128.load16_splat(c, 0), rebias = v128.load16_splat(c, 2), subLimit = v128.load16_splat(c, 4);
    const twoM14 = v128.load16_splat(c, 6), infLimit = v128.load16_splat(c, 8);
    const expBits = v128.load16_splat(c, 10), zero = v128.load16_splat(c, 12);
    let kmax = v128.load16_splat(c, 16), amax = zero;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const h = v128.load(src + (<usize>i << 1));
      const a = widenF16(h, dst + (<usize>i << 2), magnitude, rebias, subLimit, twoM14, infLimit, expBits, zero);
      kmax = i16x8.max_s(kmax, v128.xor(a, i16x8.shr_s(h, 15)));
      amax = i16x8.max_u(amax, a);
    }
    if (i < n) { // the same body once more on the remainder, padded with −Infinity
      const r = n - i;
      v128.store(HALF_STAGE, v128.load16_splat(c, 14));
      memory.copy(HALF_STAGE, src + (<usize>i << 1), <usize>r << 1);
      const h = v128.load(HALF_STAGE);
      const a = widenF16(h, HALF_STAGE + 16, magnitude, rebias, subLimit, twoM14, infLimit, expBits, zero);
      kmax = i16x8.max_s(kmax, v128.xor(a, i16x8.shr_s(h, 15)));
      amax = i16x8.max_u(amax, a);
      memory.copy(dst + (<usize>i << 2), HALF_STAGE + 16, <usize>r << 2);
    }
    const k = lanesMax(kmax, amax);
    if (<u32>k >> 16 > 0x7c00) return NaN;
    const m = reinterpret<f32>(f16Bits(unkey(k & 0xffff)));
    return m == 0 ? 0 : m;
  } else {
    let m: f32 = -Infinity;
    let nan = false;
    for (let i = 0; i < n; i++) {
      const b = f16Bits(load<u16>(src + (<usize>i << 1)));
      store<u32>(dst + (<usize>i << 2), b);
      const v = reinterpret<f32>(b);
      if (!(v <= m)) { // as in rowMax (integer order keys here were slower: two more live values)
        if (v != v) nan = true;
        else m = v;
      }
    }
    return nan ? NaN : m == 0 ? 0 : m;
  }
}

/** The fused first pass for bfloat16 rows: as f16RowMax. */
export function bf16RowMax(src: usize, dst: usize, n: i32): f32 {
  if (ASC_FEATURE_SIMD) {
    const c = HALF_CONSTANTS;
    const magnitude = v128.load16_splat(c, 0), zero = v128.load16_splat(c, 12);
    let kmax = v128.load16_splat(c, 20), amax = zero;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const h = v128.load(src + (<usize>i << 1));
      widenBf16(h, dst + (<usize>i << 2), zero);
      const a = v128.and(h, magnitude);
      kmax = i16x8.max_s(kmax, v128.xor(a, i16x8.shr_s(h, 15)));
      amax = i16x8.max_u(amax, a);
    }
    if (i < n) {
      const r = n - i;
      v128.store(HALF_STAGE, v128.load16_splat(c, 18));
      memory.copy(HALF_STAGE, src + (<usize>i << 1), <usize>r << 1);
      const h = v128.load(HALF_STAGE);
      widenBf16(h, HALF_STAGE + 16, zero);
      const a = v128.and(h, magnitude);
      kmax = i16x8.max_s(kmax, v128.xor(a, i16x8.shr_s(h, 15)));
      amax = i16x8.max_u(amax, a);
      memory.copy(dst + (<usize>i << 2), HALF_STAGE + 16, <usize>r << 2);
    }
    const k = lanesMax(kmax, amax);
    if (<u32>k >> 16 > 0x7f80) return NaN;
    const m = reinterpret<f32>(unkey(k & 0xffff) << 16);
    return m == 0 ? 0 : m;
  } else {
    let m: f32 = -Infinity;
    let nan = false;
    for (let i = 0; i < n; i++) {
      const b = <u32>load<u16>(src + (<usize>i << 1)) << 16;
      store<u32>(dst + (<usize>i << 2), b);
      const v = reinterpret<f32>(b);
      if (!(v <= m)) {
        if (v != v) nan = true;
        else m = v;
      }
    }
    return nan ? NaN : m == 0 ? 0 : m;
  }
}

/** The float32 bits of the float16 bits h (the scalar path, and the twin's formula). */
// @ts-ignore: decorator
@inline
export function f16Bits(h: u32): u32 {
  const m = h & 0x7fff;
  const s = (h & 0x8000) << 16;
  const e = h & 0x7c00;
  if (e - 0x400 < 0x7800) return s | ((m << 13) + REBIAS_BITS); // normal (one unsigned compare)
  if (e == 0x7c00) return s | 0x7f800000 | (m << 13);
  return s | reinterpret<u32>(<f32>(h & 0x3ff) * SUBNORMAL_UNIT);
}

/** dst[i] = the float32 value of the bfloat16 bits src[i]: the upper half of a float32. */
export function bf16ToF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = v128.load16_splat(HALF_CONSTANTS, 12);
    for (; i + 8 <= n; i += 8) widenBf16(v128.load(src + (<usize>i << 1)), dst + (<usize>i << 2), zero);
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), <u32>load<u16>(src + (<usize>i << 1)) << 16);
}
