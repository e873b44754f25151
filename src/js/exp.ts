// The TypeScript twin of assembly/exp.ts: the same algorithm and constants, with Math.fround
// after every f32 operation that can round, so it returns the same bits as the WASM lanes.

const fr = Math.fround;
const bits = new Uint32Array([
  0x3fb8aa3b, 0x4b40007f, 0xbf317200, 0xb5bfbe8e, 0x3ab7f929,
  0x3c092be8, 0x3d2aa97f, 0x3e2aaa33, 0x3f000000, 0xc2b00000,
]);
const [LOG2E, MAGIC, NLN2_HI, NLN2_LO, C6, C5, C4, C3, C2, CLAMP] = Array.from(new Float32Array(bits.buffer));

// 2^k for k = −127..0, indexed by k + 127; what `bits(n + magic) << 23` builds in WASM
// (a zero biased exponent there gives +0, hence POW2[0] = 0).
const POW2 = new Float64Array(128);
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

const tail = new Float64Array(8);

/**
 * One summation block (n ≤ 64 elements) of the exp pass: y[yi + j] = expLane((x[xi + j] − m)·s)
 * if doStore, and returns the block's sum in the kernels' order — element j into f32 slot j mod 8,
 * then (f32(slot0 + slot4) + f32(slot1 + slot5)) + (f32(slot2 + slot6) + f32(slot3 + slot7)) in f64.
 * Eight lanes run in lockstep: each Math.fround serialises on its own chain, so eight independent
 * chains side by side run about twice as fast as one element at a time.
 */
