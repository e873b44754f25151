// The TypeScript twin of assembly/exp.ts: the same algorithm and constants, with Math.fround
// after every f32 operation that can round, so it returns the same bits as the WASM lanes.

const fr = Math.fround;
const bits = new Uint32Array([
  0x3fb8aa3b, 0x4b40007f, 0xbf317200, 0xb5bfbe8e, 0x3ab7f929,
  0x3c092be8, 0x3d2aa97f, 0x3e2aaa33, 0x3f000000, 0xc2b00000,
]);
export const [LOG2E, MAGIC, NLN2_HI, NLN2_LO, C6, C5, C4, C3, C2, CLAMP] = Array.from(new Float32Array(bits.buffer));

// 2^k for k = −127..0, indexed by k + 127; what `bits(n + magic) << 23` builds in WASM
// (a zero biased exponent there gives +0, hence POW2[0] = 0).
export const POW2 = new Float64Array(128);
for (let j = 1; j < 128; j++) POW2[j] = 2 ** (j - 127);

/** exp(u) for u ≤ 0 (u an f32 value), bit-identical to expLane/expVec in assembly/exp.ts. */
export function expLane(u: number): number {
  if (u < CLAMP) u = CLAMP;
  const n = fr(fr(u * LOG2E) + MAGIC) - MAGIC; // an integer in [−127, 0]: the subtraction is exact
  const s = POW2[n + 127];
  // n·NLN2_HI is exact (7-bit n times a 17-bit constant); the sum is rounded.
  let t = fr(n * NLN2_HI + u);
  t = fr(fr(n * NLN2_LO) + t);
  let q = fr(fr(C6 * t) + C5);
  q = fr(fr(q * t) + C4);
  q = fr(fr(q * t) + C3);
  q = fr(fr(q * t) + C2);
  const a = fr(fr(fr(t * t) * q) + t);
  // a·s needs its own rounding: it can be subnormal in f32 (while exact in f64) when s is tiny.
  return fr(fr(a * s) + s);
}
