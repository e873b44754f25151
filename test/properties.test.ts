// Property-based tests (fast-check) of SPEC.md §1–2 for softmax, logSoftmax, logSumExp and argmax:
// each property runs on every backend, and the last block checks that the three backends agree to
// the bit on the same random inputs.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { argmax, logSoftmax, logSumExp, softmax, type BackendName } from "../src/index.js";
import { BACKENDS, bitsOf, f32, firstBitDiff, scaleOf, withBackend } from "./helpers.js";

/**
 * 200 runs per property. interruptAfterTimeLimit only bounds the time fast-check spends shrinking
 * a counterexample (shrinking 300-element Float32Arrays can take many minutes): an interrupted
 * run still reports the failure found, and a passing property finishes in well under a second.
 */
const RUNS = { numRuns: 200, interruptAfterTimeLimit: 30_000 };

/** One logit in [−1e4, 1e4], an f32 value. */
const logit = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }).map(f32);
/** Logits of length 1..300 from fc.float32Array. */
const f32Logits = fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4, minLength: 1, maxLength: 300, size: "max" });
/** Logits of length 1..300 as an array of fc.float, many of them ties (small integers). */
const tieLogits = fc
  .array(fc.oneof(logit, fc.integer({ min: -4, max: 4 })), { minLength: 1, maxLength: 300, size: "max" })
  .map((a) => Float32Array.from(a));
const logits = fc.oneof(f32Logits, tieLogits);
/** Any finite f32 logits, down to ±3.4e38: for stability and determinism. */
const wideLogits = fc.float32Array({ noNaN: true, noDefaultInfinity: true, minLength: 1, maxLength: 300, size: "max" });
const temperature = fc.double({ min: 0.05, max: 100, noNaN: true });
/** Logits on a grid of 1/8 in [−64, 64] or integers in [−10⁴, 10⁴]: adding an integer c ∈ [−100, 100] is exact in f32. */
const gridLogits = fc.oneof(
  fc.array(fc.integer({ min: -512, max: 512 }), { minLength: 1, maxLength: 300, size: "max" }).map((a) => Float32Array.from(a, (v) => v / 8)),
  fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 1, maxLength: 300, size: "max" }).map((a) => Float32Array.from(a)),
);
/** Logits with random -Infinity masks, at least one entry left finite. */
const maskedLogits = fc
  .tuple(logits, fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }), fc.nat())
  .map(([x, mask, keep]) => {
    const y = x.slice();
    for (let i = 0; i < y.length; i++) if (mask[i]) y[i] = -Infinity;
    const k = keep % y.length;
    y[k] = x[k];
    return y;
  });
/** rows × cols logits (rows 1..6, cols 1..60), some masked, no row all masked. */
const rowsLogits = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 60 }))
  .chain(([rows, cols]) =>
    fc.tuple(
      fc.constant(rows),
      fc.constant(cols),
      fc.float32Array({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4, minLength: rows * cols, maxLength: rows * cols }),
      fc.array(fc.boolean(), { minLength: rows * cols, maxLength: rows * cols }),
      fc.array(fc.nat(), { minLength: rows, maxLength: rows }),
    ),
  )
  .map(([rows, cols, x, mask, keep]) => {
    const y = x.slice();
    for (let i = 0; i < y.length; i++) if (mask[i] && i % 3 !== 0) y[i] = -Infinity;
    for (let r = 0; r < rows; r++) {
      const k = r * cols + (keep[r] % cols);
      y[k] = x[k];
    }
    return { rows, cols, x: y };
  });

/** Lowest index of the maximum (the reference argmax). */
function refArgmax(x: ArrayLike<number>, o = 0, n = x.length - o): number {
  let k = 0;
  for (let i = 1; i < n; i++) if (x[o + i] > x[o + k]) k = i;
  return k;
}

function sum64(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/** float64 reference: max/T + ln Σ exp((x − max)/T). */
function refLogSumExp(x: ArrayLike<number>, t: number): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp((x[i] - m) / t);
  return m / t + Math.log(s);
}

/**
 * Checks that `p` orders like `x`: sorting the indices by x, consecutive entries must have
 * x_a < x_b ⇒ p_a ≤ p_b and x_a = x_b ⇒ p_a = p_b (by transitivity this covers every pair).
 */
