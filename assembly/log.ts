// Natural log in f64 from basic IEEE operations only, so that WASM and the TypeScript twin
// (src/js/log.ts) agree to the bit; Math.log is not specified to round the same on every engine.
// Used once per row, on a sum of exps or a count, both ≥ 1.

const LN2_HI: f64 = 6.93147180369123816490e-01; // 0x3FE62E42FEE00000: k·LN2_HI exact for |k| < 2^20
const LN2_LO: f64 = 1.90821492927058770002e-10;
const SQRT2: f64 = 1.4142135623730951;

/** ln(x) for finite x ≥ 1, within about 1 ulp of f64. */
export function ln64(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let k = <i32>(bits >> 52) - 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000); // x = m·2^k, m ∈ [1, 2)
  if (m > SQRT2) { m *= 0.5; k += 1; }
  // ln m = 2·atanh(f), f = (m − 1)/(m + 1), |f| ≤ 0.1716: the odd series to f^21 is below 2^-54.
  const f = (m - 1) / (m + 1);
  const f2 = f * f;
  let p = 1.0 / 21.0;
  p = p * f2 + 1.0 / 19.0;
  p = p * f2 + 1.0 / 17.0;
  p = p * f2 + 1.0 / 15.0;
  p = p * f2 + 1.0 / 13.0;
  p = p * f2 + 1.0 / 11.0;
  p = p * f2 + 1.0 / 9.0;
  p = p * f2 + 1.0 / 7.0;
  p = p * f2 + 1.0 / 5.0;
  p = p * f2 + 1.0 / 3.0;
  p = p * f2;
  const kd = <f64>k;
  return kd * LN2_HI + ((2 * f + 2 * f * p) + kd * LN2_LO);
}
