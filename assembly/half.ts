// Half-precision input: float16 and bfloat16 bits widened to float32, exactly (every float16 and
// bfloat16 value is a float32 value). The copy into WASM memory then moves half the bytes; the
// kernels read the widened row as any other. NaN payloads, ±Infinity, subnormals and −0 keep
// their float32 meaning, so validation treats them as it would the float32 values.

// 2^112: a float16's bits shifted into float32 position read as 2^-112 times its value.
const REBIAS: f32 = 5.192296858534828e33;

/** dst[i] = the float32 value of the float16 bits src[i]. */
export function f16ToF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const magnitude = i32x4.splat(0x7fff), expMask = i32x4.splat(0x7c00), infNan = i32x4.splat(0x7f800000);
    const sign = i32x4.splat(0x8000), rebias = f32x4.splat(REBIAS);
    for (; i + 8 <= n; i += 8) {
      const h = v128.load(src + (<usize>i << 1));
      const lo = i32x4.extend_low_i16x8_u(h), hi = i32x4.extend_high_i16x8_u(h);
      v128.store(dst + (<usize>i << 2), widen(lo, magnitude, expMask, infNan, sign, rebias), 0);
      v128.store(dst + (<usize>i << 2), widen(hi, magnitude, expMask, infNan, sign, rebias), 16);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), f16Bits(load<u16>(src + (<usize>i << 1))));
}

// @ts-ignore: decorator
@inline
function widen(h: v128, magnitude: v128, expMask: v128, infNan: v128, sign: v128, rebias: v128): v128 {
  const m = v128.and(h, magnitude);
  // Finite: the magnitude bits, shifted, times 2^112 (exact, subnormals included).
  const finite = f32x4.mul(i32x4.shl(m, 13), rebias);
  // Infinity and NaN (exponent all ones): the float32 exponent all ones, the mantissa kept.
  const special = v128.or(i32x4.shl(m, 13), infNan);
  const isSpecial = i32x4.eq(v128.and(h, expMask), expMask);
  return v128.or(v128.bitselect(special, finite, isSpecial), i32x4.shl(v128.and(h, sign), 16));
}

/** The float32 bits of the float16 bits h (the scalar path, and the twin's formula). */
// @ts-ignore: decorator
@inline
function f16Bits(h: u32): u32 {
  const m = h & 0x7fff;
  const s = (h & 0x8000) << 16;
  if ((h & 0x7c00) == 0x7c00) return s | 0x7f800000 | (m << 13);
  return s | reinterpret<u32>(reinterpret<f32>(m << 13) * REBIAS);
}

/** dst[i] = the float32 value of the bfloat16 bits src[i]: the upper half of a float32. */
export function bf16ToF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 8 <= n; i += 8) {
      const h = v128.load(src + (<usize>i << 1));
      v128.store(dst + (<usize>i << 2), i32x4.shl(i32x4.extend_low_i16x8_u(h), 16), 0);
      v128.store(dst + (<usize>i << 2), i32x4.shl(i32x4.extend_high_i16x8_u(h), 16), 16);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), <u32>load<u16>(src + (<usize>i << 1)) << 16);
}
