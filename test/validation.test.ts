// Every error of SPEC.md §1 is typed and names the value; failing calls change nothing; the
// module keeps working afterwards. On every backend.

import { describe, expect, it } from "vitest";
import { argmax, logSoftmax, logSumExp, softmax } from "../src/index.js";
import { BACKENDS, bitsOf, firstBitDiff, llmLogits, withBackend } from "./helpers.js";

type Fn = (x: unknown, o?: unknown) => unknown;
const ROWWISE: [string, Fn][] = [
  ["softmax", softmax as Fn],
  ["logSoftmax", logSoftmax as Fn],
];
const ALL: [string, Fn][] = [...ROWWISE, ["logSumExp", logSumExp as Fn], ["argmax", argmax as Fn]];

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe.each(BACKENDS)("errors on %s", (backend) => {
  const run = <T>(f: () => T) => withBackend(backend, f);

  it.each(ALL)("%s: NaN at the first, a middle, the last index and in a later row → RangeError naming logits[i]", (_, fn) => {
    run(() => {
      for (const [n, at, rows] of [[5, 0, 1], [100, 37, 1], [33, 32, 1], [40, 27, 4]]) {
        const x = llmLogits(n, at);
        x[at] = NaN;
        const e = thrown(() => fn(x, rows > 1 ? { rows } : undefined));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain(`logits[${at}]`);
        expect(e.message).toContain("NaN");
        if (rows > 1) expect(e.message).toContain(`row ${Math.floor(at / (n / rows))}`);
      }
    });
  });

  it.each(ALL)("%s: +Infinity → RangeError naming it; 1e39 in a Float64Array/number[] is named with its value", (_, fn) => {
    run(() => {
      const x = llmLogits(20, 1);
      x[7] = Infinity;
      expect(thrown(() => fn(x)).message).toMatch(/logits\[7\] is Infinity/);
      const d = Float64Array.from(llmLogits(20, 1));
      d[3] = 1e39;
      const e = thrown(() => fn(d));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/logits\[3\] is 1e\+39, which overflows float32/);
      expect(thrown(() => fn([1, 2, 1e39])).message).toMatch(/logits\[2\] is 1e\+39/);
    });
  });

  it.each(ALL)("%s: empty input and an all −Infinity row → RangeError (naming the row when rows > 1)", (_, fn) => {
    run(() => {
      expect(thrown(() => fn(new Float32Array(0)))).toBeInstanceOf(RangeError);
      expect(thrown(() => fn([]))).toBeInstanceOf(RangeError);
      expect(thrown(() => fn([-Infinity, -Infinity]))).toBeInstanceOf(RangeError);
      const x = llmLogits(12, 2);
      x.fill(-Infinity, 8, 12);
      const e = thrown(() => fn(x, { rows: 3 }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toContain("row 2");
    });
  });

  it.each(ALL)("%s: non-array logits → TypeError; a non-number element → TypeError naming its index", (_, fn) => {
    run(() => {
      for (const bad of [null, undefined, "abc", 5, { length: 3 }, new Int32Array(3), new Uint8Array(2)]) {
        expect(thrown(() => fn(bad))).toBeInstanceOf(TypeError);
      }
      const e = thrown(() => fn([1, "2", 3]));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toContain("logits[1]");
    });
  });

  it.each(ALL)("%s: bad rows → RangeError/TypeError naming the value; unknown option → TypeError naming the key", (name, fn) => {
    run(() => {
      const x = llmLogits(10, 3);
      for (const rows of [0, -1, 1.5]) expect(thrown(() => fn(x, { rows })).message).toContain(String(rows));
      expect(thrown(() => fn(x, { rows: "2" }))).toBeInstanceOf(TypeError);
      const e = thrown(() => fn(x, { rows: 3 }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/3.*10/);
      for (const key of ["temp", "top_p", name === "argmax" ? "temperature" : "rowz"]) {
        const u = thrown(() => fn(x, { [key]: 1 }));
        expect(u).toBeInstanceOf(TypeError);
        expect(u.message).toContain(key);
      }
      expect(thrown(() => fn(x, 5))).toBeInstanceOf(TypeError);
    });
  });

  it.each(ALL.filter(([n]) => n !== "argmax"))("%s: bad temperatures throw naming the value; edge temperatures never give NaN", (_, fn) => {
    run(() => {
      const x = llmLogits(50, 4);
      for (const t of [-1, NaN, -Infinity, -1e-300]) {
        const e = thrown(() => fn(x, { temperature: t }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain(String(t));
      }
      for (const t of ["0.7", null, {}]) expect(thrown(() => fn(x, { temperature: t }))).toBeInstanceOf(TypeError);
      for (const t of [0, Infinity, 1e-30, 1e30, Number.MIN_VALUE, Number.MAX_VALUE, 1e-45, 3e38]) {
        const r = fn(x, { temperature: t }) as Float32Array | number;
        for (const v of typeof r === "number" ? [r] : r) expect(Number.isNaN(v), `T=${t}`).toBe(false);
      }
    });
  });

  it.each(ROWWISE)("%s: out of the wrong length → RangeError; not a Float32Array → TypeError", (_, fn) => {
    run(() => {
      const x = llmLogits(10, 5);
      expect(thrown(() => fn(x, { out: new Float32Array(9) }))).toBeInstanceOf(RangeError);
      expect(thrown(() => fn(x, { out: new Float64Array(10) }))).toBeInstanceOf(TypeError);
      expect(thrown(() => fn(x, { out: new Array(10).fill(0) }))).toBeInstanceOf(TypeError);
    });
  });

  it.each(ROWWISE)("%s: the caller's input and out are untouched by failing calls; input untouched by successful ones", (_, fn) => {
    run(() => {
      const x = llmLogits(64, 6);
      x[40] = NaN;
      const before = x.slice();
      const out = new Float32Array(64).fill(7);
      expect(() => fn(x, { out, rows: 2 })).toThrow(RangeError);
      expect(bitsOf(x)).toEqual(bitsOf(before));
      expect(out.every((v) => v === 7)).toBe(true);
      const y = llmLogits(64, 7);
      const yb = y.slice();
      fn(y);
      fn(y, { out: new Float32Array(64), temperature: 0.3 });
      fn(y, { temperature: 0 });
      fn(y, { temperature: Infinity, rows: 4 });
      expect(bitsOf(y)).toEqual(bitsOf(yb));
    });
  });

  it.each(ROWWISE)("%s: in place (out === logits) equals the out-of-place result bit for bit", (_, fn) => {
    run(() => {
      for (const n of [1, 17, 1000]) {
        const x = llmLogits(n, n);
        const expected = fn(x, { temperature: 0.6 }) as Float32Array;
        const got = fn(x, { temperature: 0.6, out: x });
        expect(got).toBe(x);
        expect(firstBitDiff(x, expected)).toBe(-1);
      }
    });
  });

  it.each(ALL)("%s: after any error the next valid call returns the same result as before", (_, fn) => {
    run(() => {
      const good = llmLogits(300, 8);
      const first = fn(good);
      const bad = good.slice();
      bad[299] = NaN;
      for (let i = 0; i < 3; i++) expect(() => fn(bad)).toThrow(RangeError);
      expect(() => fn(good, { rows: 7 })).toThrow(RangeError);
      const again = fn(good);
      if (typeof first === "number") expect(again).toBe(first);
      else expect(firstBitDiff(again as Float32Array, first as Float32Array)).toBe(-1);
    });
  });
});
