// Accuracy against float64 references, on every backend.
//
// Two references: refSoftmaxSameArgs exponentiates the same f32 arguments u = f32(f32(x − max)·s)
// the kernels do, so it measures the kernels' own error (exp, sum, reciprocal, scale); refSoftmax
// is exact math on the f32 logits and shows the total, including the f32 rounding of (x − max)/T.

import { describe, expect, it } from "vitest";
import { report } from "./report.js";
import { logSoftmax, logSumExp, softmax } from "../src/index.js";
import { expLane } from "../src/js/exp.js";
import { BACKENDS, f32, llmLogits, refSoftmax, refSoftmaxSameArgs, rng, scaleOf, ulpDiff, withBackend } from "./helpers.js";

const SMALL_LENGTHS = Array.from({ length: 70 }, (_, i) => i + 1);
const LARGE_LENGTHS = [32000, 128256, 151936, 262144, 1_048_576];
const TEMPERATURES = [0.05, 0.3, 0.7, 1, 1.5, 4, 100];

type Pattern = "llm" | "peaked" | "flat" | "huge" | "quantised" | "masked";
const PATTERNS: Pattern[] = ["llm", "peaked", "flat", "huge", "quantised", "masked"];

function make(pattern: Pattern, n: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = llmLogits(n, seed);
  switch (pattern) {
    case "peaked":
      x[Math.floor(r() * n)] = 40;
      break;
    case "flat":
      for (let i = 0; i < n; i++) x[i] = f32(1 + r() * 1e-3);
      break;
    case "huge":
      for (let i = 0; i < n; i++) x[i] = f32((r() * 2 - 1) * 3e38);
      break;
    case "quantised": // many exact ties, as from int8-quantised logits
      for (let i = 0; i < n; i++) x[i] = Math.round(x[i] * 4) / 4;
      break;
    case "masked":
      for (let i = 0; i < n; i++) if (r() < 0.5) x[i] = -Infinity;
      x[Math.floor(r() * n)] = 1;
      break;
  }
  return x;
}

interface Stats { maxRel: number; maxUlp: number; sumErr: number }

function measure(p: Float32Array, ref: Float64Array): Stats {
  let maxRel = 0, maxUlp = 0, sum = 0;
  for (let i = 0; i < p.length; i++) {
    sum += p[i];
    if (ref[i] >= 1e-6) {
      maxRel = Math.max(maxRel, Math.abs(p[i] - ref[i]) / ref[i]);
      maxUlp = Math.max(maxUlp, ulpDiff(p[i], f32(ref[i])));
    }
  }
  return { maxRel, maxUlp, sumErr: Math.abs(sum - 1) };
}

describe("exp kernel", () => {
  it("is within 1 ulp of exp (float64) on every 997th f32 in [−87.3, 0], and exactly 0 for −Infinity", () => {
    const u32 = new Uint32Array(1);
    const v = new Float32Array(u32.buffer);
    let worst = 0, count = 0;
    // f32 bit patterns from −0 (0x80000000) down to −87.3 (0xC2AE999A), increasing magnitude.
    for (let b = 0x80000000; b <= 0xc2ae999a; b += 997) {
      u32[0] = b;
      const u = v[0];
      worst = Math.max(worst, ulpDiff(expLane(u), f32(Math.exp(u))));
      count++;
    }
    report(`exp: ${count} arguments in [−87.3, 0], max error ${worst} ulp`);
    expect(count).toBeGreaterThan(1_000_000);
    expect(worst).toBeLessThanOrEqual(1);
    expect(expLane(f32(-Infinity))).toBe(0);
    expect(expLane(0)).toBe(1);
  });
});