function ordersLike(x: Float32Array, p: Float32Array): string | undefined {
  const idx = Array.from(x, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  for (let k = 1; k < idx.length; k++) {
    const a = idx[k - 1], b = idx[k];
    if (x[a] === x[b] ? !Object.is(p[a] === 0 ? 0 : p[a], p[b] === 0 ? 0 : p[b]) : !(p[a] <= p[b])) {
      return `x[${a}] = ${x[a]}, x[${b}] = ${x[b]} but p[${a}] = ${p[a]}, p[${b}] = ${p[b]}`;
    }
  }
  return undefined;
}

describe.each(BACKENDS)("properties on the %s backend", (backend: BackendName) => {
  const check = <Ts extends unknown[]>(property: fc.IProperty<Ts>) => withBackend(backend, () => fc.assert(property, RUNS));

  it("softmax sums to 1: |Σp − 1| ≤ 1e-6 (sum in float64), for lengths 1..300 and T ∈ [0.05, 100]", () => {
    check(fc.property(logits, temperature, (x, t) => {
      const sum = sum64(softmax(x, { temperature: t }));
      expect(Math.abs(sum - 1), `Σp = ${sum}`).toBeLessThanOrEqual(1e-6);
    }));
  });

  it("softmax of one peak (13.5 or 15.5) above n zeros (n = 252, 300, 1000, 4096) sums to 1 within 1e-6: the normaliser must not drift", () => {
    withBackend(backend, () => {
      for (const [n, peak] of [[252, 13.5], [300, 15.5], [1000, 13.5], [4096, 13.5]]) {
        const x = new Float32Array(n);
        x[0] = peak;
        const sum = sum64(softmax(x));
        expect(Math.abs(sum - 1), `n = ${n}, peak ${peak}: Σp = ${sum}`).toBeLessThanOrEqual(1e-6);
      }
    });
  });

  it("softmax sums to 1 within 1e-6 and has no NaN for any finite f32 logits down to ±3.4e38 (stable)", () => {
    check(fc.property(wideLogits, temperature, (x, t) => {
      const p = softmax(x, { temperature: t });
      expect(p.some(Number.isNaN)).toBe(false);
      expect(Math.abs(sum64(p) - 1)).toBeLessThanOrEqual(1e-6);
      const lp = logSoftmax(x, { temperature: t });
      expect(lp.some((v) => Number.isNaN(v) || v > 0)).toBe(false);
      expect(Number.isNaN(logSumExp(x, { temperature: t }) as number)).toBe(false);
    }));
  });

  it("every row of a multi-row softmax sums to 1 within 1e-6, with masks", () => {
    check(fc.property(rowsLogits, temperature, ({ rows, cols, x }, t) => {
      const p = softmax(x, { temperature: t, rows });
      for (let r = 0; r < rows; r++) {
        expect(Math.abs(sum64(p.subarray(r * cols, (r + 1) * cols)) - 1), `row ${r}`).toBeLessThanOrEqual(1e-6);
      }
    }));
  });

  it("softmax and logSoftmax preserve order: x_i < x_j ⇒ p_i ≤ p_j, x_i = x_j ⇒ p_i = p_j", () => {
    check(fc.property(logits, temperature, (x, t) => {
      expect(ordersLike(x, softmax(x, { temperature: t }))).toBeUndefined();
      expect(ordersLike(x, logSoftmax(x, { temperature: t }))).toBeUndefined();
    }));
  });

  it("adding an integer c ∈ [−100, 100] to grid logits (exact in f32) leaves softmax, logSoftmax and argmax bit-identical, and shifts logSumExp by c·f32(1/T)", () => {
    check(fc.property(gridLogits, fc.integer({ min: -100, max: 100 }), temperature, (x, c, t) => {
      const y = x.map((v) => v + c);
      for (let i = 0; i < x.length; i++) expect(y[i] - c).toBe(x[i]); // the shift is exact
      expect(firstBitDiff(softmax(y, { temperature: t }), softmax(x, { temperature: t }))).toBe(-1);
      expect(firstBitDiff(logSoftmax(y, { temperature: t }), logSoftmax(x, { temperature: t }))).toBe(-1);
      expect(argmax(y)).toBe(argmax(x));
      const a = logSumExp(x, { temperature: t }) as number;
      const b = logSumExp(y, { temperature: t }) as number;
      const cs = c * scaleOf(t);
      // Each logSumExp is one f32 rounding of a value of size ≤ |a|, |b|: allow a few ulps of those.
      expect(Math.abs(b - (a + cs))).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(a) + Math.abs(b) + Math.abs(cs)));
    }));
  });

  it("T = 0: softmax is exactly the one-hot of the argmax (lowest index on ties), logSoftmax 0 there and −Infinity elsewhere", () => {
    check(fc.property(fc.oneof(tieLogits, maskedLogits), (x) => {
      const k = refArgmax(x);
      const hot = new Float32Array(x.length);
      hot[k] = 1;
      const logHot = new Float32Array(x.length).fill(-Infinity);
      logHot[k] = 0;
      expect(bitsOf(softmax(x, { temperature: 0 }))).toEqual(bitsOf(hot));
      expect(bitsOf(logSoftmax(x, { temperature: 0 }))).toEqual(bitsOf(logHot));
    }));
  });

  it("T = 1e-6 with a gap ≥ 1 between the max and the second max: p[argmax] = 1 exactly, every other p = 0, logSoftmax[argmax] = 0", () => {
    check(fc.property(f32Logits, fc.nat(), fc.double({ min: 1.01, max: 100, noNaN: true }), (x0, at, gap) => {
      const x = x0.slice();
      const k = at % x.length;
      let second = -Infinity;
      for (let i = 0; i < x.length; i++) if (i !== k && x[i] > second) second = x[i];
      x[k] = x.length === 1 ? x[k] : f32(second + gap);
      if (x.length > 1) expect(x[k] - second).toBeGreaterThanOrEqual(1);
      const p = softmax(x, { temperature: 1e-6 });
      const hot = new Float32Array(x.length);
      hot[k] = 1;
      expect(bitsOf(p)).toEqual(bitsOf(hot));
      // ±0: logSoftmax([−0]) is −0 (the kernels subtract a −0 max), which is log 1 all the same.
      expect(logSoftmax(x, { temperature: 1e-6 })[k] === 0).toBe(true);
      expect(argmax(x)).toBe(k);
    }));
  });

  it("T = Infinity: softmax is exactly f32(1/k) on the k entries that are not −Infinity and 0 on the masked ones; logSoftmax is −ln k within 1e-6 and −Infinity", () => {
    check(fc.property(maskedLogits, (x) => {
      let k = 0;
      for (const v of x) if (v !== -Infinity) k++;
      const p = softmax(x, { temperature: Infinity });
      const want = Float32Array.from(x, (v) => (v === -Infinity ? 0 : f32(1 / k)));
      expect(bitsOf(p)).toEqual(bitsOf(want));
      const lp = logSoftmax(x, { temperature: Infinity });
      for (let i = 0; i < x.length; i++) {
        if (x[i] === -Infinity) expect(lp[i]).toBe(-Infinity);
        else expect(Math.abs(lp[i] + Math.log(k))).toBeLessThanOrEqual(1e-6);
      }
      expect(Math.abs((logSumExp(x, { temperature: Infinity }) as number) - Math.log(k))).toBeLessThanOrEqual(1e-6);
    }));
  });

  it("huge finite T (1e35, 1e38): softmax is within 1e-6 of 1/k on the k unmasked entries and 0 on masked ones", () => {
    check(fc.property(maskedLogits, fc.constantFrom(1e35, 1e38), (x, t) => {
      let k = 0;
      for (const v of x) if (v !== -Infinity) k++;
      const p = softmax(x, { temperature: t });
      for (let i = 0; i < x.length; i++) {
        if (x[i] === -Infinity) expect(p[i]).toBe(0);
        else expect(Math.abs(p[i] - 1 / k)).toBeLessThanOrEqual(1e-6);
      }
    }));
  });

  it("masked (−Infinity) entries get probability exactly 0 and log-probability −Infinity at any T (0, Infinity, tiny, huge, [0.05, 100])", () => {
    const anyT = fc.oneof(temperature, fc.constantFrom(0, Infinity, 1e-30, 1e-6, 1e30, 1e35, Number.MIN_VALUE, Number.MAX_VALUE));
    check(fc.property(maskedLogits, anyT, (x, t) => {
      const p = softmax(x, { temperature: t });
      const lp = logSoftmax(x, { temperature: t });
      for (let i = 0; i < x.length; i++) {
        if (x[i] === -Infinity) {
          expect(Object.is(p[i], 0), `p[${i}] = ${p[i]}`).toBe(true);
          expect(lp[i]).toBe(-Infinity);
        } else {
          expect(Number.isNaN(p[i]) || Number.isNaN(lp[i])).toBe(false);
        }
      }
      expect(Math.abs(sum64(p) - 1)).toBeLessThanOrEqual(1e-6);
    }));
  });

  it("masking is removal: the unmasked probabilities equal softmax of the unmasked entries alone within 1e-6", () => {
    check(fc.property(maskedLogits, temperature, (x, t) => {
      const kept = x.filter((v) => v !== -Infinity);
      const p = softmax(x, { temperature: t });
      const q = softmax(kept, { temperature: t });
      let j = 0;
      for (let i = 0; i < x.length; i++) if (x[i] !== -Infinity) expect(Math.abs(p[i] - q[j++])).toBeLessThanOrEqual(1e-6);
    }));
  });

  it("logSoftmax agrees with Math.log(softmax) within 1e-5 absolute wherever p ≥ 1e-6", () => {
    check(fc.property(fc.oneof(logits, maskedLogits), temperature, (x, t) => {
      const p = softmax(x, { temperature: t });
      const lp = logSoftmax(x, { temperature: t });
      for (let i = 0; i < x.length; i++) {
        if (p[i] >= 1e-6) expect(Math.abs(lp[i] - Math.log(p[i])), `i=${i} p=${p[i]} lp=${lp[i]}`).toBeLessThanOrEqual(1e-5);
      }
    }));
  });

  it("logSumExp(x) ≈ max/T + ln Σ exp((x − max)/T) (float64 reference) within 1e-5 relative", () => {
    check(fc.property(fc.oneof(logits, maskedLogits), temperature, (x, t) => {
      const got = logSumExp(x, { temperature: t }) as number;
      const ref = refLogSumExp(x, t);
      expect(typeof got).toBe("number");
      expect(Math.abs(got - ref), `got ${got}, ref ${ref}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref)));
    }));
  });

  it("logSoftmax = x/T − logSumExp within 1e-5 relative to the larger of |x/T| and |logSumExp|, at unmasked entries", () => {
    check(fc.property(maskedLogits, temperature, (x, t) => {
      const lp = logSoftmax(x, { temperature: t });
      const l = logSumExp(x, { temperature: t }) as number;
      for (let i = 0; i < x.length; i++) {
        if (x[i] === -Infinity) continue;
        const ref = x[i] / t - l;
        expect(Math.abs(lp[i] - ref)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(x[i] / t), Math.abs(l)));
      }
    }));
  });

  it("argmax is the lowest index of the maximum (many ties and masks)", () => {
    check(fc.property(fc.oneof(tieLogits, maskedLogits, wideLogits), (x) => {
      expect(argmax(x)).toBe(refArgmax(x));
      expect(argmax(Array.from(x))).toBe(refArgmax(x));
    }));
  });

  it("rows > 1: each row's argmax, softmax, logSoftmax and logSumExp equal those of the row computed alone, bit for bit", () => {
    check(fc.property(rowsLogits, fc.oneof(temperature, fc.constantFrom(0, Infinity)), ({ rows, cols, x }, t) => {
      const p = softmax(x, { temperature: t, rows });
      const lp = logSoftmax(x, { temperature: t, rows });
      const l = logSumExp(x, { temperature: t, rows });
      const am = argmax(x, { rows });
      if (rows === 1) {
        expect(typeof l).toBe("number");
        expect(typeof am).toBe("number");
      } else {
        expect(l).toBeInstanceOf(Float32Array);
        expect(am).toBeInstanceOf(Int32Array);
        expect((l as Float32Array).length).toBe(rows);
        expect((am as Int32Array).length).toBe(rows);
      }
      for (let r = 0; r < rows; r++) {
        const row = x.slice(r * cols, (r + 1) * cols);
        const rowAm = rows === 1 ? (am as number) : (am as Int32Array)[r];
        expect(rowAm, `argmax row ${r}`).toBe(argmax(row));
        expect(rowAm).toBe(refArgmax(x, r * cols, cols));
        expect(firstBitDiff(p.subarray(r * cols, (r + 1) * cols), softmax(row, { temperature: t })), `softmax row ${r}`).toBe(-1);
        expect(firstBitDiff(lp.subarray(r * cols, (r + 1) * cols), logSoftmax(row, { temperature: t })), `logSoftmax row ${r}`).toBe(-1);
        const rowL = rows === 1 ? (l as number) : (l as Float32Array)[r];
        expect(Object.is(rowL, logSumExp(row, { temperature: t })), `logSumExp row ${r}`).toBe(true);
      }
    }));
  });

  it("Float64Array and number[] inputs give the same bits as the Float32Array of their f32 roundings", () => {
    const doubles = fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 300, size: "max" });
    check(fc.property(doubles, temperature, (d, t) => {
      const x = Float32Array.from(d);
      const want = softmax(x, { temperature: t });
      expect(firstBitDiff(softmax(Float64Array.from(d), { temperature: t }), want)).toBe(-1);
      expect(firstBitDiff(softmax(d, { temperature: t }), want)).toBe(-1);
      expect(firstBitDiff(logSoftmax(d, { temperature: t }), logSoftmax(x, { temperature: t }))).toBe(-1);
      expect(Object.is(logSumExp(d, { temperature: t }), logSumExp(x, { temperature: t }))).toBe(true);
      expect(argmax(d)).toBe(argmax(x));
    }));
  });

  it("in place (out === logits) equals the out-of-place result bit for bit", () => {
    check(fc.property(fc.oneof(logits, maskedLogits), fc.oneof(temperature, fc.constantFrom(0, Infinity)), (x, t) => {
      const p = softmax(x, { temperature: t });
      const lp = logSoftmax(x, { temperature: t });
      const a = x.slice();
      const b = x.slice();
      expect(softmax(a, { temperature: t, out: a })).toBe(a);
      expect(logSoftmax(b, { temperature: t, out: b })).toBe(b);
      expect(firstBitDiff(a, p)).toBe(-1);
      expect(firstBitDiff(b, lp)).toBe(-1);
    }));
  });
});

describe("bit-identity across the simd, wasm and js backends", () => {
  type Out = [Float32Array, Float32Array, Float32Array, Int32Array];
  const all = (x: Float32Array, t: number, rows: number): Out =>
    [
      softmax(x, { temperature: t, rows }),
      logSoftmax(x, { temperature: t, rows }),
      Float32Array.of(...(rows === 1 ? [logSumExp(x, { temperature: t }) as number] : (logSumExp(x, { temperature: t, rows }) as Float32Array))),
      rows === 1 ? Int32Array.of(argmax(x) as number) : (argmax(x, { rows }) as Int32Array),
    ];
  const compare = (x: Float32Array, t: number, rows: number) => {
    const [a, ...others] = BACKENDS.map((name) => withBackend(name, () => all(x, t, rows)));
    others.forEach((o, b) => {
      const what = ["softmax", "logSoftmax", "logSumExp", "argmax"];
      for (let f = 0; f < 3; f++) {
        const d = firstBitDiff(o[f] as Float32Array, a[f] as Float32Array);
        expect(d, `${what[f]} on ${BACKENDS[b + 1]} differs from ${BACKENDS[0]} at ${d}: ${o[f][d]} vs ${a[f][d]} (T=${t})`).toBe(-1);
      }
      expect(Array.from(o[3]), `argmax on ${BACKENDS[b + 1]}`).toEqual(Array.from(a[3]));
    });
  };
  const anyT = fc.oneof(temperature, fc.constantFrom(0, Infinity, 1e-30, 1e-6, 1e30, 1e35, 3.5e38, Number.MIN_VALUE));

  it("softmax, logSoftmax, logSumExp and argmax are bit-identical on every backend for random logits (lengths 1..300, masks, ties) and T", () => {
    fc.assert(fc.property(fc.oneof(logits, maskedLogits), anyT, (x, t) => compare(x, t, 1)), RUNS);
  });

  it("bit-identical on every backend for any finite f32 logits (down to ±3.4e38)", () => {
    fc.assert(fc.property(wideLogits, anyT, (x, t) => compare(x, t, 1)), RUNS);
  });

  it("bit-identical on every backend for multi-row inputs", () => {
    fc.assert(fc.property(rowsLogits, anyT, ({ rows, x }, t) => compare(x, t, rows)), RUNS);
  });

  it("bit-identical on every backend for long rows (lengths 300..5000, crossing block and SIMD boundaries)", () => {
    const long = fc
      .tuple(fc.integer({ min: 300, max: 5000 }), fc.integer(), fc.double({ min: 0, max: 0.5, noNaN: true }))
      .map(([n, seed, maskRate]) => {
        // A cheap deterministic generator: fast-check's shrinking then works on (n, seed, rate).
        let s = seed >>> 0;
        const next = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
        const x = new Float32Array(n);
        for (let i = 0; i < n; i++) x[i] = next() < maskRate && i > 0 ? -Infinity : f32((next() - 0.5) * 40);
        return x;
      });
    fc.assert(fc.property(long, anyT, (x, t) => compare(x, t, 1)), { ...RUNS, numRuns: 60 });
  });
});
