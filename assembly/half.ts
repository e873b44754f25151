// Half-precision input: float16 and bfloat16 bits widened to float32, exactly (every float16 and
// bfloat16 value is a float32 value). The copy into WASM memory then moves half the bytes; the
// kernels read the widened row as any other. NaN payloads, ±Infinity, subnormals and −0 keep
// their float32 meaning, so validation treats them as it would the float32 values.

// Normal float16s: the bits shifted into float32 position, exponent rebiased by 127 − 15.
const REBIAS_BITS: u32 = 112 << 23;
// Subnormal float16s (and zeros): the mantissa times 2^-24, exact, and no float32 subnormal is
// ever an operand (which costs x86 a microcode assist per lane: 2.3 ns/element measured).
const SUBNORMAL_UNIT: f32 = 5.960464477539063e-8;

/** dst[i] = the float32 value of the float16 bits src[i]. */
export function f16ToF32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const magnitude = i32x4.splat(0x7fff), mantissa = i32x4.splat(0x3ff), expMask = i32x4.splat(0x7c00);
    const infNan = i32x4.splat(0x7f800000), sign = i32x4.splat(0x8000), rebias = i32x4.splat(REBIAS_BITS);
    const unit = f32x4.splat(SUBNORMAL_UNIT), zero = i32x4.splat(0);
    for (; i + 8 <= n; i += 8) {
      const h = v128.load(src + (<usize>i << 1));
      const lo = i32x4.extend_low_i16x8_u(h), hi = i32x4.extend_high_i16x8_u(h);
      v128.store(dst + (<usize>i << 2), widen(lo, magnitude, mantissa, expMask, infNan, sign, rebias, unit, zero), 0);
      v128.store(dst + (<usize>i << 2), widen(hi, magnitude, mantissa, expMask, infNan, sign, rebias, unit, zero), 16);
    }
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), f16Bits(load<u16>(src + (<usize>i << 1))));
}

// @ts-ignore: decorator
@inline
function widen(h: v128, magnitude: v128, mantissa: v128, expMask: v128, infNan: v128, sign: v128, rebias: v128, unit: v128, zero: v128): v128 {
  const m = v128.and(h, magnitude);
  const e = v128.and(h, expMask);
  const normal = i32x4.add(i32x4.shl(m, 13), rebias);
  // The mantissa is below 2^10: the signed conversion (one instruction on x86) is exact.
  const subnormal = f32x4.mul(f32x4.convert_i32x4_s(v128.and(h, mantissa)), unit);
  const special = v128.or(i32x4.shl(m, 13), infNan); // Infinity, NaN (payload kept)
  let out = v128.bitselect(subnormal, normal, i32x4.eq(e, zero));
  out = v128.bitselect(special, out, i32x4.eq(e, expMask));
  return v128.or(out, i32x4.shl(v128.and(h, sign), 16));
}

/** The float32 bits of the float16 bits h (the scalar path, and the twin's formula). */
// @ts-ignore: decorator
@inline
function f16Bits(h: u32): u32 {
  const m = h & 0x7fff;
  const s = (h & 0x8000) << 16;
  const e = h & 0x7c00;
  if (e == 0x7c00) return s | 0x7f800000 | (m << 13);
  if (e == 0) return s | reinterpret<u32>(<f32>(h & 0x3ff) * SUBNORMAL_UNIT);
  return s | ((m << 13) + REBIAS_BITS);
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
