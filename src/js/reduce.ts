// The TypeScript twin of assembly/reduce.ts: the max pass and the exp-and-sum pass, with the same
// summation order (explained there), over Float32Arrays with offsets instead of pointers.

import { blockSum } from "./mask.js";
import * as exp from "./exp.js";

const fr = Math.fround;
const expLane = exp.expLane;
// Module-level copies of exp.ts's constants: V8 reads an imported binding through its module cell
// on every use, which made the exp block 6–9% slower. Member by member rather than destructured:
// destructuring the namespace makes a bundler build it as an object of getters at import.
const C2 = exp.C2, C3 = exp.C3, C4 = exp.C4, C5 = exp.C5, C6 = exp.C6, CLAMP = exp.CLAMP;
const LOG2E = exp.LOG2E, MAGIC = exp.MAGIC, NLN2_HI = exp.NLN2_HI, NLN2_LO = exp.NLN2_LO, POW2 = exp.POW2;

export const BLOCK = 64;

/** Set by rowMax: whether the row held a NaN. */
export let sawNaN = false;

/** Largest element of x[o..o+n), ignoring NaN (flagged in sawNaN); −Infinity for an empty max; ±0 as +0. */
export function rowMax(x: Float32Array, o: number, n: number): number {
  let m = -Infinity;
  let nan = false;
  for (let i = o; i < o + n; i++) {
    const v = x[i];
    // One comparison in the common case; NaN fails `v <= m` too and is caught inside.
    if (!(v <= m)) {
      if (v !== v) nan = true;
      else m = v;
    }
  }
  sawNaN = nan;
  return m === 0 ? 0 : m;
}

/** y = exp((x − m)·s) if doStore; returns the sum in the documented order, one block at a time. */
export function expSum(
  x: Float32Array, xo: number, y: Float32Array, yo: number, n: number, m: number, s: number, doStore: boolean,
): number {
  let total = 0;
  for (let b = 0; b < n; b += BLOCK) total += expBlock(x, xo + b, y, yo + b, Math.min(BLOCK, n - b), m, s, doStore);
  return total;
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

/** Number of entries of x[o..o+n) that are not −Infinity. */
export function countUnmasked(x: Float32Array, o: number, n: number): number {
  let k = 0;
  for (let i = o; i < o + n; i++) if (x[i] !== -Infinity) k++;
  return k;
}

/** Number of entries of x[o..o+n) equal to v. */
export function countEqual(x: Float32Array, o: number, n: number, v: number): number {
  let k = 0;
  for (let i = o; i < o + n; i++) if (x[i] === v) k++;
  return k;
}

/**
 * Σ e[i]·max(f32((x[i] − m)·s), −88) in the exp pass's order: blocks of 64, float32 slots j mod 8,
 * block sums in float64 (see dotExpArg in assembly/reduce.ts).
 */
export function dotExpArg(x: Float32Array, e: Float32Array, n: number, m: number, s: number): number {
  let total = 0;
  for (let b = 0; b < n; b += 64) {
    const end = Math.min(b + 64, n);
    dotSlots.fill(0);
    for (let i = b; i < end; i++) {
      let u = fr(fr(x[i] - m) * s);
      if (u < CLAMP) u = CLAMP;
      dotSlots[(i - b) & 7] = fr(dotSlots[(i - b) & 7] + fr(e[i] * u));
    }
    const a = dotSlots;
    total += (fr(a[0] + a[4]) + fr(a[1] + a[5])) + (fr(a[2] + a[6]) + fr(a[3] + a[7]));
  }
  return total;
}

const dotSlots = new Float64Array(8);

/** The draw's inverse CDF over e, block by block (see walkCdf in assembly/reduce.ts). */
export function walkCdf(e: Float32Array, n: number, target: number): number {
  let run = 0;
  for (let b = 0; b < n; b += 64) {
    const len = Math.min(64, n - b);
    const next = run + blockSum(e, b, len);
    if (next > target) {
      let r = run, last = -1;
      for (let j = b; j < b + len; j++) {
        const w = e[j];
        if (w === 0) continue;
        r += w;
        last = j;
        if (r > target) return j;
      }
      if (last >= 0) return last;
    }
    run = next;
  }
  for (let i = n - 1; i >= 0; i--) if (e[i] !== 0) return i;
  return -1;
}