describe.each(BACKENDS)("accuracy on %s", (backend) => {
  it("lengths 1..70 × 7 temperatures × 6 patterns: |Σp − 1| ≤ 1e-6, rel. error ≤ 1e-6 for p ≥ 1e-6 (same-args ref)", () => {
    withBackend(backend, () => {
      let worst: Stats = { maxRel: 0, maxUlp: 0, sumErr: 0 };
      for (const n of SMALL_LENGTHS) {
        for (const t of TEMPERATURES) {
          for (const pattern of PATTERNS) {
            const x = make(pattern, n, n * 1000 + t * 10);
            const s = measure(softmax(x, { temperature: t }), refSoftmaxSameArgs(x, t));
            expect(s.sumErr, `n=${n} T=${t} ${pattern}`).toBeLessThanOrEqual(1e-6);
            expect(s.maxRel, `n=${n} T=${t} ${pattern}`).toBeLessThanOrEqual(1e-6);
            worst = { maxRel: Math.max(worst.maxRel, s.maxRel), maxUlp: Math.max(worst.maxUlp, s.maxUlp), sumErr: Math.max(worst.sumErr, s.sumErr) };
          }
        }
      }
      report(`${backend} small: max rel ${worst.maxRel.toExponential(2)}, max ${worst.maxUlp} ulp, |Σp−1| ≤ ${worst.sumErr.toExponential(2)}`);
    });
  });

  it.each(LARGE_LENGTHS)("V = %i, T ∈ {0.05, 0.7, 1, 100}: |Σp − 1| ≤ 1e-6 and rel. error ≤ 1e-6 for p ≥ 1e-6", (n) => {
    withBackend(backend, () => {
      for (const t of [0.05, 0.7, 1, 100]) {
        for (const pattern of ["llm", "masked"] as Pattern[]) {
          const x = make(pattern, n, n + t);
          const p = softmax(x, { temperature: t });
          const s = measure(p, refSoftmaxSameArgs(x, t));
          expect(s.sumErr).toBeLessThanOrEqual(1e-6);
          expect(s.maxRel).toBeLessThanOrEqual(1e-6);
          if (t === 0.7 && pattern === "llm") {
            const total = measure(p, refSoftmax(x, t));
            report(
              `${backend} V=${n} T=0.7: kernel error ${s.maxRel.toExponential(2)} (${s.maxUlp} ulp), ` +
                `total vs exact math ${total.maxRel.toExponential(2)} (${total.maxUlp} ulp), |Σp−1| = ${s.sumErr.toExponential(2)}`,
            );
          }
        }
      }
    });
  });

  it("logSoftmax is within 2e-6 absolute of ln(p) from the float64 same-args reference (p ≥ 1e-6), and −Infinity when masked", () => {
    withBackend(backend, () => {
      for (const n of [1, 7, 33, 257, 5000, 128256]) {
        for (const t of [0.05, 0.7, 1, 100]) {
          const x = make("masked", n, n * 7 + t);
          const lp = logSoftmax(x, { temperature: t });
          const ref = refSoftmaxSameArgs(x, t);
          for (let i = 0; i < n; i++) {
            if (x[i] === -Infinity) expect(lp[i]).toBe(-Infinity);
            else if (ref[i] >= 1e-6) expect(Math.abs(lp[i] - Math.log(ref[i])), `n=${n} T=${t} i=${i}`).toBeLessThanOrEqual(2e-6 + Math.abs(Math.log(ref[i])) * 2 ** -23);
          }
        }
      }
    });
  });

  it("logSumExp is within 1e-6 relative of max·s + ln Σ exp(u) (float64 same-args reference)", () => {
    withBackend(backend, () => {
      for (const n of [1, 2, 15, 16, 17, 1000, 128256]) {
        for (const t of [0.05, 0.7, 1, 100]) {
          const x = make("llm", n, n + t * 3);
          const s = scaleOf(t);
          let m = -Infinity;
          for (const v of x) if (v > m) m = v;
          let sum = 0;
          for (const v of x) sum += Math.exp(f32(f32(v - m) * s));
          const ref = m * s + Math.log(sum);
          const got = logSumExp(x, { temperature: t }) as number;
          expect(Math.abs(got - ref) / Math.max(1, Math.abs(ref)), `n=${n} T=${t}`).toBeLessThanOrEqual(1e-6);
        }
      }
    });
  });

  it("huge logits (±3e38) with a huge temperature (1e38): exact-math softmax within 1e-6 (no overflow in x − max)", () => {
    withBackend(backend, () => {
      const x = new Float32Array([3e38, -3e38, 0, 2.9e38]);
      for (const t of [1e38, 3e38, 1e36]) {
        const p = softmax(x, { temperature: t });
        const ref = refSoftmax(x, t);
        for (let i = 0; i < x.length; i++) expect(Math.abs(p[i] - ref[i]), `T=${t} i=${i}`).toBeLessThanOrEqual(1e-6);
      }
    });
  });

  it("T = 0 is the one-hot argmax (lowest index on ties); T = Infinity is uniform over unmasked entries", () => {
    withBackend(backend, () => {
      const x = new Float32Array([1, 5, -Infinity, 5, 2]);
      expect(Array.from(softmax(x, { temperature: 0 }))).toEqual([0, 1, 0, 0, 0]);
      expect(Array.from(logSoftmax(x, { temperature: 0 }))).toEqual([-Infinity, 0, -Infinity, -Infinity, -Infinity]);
      expect(Array.from(softmax(x, { temperature: Infinity }))).toEqual([0.25, 0.25, 0, 0.25, 0.25]);
      expect(Array.from(logSoftmax(x, { temperature: Infinity }))).toEqual([f32(-Math.log(4)), f32(-Math.log(4)), -Infinity, f32(-Math.log(4)), f32(-Math.log(4))]);
      expect(logSumExp(x, { temperature: Infinity })).toBe(f32(Math.log(4)));
      expect(logSumExp(x, { temperature: 0 })).toBe(Infinity);
      expect(logSumExp(new Float32Array([0, -1, 0]), { temperature: 0 })).toBe(f32(Math.log(2)));
      expect(logSumExp(new Float32Array([-3, -1]), { temperature: 0 })).toBe(-Infinity);
    });
  });

  it("length 1 gives [1] (log 0) for every temperature", () => {
    withBackend(backend, () => {
      for (const t of [0, 1e-30, 0.7, 1, 1e30, Infinity]) {
        expect(Array.from(softmax([3.5], { temperature: t }))).toEqual([1]);
        expect(Array.from(logSoftmax([3.5], { temperature: t }))).toEqual([0]);
      }
    });
  });
});
