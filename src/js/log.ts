// The TypeScript twin of assembly/log.ts: ln(x) in f64 from basic IEEE operations only.

const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const SQRT2 = 1.4142135623730951;
const view = new DataView(new ArrayBuffer(8));

/** ln(x) for finite x ≥ 1; bit-identical to ln64 in assembly/log.ts. */
export function ln64(x: number): number {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  let k = (hi >>> 20) - 1023;
  view.setUint32(0, (hi & 0x000fffff) | 0x3ff00000); // x = m·2^k, m ∈ [1, 2)
  let m = view.getFloat64(0);
  if (m > SQRT2) { m *= 0.5; k += 1; }
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
  return k * LN2_HI + ((2 * f + 2 * f * p) + k * LN2_LO);
}
