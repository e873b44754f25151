// exp(u) for u <= 0, the one transcendental of the hot path.
//
// Algorithm (the range reduction of XNNPACK's rr2_p5): n = round(u·log2e) by the magic-bias trick,
// s = 2^n built straight into the exponent bits, t = u − n·ln2 by a two-constant Cody–Waite
// reduction, then exp(u) = s + s·(t + t²·q(t)) with q of degree 4, so e^t ≈ 1 + t + t²·q(t) is a
// degree-6 polynomial whose first two coefficients, 1 and 1/2, are exact. Coefficients: our own
// relative-error minimax fit on [−0.3467, 0.3467] (7.4e-2 ulp), rounded to f32 one at a time with
// the rest refitted. XNNPACK's degree-5 polynomial alone errs by 1.5 ulp, too much for faithful
// rounding; this one with its evaluation order is faithful: every f32 result is within 1 ulp of the
// exact value, so one of its two neighbours (at most 0.9969 ulp, at u = −5.8464; 99.15% correctly
// rounded; checked on all 1.12e9 f32 arguments in [−87.33, 0] by bench/exp-sweep.mjs).
// Every step is a plain IEEE f32 add or multiply (no fused multiply-add), so the SIMD lanes, the
// scalar build and the TypeScript twin (src/js/exp.ts) round identically and agree to the bit.
//
// Underflow: u is clamped at −88 first. There round(u·log2e) = −127, whose biased exponent is 0,
// so s = +0 and the result is exactly +0 with no extra mask: −Infinity (a masked logit) and
// anything below ≈ −87.68 give 0; (−87.68, −87.34) gives the subnormal it should.

// The constants live in linear memory rather than as immediates: Binaryen otherwise re-inlines
// them as v128.const inside the loop and V8 rebuilds each one on every iteration.
export const EXP_CONSTANTS: usize = memory.data<u32>([
  0x3fb8aa3b, // 0  log2(e)
  0x4b40007f, // 4  magic bias 1.5·2^23 + 127: adding it rounds to an integer, low bits = n + 127
  0xbf317200, // 8  −ln2 high part (trailing zeros: n·hi is exact for |n| ≤ 127)
  0xb5bfbe8e, // 12 −ln2 low part
  0x3ab7f929, // 16 c6 ≈ 1.4036e-3
  0x3c092be8, // 20 c5 ≈ 8.3723e-3
  0x3d2aa97f, // 24 c4 ≈ 4.16656e-2
  0x3e2aaa33, // 28 c3 ≈ 0.1666649
  0x3f000000, // 32 c2 = 1/2
  0xc2b00000, // 36 clamp −88
], 16);

/** Scalar exp on one lane, the exact per-lane twin of expVec (same constants, same steps). */
// @ts-ignore: decorator
@inline
export function expLane(
  u: f32, log2e: f32, magic: f32, nln2hi: f32, nln2lo: f32,
  c6: f32, c5: f32, c4: f32, c3: f32, c2: f32, clamp: f32,
): f32 {
  u = u < clamp ? clamp : u; // keeps NaN, like f32x4.pmax(u, clamp)
  let n = u * log2e + magic;
  const s = reinterpret<f32>(reinterpret<i32>(n) << 23);
  n = n - magic;
  let t = n * nln2hi + u;
  t = n * nln2lo + t;
  let q = c6 * t + c5;
  q = q * t + c4;
  q = q * t + c3;
  q = q * t + c2;
  const a = (t * t) * q + t;
  return a * s + s;
}

/** Four lanes of expLane. The constants are passed in, splatted once per kernel call. */
// @ts-ignore: decorator
@inline
export function expVec(
  u: v128, log2e: v128, magic: v128, nln2hi: v128, nln2lo: v128,
  c6: v128, c5: v128, c4: v128, c3: v128, c2: v128, clamp: v128,
): v128 {
  u = f32x4.pmax(u, clamp);
  let n = f32x4.add(f32x4.mul(u, log2e), magic);
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, magic);
  let t = f32x4.add(f32x4.mul(n, nln2hi), u);
  t = f32x4.add(f32x4.mul(n, nln2lo), t);
  let q = f32x4.add(f32x4.mul(c6, t), c5);
  q = f32x4.add(f32x4.mul(q, t), c4);
  q = f32x4.add(f32x4.mul(q, t), c3);
  q = f32x4.add(f32x4.mul(q, t), c2);
  const a = f32x4.add(f32x4.mul(f32x4.mul(t, t), q), t);
  return f32x4.add(f32x4.mul(a, s), s);
}
