// Error contract of SPEC.md §1 for softmax, logSoftmax, logSumExp and argmax, on every backend:
// each bad argument gives the right error type with a message naming the index, row, key or value;
// a failing call changes neither the caller's logits nor `out`; successful calls never modify the
// input (unless out === logits); the module stays usable after any error.

import { describe, expect, it } from "vitest";
import { argmax, getBackend, logSoftmax, logSumExp, setBackend, softmax, wasmInput, type BackendName } from "../src/index.js";
import { BACKENDS, bitsOf, f32, firstBitDiff, llmLogits, rng, withBackend } from "./helpers.js";

type Fn = (x: unknown, o?: unknown) => unknown;
type Named = [string, Fn];

const SOFTMAX: Named = ["softmax", softmax as Fn];
const LOG_SOFTMAX: Named = ["logSoftmax", logSoftmax as Fn];
const LSE: Named = ["logSumExp", logSumExp as Fn];
const ARGMAX: Named = ["argmax", argmax as Fn];
/** Functions taking `out`. */
const ROWWISE: Named[] = [SOFTMAX, LOG_SOFTMAX];
/** Functions taking `temperature`. */
const TEMPERED: Named[] = [SOFTMAX, LOG_SOFTMAX, LSE];
const ALL: Named[] = [SOFTMAX, LOG_SOFTMAX, LSE, ARGMAX];

/** The error `f` throws; fails the test if it returns normally. */
function caught(f: () => unknown): Error {
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error(`expected a throw, got ${String(result)}`);
}

/** A result of any of the four functions as a list of numbers. */
function values(r: unknown): number[] {
  if (typeof r === "number") return [r];
  if (r instanceof Float32Array || r instanceof Int32Array) return Array.from(r);
  throw new Error(`unexpected result ${String(r)}`);
}

/** Bit-level equality of two results of the same function (number, Float32Array or Int32Array). */
function expectSameResult(got: unknown, want: unknown, what: string): void {
  if (typeof want === "number") {
    expect(typeof got, what).toBe("number");
    expect(Object.is(got, want), `${what}: ${String(got)} vs ${String(want)}`).toBe(true);
  } else if (want instanceof Float32Array) {
    expect(got, what).toBeInstanceOf(Float32Array);
    expect(firstBitDiff(got as Float32Array, want), what).toBe(-1);
  } else {
    expect(got, what).toBeInstanceOf(Int32Array);
    expect(Array.from(got as Int32Array), what).toEqual(Array.from(want as Int32Array));
  }
}

/** LLM-like logits with one bad value at a flat index. */
function withValueAt(n: number, at: number, v: number, seed = n * 31 + at): Float32Array {
  const x = llmLogits(n, seed);
  x[at] = v;
  return x;
}

/** Every failing call we know of, for one function, as [label, logits, options]. */
function errorCases(name: string): [string, () => unknown, unknown][] {
  const rowwise = name === "softmax" || name === "logSoftmax";
  const tempered = name !== "argmax";
  const cases: [string, () => unknown, unknown][] = [
    ["NaN first", () => withValueAt(16, 0, NaN), undefined],
    ["NaN last", () => withValueAt(16, 15, NaN), undefined],
    ["NaN in row 2 of 3", () => withValueAt(24, 19, NaN), { rows: 3 }],
    ["+Infinity middle", () => withValueAt(16, 7, Infinity), undefined],
    ["1e39 in a Float64Array", () => Float64Array.from([1, 2, 1e39, 3]), undefined],
    ["1e39 in a number[]", () => [1, 2, 3, 1e39], undefined],
    ["all -Infinity", () => new Float32Array(5).fill(-Infinity), undefined],
    ["row 1 all -Infinity", () => llmLogits(12, 1).fill(-Infinity, 4, 8), { rows: 3 }],
    ["rows 0", () => llmLogits(12, 2), { rows: 0 }],
    ["rows 5 of 12", () => llmLogits(12, 2), { rows: 5 }],
    ["rows \"2\"", () => llmLogits(12, 2), { rows: "2" }],
    ["unknown option", () => llmLogits(12, 3), { top_p: 0.9 }],
    ["a string element", () => [1, 2, "3"], undefined],
  ];
  if (tempered) {
    cases.push(["temperature -1", () => llmLogits(12, 4), { temperature: -1 }]);
    cases.push(["temperature NaN", () => llmLogits(12, 4), { temperature: NaN }]);
    cases.push(["temperature \"0.7\"", () => llmLogits(12, 4), { temperature: "0.7" }]);
    cases.push(["NaN at T = 0", () => withValueAt(12, 5, NaN), { temperature: 0 }]);
    cases.push(["NaN at T = Infinity", () => withValueAt(12, 5, NaN), { temperature: Infinity }]);
  }
  if (rowwise) {
    cases.push(["out too short", () => llmLogits(12, 5), { out: new Float32Array(11) }]);
    cases.push(["out a Float64Array", () => llmLogits(12, 5), { out: new Float64Array(12) }]);
  }
  return cases;
}

