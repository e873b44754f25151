// The TypeScript twin of assembly/exp.ts: the same algorithm and constants, with Math.fround
// after every f32 operation that can round, so it returns the same bits as the WASM lanes.

const fr = Math.fround;
const bits = new Uint32Array(10);
const f32 = new Float32Array(bits.buffer);
bits.set([
  0x3fb8aa3b, 0x4b40007f, 0xbf317200, 0xb5bfbe8e, 0x3c07cfce,
  0x3d2b9d0d, 0x3e2aad40, 0x3efffee3, 0x3f7ffffb, 0xc2b00000,
]);
const [LOG2E, MAGIC, NLN2_HI, NLN2_LO, C5, C4, C3, C2, C1, CLAMP] = Array.from(f32);

// 2^k for k = −127..0, indexed by k + 127; what `bits(n + magic) << 23` builds in WASM
// (a zero biased exponent there gives +0, hence POW2[0] = 0).
const POW2 = new Float64Array(128);
for (let j = 1; j < 128; j++) POW2[j] = 2 ** (j - 127);

/** exp(u) for u ≤ 0 (u an f32 value), bit-identical to expLane/expVec in assembly/exp.ts. */
export function expLane(u: number): number {
  if (u < CLAMP) u = CLAMP;
  const nb = fr(fr(u * LOG2E) + MAGIC);
  const n = nb - MAGIC; // an integer in [−127, 0]: exact
  const s = POW2[n + 127];
  // n·NLN2_HI is exact (7-bit n times a 17-bit constant); the sum is rounded.
  let t = fr(n * NLN2_HI + u);
  t = fr(fr(n * NLN2_LO) + t);
  let p = fr(fr(C5 * t) + C4);
  p = fr(fr(p * t) + C3);
  p = fr(fr(p * t) + C2);
  p = fr(fr(p * t) + C1);
  t = fr(t * s);
  return fr(fr(t * p) + s);
}
