// Property tests (fast-check) of the softmax family, on every backend.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { argmax, logSoftmax, logSumExp, softmax } from "../src/index.js";
import { BACKENDS, bitsOf, f32, withBackend } from "./helpers.js";

const logit = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }).map(f32);
const logits = fc.array(logit, { minLength: 1, maxLength: 300 }).map((a) => Float32Array.from(a));
const temperature = fc.double({ min: 0.05, max: 100, noNaN: true });
/** Multiples of 1/8 in [−64, 64]: adding an integer in [−100, 100] to them is exact in f32. */
const gridLogits = fc.array(fc.integer({ min: -512, max: 512 }), { minLength: 1, maxLength: 200 }).map((a) => Float32Array.from(a, (v) => v / 8));
const runs = { numRuns: 200 };

describe.each(BACKENDS)("properties on %s", (backend) => {
  const prop = (p: fc.IProperty<unknown> | fc.IAsyncProperty<unknown>) => withBackend(backend, () => fc.assert(p as fc.IProperty<unknown>, runs));

  it("softmax sums to 1 within 1e-6 (float64 sum) for any logits and T ∈ [0.05, 100]", () => {
    prop(fc.property(logits, temperature, (x, t) => {
      const sum = softmax(x, { temperature: t }).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-6);
    }));
  });

  it("softmax preserves order: x_i < x_j ⇒ p_i ≤ p_j, and x_i = x_j ⇒ p_i = p_j", () => {
    prop(fc.property(logits, temperature, (x, t) => {
      const p = softmax(x, { temperature: t });
      for (let i = 0; i < x.length; i++) {
        for (let j = i + 1; j < Math.min(x.length, i + 20); j++) {
          if (x[i] < x[j]) expect(p[i]).toBeLessThanOrEqual(p[j]);
          else if (x[i] > x[j]) expect(p[i]).toBeGreaterThanOrEqual(p[j]);
          else expect(p[i]).toBe(p[j]);
        }
      }
    }));
  });

  it("adding a constant (exactly representable) changes nothing: bit-identical results", () => {
    prop(fc.property(gridLogits, fc.integer({ min: -100, max: 100 }), temperature, (x, c, t) => {
      const shifted = x.map((v) => v + c);
      expect(bitsOf(softmax(shifted, { temperature: t }))).toEqual(bitsOf(softmax(x, { temperature: t })));
      expect(argmax(shifted)).toBe(argmax(x));
    }));
  });

  it("T = 0 is the argmax one-hot (lowest index on ties), logSoftmax 0 there and −Infinity elsewhere; T = 1e-6 with a gap ≥ 1 gives exactly 1 at the argmax", () => {
    prop(fc.property(gridLogits, (x) => {
      let k = 0;
      for (let i = 1; i < x.length; i++) if (x[i] > x[k]) k = i;
      expect(argmax(x)).toBe(k);
      const p = softmax(x, { temperature: 0 });
      const lp = logSoftmax(x, { temperature: 0 });
      for (let i = 0; i < x.length; i++) {
        expect(p[i]).toBe(i === k ? 1 : 0);
        expect(lp[i]).toBe(i === k ? 0 : -Infinity);
      }
      const second = Math.max(-Infinity, ...Array.from(x).filter((_, i) => i !== k));
      if (x[k] - second >= 1) expect(softmax(x, { temperature: 1e-6 })[k]).toBe(1);
    }));
  });

  it("T = Infinity is uniform, exactly f32(1/k), over the k unmasked entries, 0 on masked ones", () => {
    prop(fc.property(logits, fc.array(fc.boolean(), { maxLength: 300 }), (x, mask) => {
      for (let i = 0; i < x.length - 1; i++) if (mask[i]) x[i] = -Infinity; // the last stays finite
      const k = x.filter((v) => v !== -Infinity).length;
      const p = softmax(x, { temperature: Infinity });
      for (let i = 0; i < x.length; i++) expect(p[i]).toBe(x[i] === -Infinity ? 0 : f32(1 / k));
    }));
  });

  it("masked entries get probability exactly 0 and log-probability −Infinity, at any T", () => {
    prop(fc.property(logits, fc.array(fc.boolean(), { maxLength: 300 }), fc.constantFrom(0, 0.3, 1, 7, Infinity), (x, mask, t) => {
      for (let i = 0; i < x.length - 1; i++) if (mask[i]) x[i] = -Infinity;
      const p = softmax(x, { temperature: t });
      const lp = logSoftmax(x, { temperature: t });
      for (let i = 0; i < x.length; i++) {
        if (x[i] === -Infinity) {
          expect(p[i]).toBe(0);
          expect(lp[i]).toBe(-Infinity);
        }
      }
    }));
  });

  it("logSoftmax ≈ ln(softmax) within 1e-5 absolute where p ≥ 1e-6; logSumExp ≈ max/T + ln Σ exp((x − max)/T) within 1e-5 relative", () => {
    prop(fc.property(logits, temperature, (x, t) => {
      const p = softmax(x, { temperature: t });
      const lp = logSoftmax(x, { temperature: t });
      for (let i = 0; i < x.length; i++) if (p[i] >= 1e-6) expect(Math.abs(lp[i] - Math.log(p[i]))).toBeLessThanOrEqual(1e-5 + Math.abs(lp[i]) * 1e-6);
      let m = -Infinity;
      for (const v of x) if (v > m) m = v;
      let s = 0;
      for (const v of x) s += Math.exp((v - m) / t);
      const ref = m / t + Math.log(s);
      expect(Math.abs((logSumExp(x, { temperature: t }) as number) - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
    }));
  });

  it("rows: each row's softmax, logSoftmax and argmax equal that row computed alone, bit for bit", () => {
    prop(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 60 }), fc.integer(), temperature, (rows, cols, seed, t) => {
      const x = new Float32Array(rows * cols).map((_, i) => f32(Math.sin(seed + i * 12.9898) * 40));
      const all = softmax(x, { rows, temperature: t });
      const allLog = logSoftmax(x, { rows, temperature: t });
      const am = argmax(x, { rows });
      for (let r = 0; r < rows; r++) {
        const row = x.subarray(r * cols, (r + 1) * cols);
        expect(bitsOf(all.subarray(r * cols, (r + 1) * cols))).toEqual(bitsOf(softmax(row, { temperature: t })));
        expect(bitsOf(allLog.subarray(r * cols, (r + 1) * cols))).toEqual(bitsOf(logSoftmax(row, { temperature: t })));
        expect(rows === 1 ? am : (am as Int32Array)[r]).toBe(argmax(row));
      }
    }));
  });
});

describe("properties across backends", () => {
  it("softmax and logSoftmax are bit-identical on simd, wasm and js for random logits and temperatures", () => {
    fc.assert(fc.property(logits, fc.oneof(temperature, fc.constantFrom(0, Infinity, 1e-30, 1e30)), (x, t) => {
      const [a, b, c] = BACKENDS.map((n) => withBackend(n, () => [softmax(x, { temperature: t }), logSoftmax(x, { temperature: t })]));
      for (let f = 0; f < 2; f++) {
        expect(bitsOf(b[f])).toEqual(bitsOf(a[f]));
        expect(bitsOf(c[f])).toEqual(bitsOf(a[f]));
      }
    }), { numRuns: 300 });
  });
});