describe.each(BACKENDS)("errors on the %s backend", (backend: BackendName) => {
  const on = <T>(f: () => T): T => withBackend(backend, f);

  describe.each(ALL)("%s", (name, fn) => {
    const tempered = TEMPERED.some(([n]) => n === name);

    it.each([
      ["the first index", 0, 16],
      ["a middle index", 7, 16],
      ["the last index", 15, 16],
      ["the only index", 0, 1],
      ["the middle of a long row", 515, 1031],
      ["the end of a long row", 1030, 1031],
    ] as [string, number, number][])("NaN at %s, logits[%i] of %i → RangeError naming that index and NaN", (_, at, n) =>
      on(() => {
        const e = caught(() => fn(withValueAt(n, at, NaN)));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain(`logits[${at}]`);
        expect(e.message).toContain("NaN");
      }));

    it("NaN at every index of a length-37 row (all SIMD lane and tail positions) → RangeError naming that index", () =>
      on(() => {
        for (let at = 0; at < 37; at++) {
          const e = caught(() => fn(withValueAt(37, at, NaN, 5)));
          expect(e, `at ${at}`).toBeInstanceOf(RangeError);
          expect(e.message, `at ${at}`).toContain(`logits[${at}]`);
          expect(e.message, `at ${at}`).toContain("NaN");
        }
      }));

    it.each([
      { rows: 3, cols: 8, at: 19 },
      { rows: 4, cols: 5, at: 15 },
      { rows: 2, cols: 300, at: 599 },
    ])("NaN in a later row (flat index $at, $rows rows of $cols) → RangeError naming logits[$at], NaN and the row", ({ rows, cols, at }) =>
      on(() => {
        const e = caught(() => fn(withValueAt(rows * cols, at, NaN), { rows }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain(`logits[${at}]`);
        expect(e.message).toContain("NaN");
        expect(e.message).toMatch(new RegExp(`\\brow ${Math.floor(at / cols)}\\b`));
      }));

    it("NaN next to -Infinity masks, and NaN in a row that is otherwise all -Infinity → RangeError naming the NaN (not a masked row)", () =>
      on(() => {
        const x = new Float32Array([-Infinity, -Infinity, NaN, -Infinity]);
        const e = caught(() => fn(x));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain("logits[2]");
        expect(e.message).toContain("NaN");
        const y = llmLogits(10, 9);
        y[0] = -Infinity;
        y[6] = NaN;
        expect(caught(() => fn(y)).message).toContain("logits[6]");
      }));

    it("NaN in a Float64Array and in a number[] → RangeError naming logits[3] and NaN", () =>
      on(() => {
        for (const x of [Float64Array.from([0.5, 1, 2, NaN, 4]), [0.5, 1, 2, NaN, 4]]) {
          const e = caught(() => fn(x));
          expect(e).toBeInstanceOf(RangeError);
          expect(e.message).toContain("logits[3]");
          expect(e.message).toContain("NaN");
        }
      }));

    it.each([
      [0, 16, 1],
      [7, 16, 1],
      [15, 16, 1],
      [1030, 1031, 1],
      [21, 24, 3],
    ])("+Infinity at logits[%i] of %i in %i row(s) → RangeError naming that index and Infinity", (at, n, rows) =>
      on(() => {
        const e = caught(() => fn(withValueAt(n, at, Infinity), rows > 1 ? { rows } : undefined));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain(`logits[${at}]`);
        expect(e.message).toContain("Infinity");
        expect(e.message).not.toContain("NaN");
      }));

    it("+Infinity at every index of a length-37 row → RangeError naming that index", () =>
      on(() => {
        for (let at = 0; at < 37; at++) {
          const e = caught(() => fn(withValueAt(37, at, Infinity, 6)));
          expect(e, `at ${at}`).toBeInstanceOf(RangeError);
          expect(e.message, `at ${at}`).toContain(`logits[${at}]`);
        }
      }));

    it("1e39 (overflows f32) in a Float64Array or number[] → RangeError naming logits[i] and the value 1e+39", () =>
      on(() => {
        for (const x of [Float64Array.from([0, 1, 1e39, -2]), [0, 1, 1e39, -2]]) {
          const e = caught(() => fn(x));
          expect(e).toBeInstanceOf(RangeError);
          expect(e.message).toContain("logits[2]");
          expect(e.message).toContain(String(1e39)); // "1e+39"
        }
        const rowsCase = caught(() => fn([1, 2, 3, 4, 5, 1e39], { rows: 2 }));
        expect(rowsCase).toBeInstanceOf(RangeError);
        expect(rowsCase.message).toContain("logits[5]");
        expect(rowsCase.message).toContain("1e+39");
      }));

    it("the largest finite f32 (±3.4028234663852886e38) in a Float64Array is accepted, not an overflow", () =>
      on(() => {
        const x = Float64Array.from([3.4028234663852886e38, -3.4028234663852886e38, 0]);
        const r = values(fn(x));
        for (const v of r) expect(Number.isNaN(v)).toBe(false);
      }));

    it.each([
      ["an empty Float32Array", () => new Float32Array(0)],
      ["an empty Float64Array", () => new Float64Array(0)],
      ["[]", () => []],
    ] as [string, () => unknown][])("%s → RangeError", (_, make) =>
      on(() => {
        expect(caught(() => fn(make()))).toBeInstanceOf(RangeError);
        expect(caught(() => fn(make(), { rows: 1 }))).toBeInstanceOf(RangeError);
      }));

    it("a single all -Infinity row (lengths 1, 4, 37) → RangeError", () =>
      on(() => {
        for (const n of [1, 4, 37]) {
          expect(caught(() => fn(new Float32Array(n).fill(-Infinity))), `n=${n}`).toBeInstanceOf(RangeError);
          expect(caught(() => fn(new Array(n).fill(-Infinity))), `n=${n}`).toBeInstanceOf(RangeError);
        }
      }));

    it.each([0, 2, 4])("row %i of 5 all -Infinity among valid rows → RangeError naming that row", (r) =>
      on(() => {
        const cols = 9;
        const x = llmLogits(5 * cols, r);
        x.fill(-Infinity, r * cols, (r + 1) * cols);
        const e = caught(() => fn(x, { rows: 5 }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toMatch(new RegExp(`\\brow ${r}\\b`));
      }));

    it("an all -Infinity row with one column (rows = length) → RangeError naming row 3", () =>
      on(() => {
        const x = new Float32Array([1, 2, 3, -Infinity, 5]);
        const e = caught(() => fn(x, { rows: 5 }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toMatch(/\brow 3\b/);
      }));

    if (tempered) {
      it.each([0, Infinity, 1e-30, 1e35])("at T = %s, NaN, +Infinity and an all -Infinity row still throw RangeError", (t) =>
        on(() => {
          const nan = caught(() => fn(withValueAt(20, 11, NaN), { temperature: t }));
          expect(nan).toBeInstanceOf(RangeError);
          expect(nan.message).toContain("logits[11]");
          const inf = caught(() => fn(withValueAt(20, 3, Infinity), { temperature: t }));
          expect(inf).toBeInstanceOf(RangeError);
          expect(inf.message).toContain("logits[3]");
          const masked = llmLogits(20, 1).fill(-Infinity, 10, 20);
          const m = caught(() => fn(masked, { temperature: t, rows: 2 }));
          expect(m).toBeInstanceOf(RangeError);
          expect(m.message).toMatch(/\brow 1\b/);
        }));

      it.each([-1, NaN, -Infinity, -1e-30, -Number.MIN_VALUE])("temperature %s → RangeError naming temperature and the value", (t) =>
        on(() => {
          const e = caught(() => fn(llmLogits(10, 1), { temperature: t }));
          expect(e).toBeInstanceOf(RangeError);
          expect(e.message).toContain("temperature");
          expect(e.message).toContain(String(t));
        }));

      it.each([
        ["the string \"0.7\"", "0.7", '"0.7"'],
        ["null", null, "null"],
        ["{}", {}, ""],
        ["true", true, "true"],
        ["1n (a bigint)", 1n, "1n"],
      ] as [string, unknown, string][])("temperature %s → TypeError naming temperature and the value", (_, t, shown) =>
        on(() => {
          const e = caught(() => fn(llmLogits(10, 1), { temperature: t }));
          expect(e).toBeInstanceOf(TypeError);
          expect(e.message).toContain("temperature");
          expect(e.message).toContain(shown);
        }));

      it.each([0, Infinity, 1e-30, 1e30, Number.MIN_VALUE, 1e-45, 3.5e38, 1e300, Number.MAX_VALUE])(
        "edge temperature %s does not throw and never produces NaN (logits with ±3.4e38, masks, ties)",
        (t) =>
          on(() => {
            const inputs = [
              llmLogits(300, 11),
              new Float32Array([3.4028234663852886e38, -3.4028234663852886e38, 0, -Infinity, 1, 3.4028234663852886e38]),
              new Float32Array([-3.4028234663852886e38, -Infinity, -3.4028234663852886e38]),
              new Float32Array([1e-45, -1e-45, 0, -0]),
              new Float32Array([7]),
            ];
            for (const x of inputs) {
              for (const rows of x.length % 2 === 0 ? [1, 2] : [1]) {
                const r = values(fn(x, { temperature: t, rows }));
                expect(r.some(Number.isNaN), `${name}(${Array.from(x.slice(0, 6))}, T=${t}, rows=${rows})`).toBe(false);
                if (name === "softmax") {
                  const cols = x.length / rows;
                  for (let k = 0; k < rows; k++) {
                    const sum = r.slice(k * cols, (k + 1) * cols).reduce((a, b) => a + b, 0);
                    expect(Math.abs(sum - 1), `row ${k} sums to ${sum} at T=${t}`).toBeLessThanOrEqual(1e-6);
                  }
                }
                if (name === "logSoftmax") for (const v of r) expect(v).toBeLessThanOrEqual(0);
              }
            }
          }),
      );

      it("temperature: undefined is the default 1, bit for bit", () =>
        on(() => {
          const x = llmLogits(50, 12);
          expectSameResult(fn(x, { temperature: undefined }), fn(x), "T undefined");
          expectSameResult(fn(x, { temperature: 1 }), fn(x), "T 1");
        }));
    }

    it.each([0, -1, 1.5, NaN, Infinity])("rows %s → RangeError naming rows and the value", (rows) =>
      on(() => {
        const e = caught(() => fn(llmLogits(12, 1), { rows }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain("rows");
        expect(e.message).toContain(String(rows));
      }));

    it.each([
      ["the string \"2\"", "2"],
      ["null", null],
      ["2n (a bigint)", 2n],
    ] as [string, unknown][])("rows %s → TypeError naming rows", (_, rows) =>
      on(() => {
        const e = caught(() => fn(llmLogits(12, 1), { rows }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain("rows");
      }));

    it.each([
      { n: 10, rows: 3 },
      { n: 12, rows: 5 },
      { n: 7, rows: 14 },
    ])("rows = $rows not dividing length $n → RangeError mentioning both $rows and $n", ({ n, rows }) =>
      on(() => {
        const e = caught(() => fn(llmLogits(n, 2), { rows }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toMatch(new RegExp(`\\b${rows}\\b`));
        expect(e.message).toMatch(new RegExp(`\\b${n}\\b`));
      }));

    it.each([
      ["null", null],
      ["undefined", undefined],
      ["\"abc\"", "abc"],
      ["5", 5],
      ["{ length: 3 }", { length: 3, 0: 1, 1: 2, 2: 3 }],
      ["an Int32Array", new Int32Array([1, 2, 3])],
      ["a Uint8Array", new Uint8Array([1, 2, 3])],
      ["a DataView", new DataView(new ArrayBuffer(12))],
      ["an ArrayBuffer", new ArrayBuffer(12)],
      ["a Set", new Set([1, 2, 3])],
    ] as [string, unknown][])("logits %s → TypeError", (_, bad) =>
      on(() => {
        const e = caught(() => fn(bad));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain("logits");
      }));

    it.each([
      ['[1, "2", 3]', 1, [1, "2", 3]],
      ['[1, 2, 3, "abc"]', 3, [1, 2, 3, "abc"]],
      ["[null, 2]", 0, [null, 2]],
      ["[1, undefined, 3]", 1, [1, undefined, 3]],
      ["[1, 2, 3, 4, 5, true]", 5, [1, 2, 3, 4, 5, true]],
      ["[1, 2n, 3]", 1, [1, 2n, 3]],
    ] as [string, number, unknown[]][])("number[] %s → TypeError naming logits[%i]", (_, at, x) =>
      on(() => {
        const e = caught(() => fn(x));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain(`logits[${at}]`);
      }));

    it("a sparse number[] (a hole at index 1) → TypeError naming logits[1]", () =>
      on(() => {
        // eslint-disable-next-line no-sparse-arrays
        const e = caught(() => fn([1, , 3]));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain("logits[1]");
      }));

    const unknownKeys = ["temp", "top_p", "Temperature", "row", "output", ...(name === "argmax" ? ["temperature", "out"] : []), ...(name === "logSumExp" ? ["out"] : [])];
    it.each(unknownKeys)("unknown option key %j → TypeError naming the key", (key) =>
      on(() => {
        const e = caught(() => fn(llmLogits(10, 1), { [key]: key === "out" ? new Float32Array(10) : 1 }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain(JSON.stringify(key));
      }));

    it("an unknown key next to valid ones → TypeError naming it", () =>
      on(() => {
        const e = caught(() => fn(llmLogits(10, 1), { rows: 2, top_k: 5 }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain("top_k");
      }));

    it.each([
      ["5", 5],
      ["\"fast\"", "fast"],
      ["true", true],
      ["a function", () => 1],
    ] as [string, unknown][])("options %s (not an object) → TypeError naming options", (_, options) =>
      on(() => {
        const e = caught(() => fn(llmLogits(10, 1), options));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain("options");
      }));

    it("options {} and options with every known key set to undefined equal no options, bit for bit", () =>
      on(() => {
        const x = llmLogits(40, 13);
        const keys = name === "argmax" ? ["rows"] : name === "logSumExp" ? ["temperature", "rows"] : ["temperature", "rows", "out"];
        const undef = Object.fromEntries(keys.map((k) => [k, undefined]));
        expectSameResult(fn(x, {}), fn(x), "{}");
        expectSameResult(fn(x, undef), fn(x), "all undefined");
      }));

    it("every failing call leaves the caller's Float32Array, Float64Array or number[] logits unchanged", () =>
      on(() => {
        for (const [label, make, options] of errorCases(name)) {
          const x = make();
          const before = JSON.stringify(Array.from(x as ArrayLike<unknown>, (v) => (typeof v === "number" ? [Object.is(v, -0) ? "-0" : String(v)] : v)));
          const bits = x instanceof Float32Array ? bitsOf(x).slice() : undefined;
          expect(() => fn(x, options), label).toThrow();
          if (bits) expect(bitsOf(x as Float32Array), label).toEqual(bits);
          const after = JSON.stringify(Array.from(x as ArrayLike<unknown>, (v) => (typeof v === "number" ? [Object.is(v, -0) ? "-0" : String(v)] : v)));
          expect(after, label).toBe(before);
        }
      }));

    it("after every failing call the next valid call returns the same bits as before any error", () =>
      on(() => {
        const good = llmLogits(300, 14);
        const goodRows = llmLogits(600, 15);
        const first = fn(good);
        const firstRows = fn(goodRows, { rows: 3 });
        for (const [label, make, options] of errorCases(name)) {
          expect(() => fn(make(), options), label).toThrow();
          expectSameResult(fn(good), first, `after ${label}`);
          expectSameResult(fn(goodRows, { rows: 3 }), firstRows, `rows after ${label}`);
        }
        // A failing call larger than any before (the WASM memory may grow) followed by a small one.
        const huge = llmLogits(200_000, 16);
        huge[199_999] = NaN;
        expect(() => fn(huge)).toThrow(RangeError);
        expectSameResult(fn(good), first, "after a large failing call");
      }));
  });

  describe.each(ROWWISE)("%s with out", (name, fn) => {
    it.each([
      [9, 10],
      [11, 10],
      [0, 10],
      [4, 12],
    ])("out of length %i for %i logits → RangeError mentioning both lengths", (len, n) =>
      on(() => {
        const rows = n === 12 ? 3 : 1;
        const e = caught(() => fn(llmLogits(n, 3), { out: new Float32Array(len), rows }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toContain("out");
        expect(e.message).toMatch(new RegExp(`\\b${len}\\b`));
        expect(e.message).toMatch(new RegExp(`\\b${n}\\b`));
      }));

    it.each([
      ["a Float64Array", () => new Float64Array(10)],
      ["a number[]", () => new Array(10).fill(0)],
      ["an Int32Array", () => new Int32Array(10)],
      ["a Uint32Array", () => new Uint32Array(10)],
      ["null", () => null],
      ["an ArrayBuffer", () => new ArrayBuffer(40)],
    ] as [string, () => unknown][])("out %s → TypeError naming out", (_, make) =>
      on(() => {
        const e = caught(() => fn(llmLogits(10, 3), { out: make() }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toContain("out");
      }));

    it("a failing call leaves out (filled with a sentinel) untouched, for every error case and an error in the last row", () =>
      on(() => {
        const cases: [string, Float32Array | Float64Array | unknown[], Record<string, unknown>][] = [
          ["NaN in row 3 of 4", withValueAt(64, 60, NaN), { rows: 4 }],
          ["+Infinity last", withValueAt(64, 63, Infinity), {}],
          ["row 3 all -Infinity", llmLogits(64, 1).fill(-Infinity, 48, 64), { rows: 4 }],
          ["1e39 in a Float64Array", Float64Array.from(llmLogits(64, 2)).fill(1e39, 50, 51), {}],
          ["bad temperature", llmLogits(64, 3), { temperature: -1 }],
          ["bad temperature type", llmLogits(64, 3), { temperature: "1" }],
          ["rows not dividing", llmLogits(64, 4), { rows: 3 }],
          ["unknown option", llmLogits(64, 5), { top_p: 0.5 }],
          ["a string element", [...llmLogits(63, 6), "x"], {}],
          ["NaN at T = 0", withValueAt(64, 33, NaN), { temperature: 0 }],
          ["NaN at T = Infinity", withValueAt(64, 33, NaN), { temperature: Infinity }],
        ];
        for (const sentinel of [12345.5, NaN, -0]) {
          for (const [label, x, options] of cases) {
            const out = new Float32Array(64).fill(sentinel);
            const bits = bitsOf(out).slice();
            expect(() => fn(x, { ...options, out }), label).toThrow();
            expect(bitsOf(out), `${label}, sentinel ${sentinel}`).toEqual(bits);
          }
        }
      }));

    it("a failing in-place call (out === logits, error in the last row) leaves the logits untouched", () =>
      on(() => {
        for (const [x, options] of [
          [withValueAt(64, 60, NaN), { rows: 4 }],
          [withValueAt(1000, 999, Infinity), { rows: 2 }],
          [llmLogits(64, 7).fill(-Infinity, 48, 64), { rows: 4 }],
          [withValueAt(64, 60, NaN), { rows: 4, temperature: 0 }],
          [withValueAt(64, 60, NaN), { rows: 4, temperature: Infinity }],
        ] as [Float32Array, Record<string, unknown>][]) {
          const bits = bitsOf(x).slice();
          expect(() => fn(x, { ...options, out: x })).toThrow(RangeError);
          expect(bitsOf(x)).toEqual(bits);
        }
      }));

    it("successful calls with and without out (many sizes, temperatures, rows, masks and input types) never modify the input", () =>
      on(() => {
        const r = rng(17);
        for (let k = 0; k < 60; k++) {
          const rows = 1 + Math.floor(r() * 4);
          const cols = 1 + Math.floor(r() * (k < 40 ? 100 : 3000));
          const x = llmLogits(rows * cols, 100 + k);
          for (let i = 0; i < x.length; i++) if (r() < 0.2 && i % cols !== 0) x[i] = -Infinity;
          const t = [0, Infinity, 1e-30, 1e35, 0.3, 1, 7][k % 7];
          const inputs: (Float32Array | Float64Array | number[])[] = [x, Float64Array.from(x), Array.from(x)];
          for (const input of inputs) {
            const before = Float64Array.from(input);
            const f32bits = input instanceof Float32Array ? bitsOf(input).slice() : undefined;
            const a = fn(input, { temperature: t, rows }) as Float32Array;
            const out = new Float32Array(input.length).fill(99);
            const b = fn(input, { temperature: t, rows, out });
            expect(b).toBe(out);
            expect(firstBitDiff(out, a)).toBe(-1);
            logSumExp(input, { temperature: t, rows });
            argmax(input, { rows });
            if (f32bits) expect(bitsOf(input as Float32Array)).toEqual(f32bits);
            expect(Float64Array.from(input)).toEqual(before);
          }
        }
      }));

    it("in place (out === logits) returns logits and equals the out-of-place result bit for bit (sizes 1..5000, rows, T = 0..Infinity, masks)", () =>
      on(() => {
        const r = rng(18);
        for (let k = 0; k < 80; k++) {
          const rows = 1 + Math.floor(r() * 3);
          const cols = 1 + Math.floor(r() * (k < 60 ? 300 : 5000));
          const x = llmLogits(rows * cols, 200 + k);
          for (let i = 0; i < x.length; i++) if (r() < 0.15 && i % cols !== cols - 1) x[i] = -Infinity;
          const t = [0, Infinity, 1e-30, 1e35, 0.05, 0.7, 1, 100][k % 8];
          const expected = fn(x, { temperature: t, rows }) as Float32Array;
          const got = fn(x, { temperature: t, rows, out: x });
          expect(got).toBe(x);
          expect(firstBitDiff(x, expected), `k=${k} T=${t}`).toBe(-1);
        }
      }));

    it("out as a subarray view writes exactly its window; in place on a subarray leaves the neighbours untouched", () =>
      on(() => {
        const x = llmLogits(50, 19);
        const expected = fn(x, { temperature: 0.8 }) as Float32Array;
        const big = new Float32Array(70).fill(-7);
        const window = big.subarray(10, 60);
        expect(fn(x, { temperature: 0.8, out: window })).toBe(window);
        expect(firstBitDiff(window, expected)).toBe(-1);
        expect(Array.from(big.subarray(0, 10)).every((v) => v === -7)).toBe(true);
        expect(Array.from(big.subarray(60)).every((v) => v === -7)).toBe(true);

        const host = new Float32Array(70).fill(-7);
        host.set(x, 10);
        const view = host.subarray(10, 60);
        fn(view, { temperature: 0.8, out: view });
        expect(firstBitDiff(view, expected)).toBe(-1);
        expect(Array.from(host.subarray(0, 10)).every((v) => v === -7)).toBe(true);
        expect(Array.from(host.subarray(60)).every((v) => v === -7)).toBe(true);
      }));

    it("out overlapping logits by a shift of one element gives the out-of-place result", () =>
      on(() => {
        for (const shift of [1, -1]) {
          const x = llmLogits(40, 20);
          const expected = fn(x, { temperature: 1.3 }) as Float32Array;
          const host = new Float32Array(42);
          const xs = host.subarray(1, 41);
          xs.set(x);
          const out = host.subarray(1 + shift, 41 + shift);
          fn(xs, { temperature: 1.3, out });
          expect(firstBitDiff(out, expected), `shift ${shift}`).toBe(-1);
        }
      }));

    it("zero-copy wasmInput: without out the view is not modified; with out = the view the result equals the copy's; an error leaves it untouched", () =>
      on(() => {
        const x = llmLogits(257, 21);
        const expected = fn(x, { temperature: 0.9 }) as Float32Array;
        let buf = wasmInput(257);
        buf.set(x);
        const fresh = fn(buf, { temperature: 0.9 }) as Float32Array;
        expect(fresh).not.toBe(buf);
        expect(firstBitDiff(fresh, expected)).toBe(-1);
        expect(firstBitDiff(buf, x)).toBe(-1);
        buf = wasmInput(257);
        buf.set(x);
        expect(fn(buf, { temperature: 0.9, out: buf })).toBe(buf);
        expect(firstBitDiff(buf, expected)).toBe(-1);
        buf = wasmInput(257);
        buf.set(x);
        buf[200] = NaN;
        const bits = bitsOf(buf).slice();
        expect(() => fn(buf, { out: buf })).toThrow(RangeError);
        expect(bitsOf(buf)).toEqual(bits);
        const out = new Float32Array(257).fill(3);
        expect(() => fn(buf, { out })).toThrow(/logits\[200\]/);
        expect(Array.from(out).every((v) => v === 3)).toBe(true);
        expect(bitsOf(buf)).toEqual(bits);
      }));
  });

  it("Float64Array and number[] logits give the same bits as the Float32Array of their f32 values", () =>
    on(() => {
      const d = Float64Array.from({ length: 100 }, (_, i) => Math.sin(i * 1.7) * 30 + 1e-9 * i);
      const f = Float32Array.from(d);
      for (const [name, fn] of ALL) {
        const want = fn(f, name === "argmax" ? undefined : { temperature: 0.6 });
        expectSameResult(fn(d, name === "argmax" ? undefined : { temperature: 0.6 }), want, `${name} Float64Array`);
        expectSameResult(fn(Array.from(d), name === "argmax" ? undefined : { temperature: 0.6 }), want, `${name} number[]`);
      }
    }));

  it("length 1 gives softmax [1], logSoftmax [0], logSumExp x/T and argmax 0", () =>
    on(() => {
      for (const v of [0, -3.5, 1e4, -3.4028234663852886e38]) {
        expect(Array.from(softmax([v]))).toEqual([1]);
        expect(Array.from(logSoftmax([v]))).toEqual([0]);
        expect(logSumExp([v])).toBe(v);
        expect(argmax([v])).toBe(0);
      }
    }));

  it(`getBackend() names "${backend}" with a non-empty reason after setBackend("${backend}")`, () =>
    on(() => {
      const info = getBackend();
      expect(info.name).toBe(backend);
      expect(typeof info.reason).toBe("string");
      expect(info.reason.trim().length).toBeGreaterThan(0);
    }));

  it.each([["bogus"], ["SIMD"], [""], [undefined], [null], [1]] as [unknown][])(
    "setBackend(%j) → TypeError, and the active backend stays the same and keeps working",
    (bad) =>
      on(() => {
        const x = llmLogits(30, 22);
        const before = softmax(x);
        const e = caught(() => setBackend(bad as BackendName));
        expect(e).toBeInstanceOf(TypeError);
        expect(getBackend().name).toBe(backend);
        expect(firstBitDiff(softmax(x), before)).toBe(-1);
      }),
  );
});

describe("backend info", () => {
  it("getBackend() returns exactly { name, reason } with a known name and a non-empty reason", () => {
    const info = getBackend();
    expect(Object.keys(info).sort()).toEqual(["name", "reason"]);
    expect(BACKENDS).toContain(info.name);
    expect(info.reason.length).toBeGreaterThan(0);
  });

  it("the error message of setBackend(\"bogus\") names the bad value", () => {
    expect(() => setBackend("bogus" as BackendName)).toThrow(/bogus/);
  });

  it("every backend computes the same softmax of a fixed input after switching back and forth (f32 values of the float64 reference within 1e-6)", () => {
    const x = new Float32Array([2, 1, 0.1, -Infinity, 2]);
    const e = [Math.exp(0), Math.exp(-1), Math.exp(f32(0.1) - 2), 0, Math.exp(0)];
    const s = e.reduce((a, b) => a + b, 0);
    const ref = e.map((v) => v / s);
    for (const name of [...BACKENDS, ...BACKENDS]) {
      const p = withBackend(name, () => softmax(x));
      for (let i = 0; i < 5; i++) expect(Math.abs(p[i] - ref[i]), `${name} p[${i}]`).toBeLessThanOrEqual(1e-6);
      expect(p[3]).toBe(0);
    }
  });
});