export function expBlock(
  x: Float32Array, xi: number, y: Float32Array, yi: number, n: number, m: number, s: number, doStore: boolean,
): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const p = xi + j;
    let u0 = fr(fr(x[p + 0] - m) * s), u1 = fr(fr(x[p + 1] - m) * s), u2 = fr(fr(x[p + 2] - m) * s), u3 = fr(fr(x[p + 3] - m) * s), u4 = fr(fr(x[p + 4] - m) * s), u5 = fr(fr(x[p + 5] - m) * s), u6 = fr(fr(x[p + 6] - m) * s), u7 = fr(fr(x[p + 7] - m) * s);
    if (u0 < CLAMP) u0 = CLAMP;
    if (u1 < CLAMP) u1 = CLAMP;
    if (u2 < CLAMP) u2 = CLAMP;
    if (u3 < CLAMP) u3 = CLAMP;
    if (u4 < CLAMP) u4 = CLAMP;
    if (u5 < CLAMP) u5 = CLAMP;
    if (u6 < CLAMP) u6 = CLAMP;
    if (u7 < CLAMP) u7 = CLAMP;
    const n0 = fr(fr(u0 * LOG2E) + MAGIC) - MAGIC, n1 = fr(fr(u1 * LOG2E) + MAGIC) - MAGIC, n2 = fr(fr(u2 * LOG2E) + MAGIC) - MAGIC, n3 = fr(fr(u3 * LOG2E) + MAGIC) - MAGIC, n4 = fr(fr(u4 * LOG2E) + MAGIC) - MAGIC, n5 = fr(fr(u5 * LOG2E) + MAGIC) - MAGIC, n6 = fr(fr(u6 * LOG2E) + MAGIC) - MAGIC, n7 = fr(fr(u7 * LOG2E) + MAGIC) - MAGIC;
    let t0 = fr(n0 * NLN2_HI + u0), t1 = fr(n1 * NLN2_HI + u1), t2 = fr(n2 * NLN2_HI + u2), t3 = fr(n3 * NLN2_HI + u3), t4 = fr(n4 * NLN2_HI + u4), t5 = fr(n5 * NLN2_HI + u5), t6 = fr(n6 * NLN2_HI + u6), t7 = fr(n7 * NLN2_HI + u7);
    t0 = fr(fr(n0 * NLN2_LO) + t0);
    t1 = fr(fr(n1 * NLN2_LO) + t1);
    t2 = fr(fr(n2 * NLN2_LO) + t2);
    t3 = fr(fr(n3 * NLN2_LO) + t3);
    t4 = fr(fr(n4 * NLN2_LO) + t4);
    t5 = fr(fr(n5 * NLN2_LO) + t5);
    t6 = fr(fr(n6 * NLN2_LO) + t6);
    t7 = fr(fr(n7 * NLN2_LO) + t7);
    let q0 = fr(fr(C6 * t0) + C5), q1 = fr(fr(C6 * t1) + C5), q2 = fr(fr(C6 * t2) + C5), q3 = fr(fr(C6 * t3) + C5), q4 = fr(fr(C6 * t4) + C5), q5 = fr(fr(C6 * t5) + C5), q6 = fr(fr(C6 * t6) + C5), q7 = fr(fr(C6 * t7) + C5);
    q0 = fr(fr(q0 * t0) + C4);
    q1 = fr(fr(q1 * t1) + C4);
    q2 = fr(fr(q2 * t2) + C4);
    q3 = fr(fr(q3 * t3) + C4);
    q4 = fr(fr(q4 * t4) + C4);
    q5 = fr(fr(q5 * t5) + C4);
    q6 = fr(fr(q6 * t6) + C4);
    q7 = fr(fr(q7 * t7) + C4);
    q0 = fr(fr(q0 * t0) + C3);
    q1 = fr(fr(q1 * t1) + C3);
    q2 = fr(fr(q2 * t2) + C3);
    q3 = fr(fr(q3 * t3) + C3);
    q4 = fr(fr(q4 * t4) + C3);
    q5 = fr(fr(q5 * t5) + C3);
    q6 = fr(fr(q6 * t6) + C3);
    q7 = fr(fr(q7 * t7) + C3);
    q0 = fr(fr(q0 * t0) + C2);
    q1 = fr(fr(q1 * t1) + C2);
    q2 = fr(fr(q2 * t2) + C2);
    q3 = fr(fr(q3 * t3) + C2);
    q4 = fr(fr(q4 * t4) + C2);
    q5 = fr(fr(q5 * t5) + C2);
    q6 = fr(fr(q6 * t6) + C2);
    q7 = fr(fr(q7 * t7) + C2);
    q0 = fr(fr(fr(t0 * t0) * q0) + t0);
    q1 = fr(fr(fr(t1 * t1) * q1) + t1);
    q2 = fr(fr(fr(t2 * t2) * q2) + t2);
    q3 = fr(fr(fr(t3 * t3) * q3) + t3);
    q4 = fr(fr(fr(t4 * t4) * q4) + t4);
    q5 = fr(fr(fr(t5 * t5) * q5) + t5);
    q6 = fr(fr(fr(t6 * t6) * q6) + t6);
    q7 = fr(fr(fr(t7 * t7) * q7) + t7);
    const s0 = POW2[n0 + 127], s1 = POW2[n1 + 127], s2 = POW2[n2 + 127], s3 = POW2[n3 + 127], s4 = POW2[n4 + 127], s5 = POW2[n5 + 127], s6 = POW2[n6 + 127], s7 = POW2[n7 + 127];
    const e0 = fr(fr(q0 * s0) + s0), e1 = fr(fr(q1 * s1) + s1), e2 = fr(fr(q2 * s2) + s2), e3 = fr(fr(q3 * s3) + s3), e4 = fr(fr(q4 * s4) + s4), e5 = fr(fr(q5 * s5) + s5), e6 = fr(fr(q6 * s6) + s6), e7 = fr(fr(q7 * s7) + s7);
    if (doStore) {
      const q = yi + j;
      y[q + 0] = e0; y[q + 1] = e1; y[q + 2] = e2; y[q + 3] = e3; y[q + 4] = e4; y[q + 5] = e5; y[q + 6] = e6; y[q + 7] = e7;
    }
    a0 = fr(a0 + e0); a1 = fr(a1 + e1); a2 = fr(a2 + e2); a3 = fr(a3 + e3); a4 = fr(a4 + e4); a5 = fr(a5 + e5); a6 = fr(a6 + e6); a7 = fr(a7 + e7);
  }
  if (j < n) {
    // The last 1–7 elements: element j + k goes to slot k; the unused slots add +0, a no-op.
    tail.fill(0);
    for (let k = 0; j + k < n; k++) {
      tail[k] = expLane(fr(fr(x[xi + j + k] - m) * s));
      if (doStore) y[yi + j + k] = tail[k];
    }
    a0 = fr(a0 + tail[0]); a1 = fr(a1 + tail[1]); a2 = fr(a2 + tail[2]); a3 = fr(a3 + tail[3]); a4 = fr(a4 + tail[4]); a5 = fr(a5 + tail[5]); a6 = fr(a6 + tail[6]); a7 = fr(a7 + tail[7]);
  }
  return (fr(a0 + a4) + fr(a1 + a5)) + (fr(a2 + a6) + fr(a3 + a7));
}
