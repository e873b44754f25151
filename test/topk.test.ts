// The one-pass top-k (assembly/select.ts topK and its twin): the sampler's top-k stage and the pass
// that validates a row before it. Checked against a plain sort on every backend, on rows chosen
// to stress its rising threshold: ties at the cut, ascending and descending rows (a cut on every
// batch of entries), masks, ±0, NaN, and k close to the row's length.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { topKCap, topKFits, type RowKernels } from "../src/backend.js";
import { createJsBackend } from "../src/js/backend.js";
import { WasmBackend } from "../src/wasm/backend.js";
import { embeddedBytes, embeddedScalarBytes } from "../src/wasm/load.js";

const backends: [string, () => RowKernels][] = [
  ["simd", () => new WasmBackend(new WebAssembly.Module(embeddedBytes().bytes)).rowKernels()],
  ["wasm", () => new WasmBackend(new WebAssembly.Module(embeddedScalarBytes())).rowKernels()],
  ["js", () => createJsBackend().rowKernels()],
];

/** The k largest ids by value, ties to lower ids (−0 equal to +0), ascending; −Infinity and NaN never. */
function reference(x: Float32Array, k: number): number[] {
  const ids = [...x.keys()].filter((i) => x[i] > -Infinity);
  ids.sort((a, b) => (x[b] === x[a] ? a - b : x[b] - x[a]));
  return ids.slice(0, k).sort((a, b) => a - b);
}

function run(kernels: RowKernels, x: Float32Array, k: number) {
  kernels.prepare(x, x.length);
  const { w, idx } = kernels.buffers(x.length);
  w.set(x);
  const { count, nan } = kernels.topK(x.length, k);
  return { ids: Array.from(idx.subarray(0, count)), nan };
}

const f32 = Math.fround;

/** Rows shaped to stress the threshold: values from a small set (many ties) or spread, in any order. */
const rows = fc
  .record({
    n: fc.integer({ min: 2, max: 3000 }),
    levels: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 })), // 0: spread values
    order: fc.constantFrom("random", "ascending", "descending"),
    masked: fc.double({ min: 0, max: 0.9, noNaN: true }),
    seed: fc.integer(),
  })
  .map(({ n, levels, order, masked, seed }) => {
    let s = seed >>> 0;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = levels ? Math.floor(r() * levels) - 2 : f32((r() - 0.5) * 40);
    if (order !== "random") x.sort();
    if (order === "descending") x.reverse();
    for (let i = 0; i < n; i++) if (r() < masked) x[i] = -Infinity;
    for (let i = 0; i < n; i++) if (x[i] === 0 && r() < 0.5) x[i] = -0;
    return x;
  });

describe("topK: the k largest in one pass", () => {
  for (const [name, make] of backends) {
    it(`${name}: equals a full sort (ties to lower ids) on 400 random rows, k from 1 to n/2 − 1`, () => {
      const kernels = make();
      fc.assert(
        fc.property(rows, fc.double({ min: 0, max: 1, noNaN: true }), (x, f) => {
          const k = Math.max(1, Math.min(Math.floor(f * x.length / 2), Math.floor(x.length / 2) - 1));
          if (!topKFits(x.length, k)) return;
          const got = run(kernels, x, k);
          expect(got.nan).toBe(false);
          expect(got.ids).toEqual(reference(x, k));
        }),
        { numRuns: 400, seed: 11 },
      );
    });

    it(`${name}: a 128256-token row with cuts: ascending (a cut every ${topKCap(128256, 40) - 40} entries), descending, all equal`, () => {
      const kernels = make();
      const n = 128256;
      const up = Float32Array.from({ length: n }, (_, i) => f32(i / 1000));
      expect(run(kernels, up, 40).ids).toEqual(reference(up, 40));
      const down = up.slice().reverse();
      expect(run(kernels, down, 40).ids).toEqual(Array.from({ length: 40 }, (_, i) => i));
      const flat = new Float32Array(n).fill(1.5);
      expect(run(kernels, flat, 100).ids).toEqual(Array.from({ length: 100 }, (_, i) => i)); // ties: lowest ids
    });

    it(`${name}: k ≥ 256, which starts from a sampled threshold, equals a full sort, also where the sample misleads and the pass runs again`, () => {
      const kernels = make();
      let s = 99;
      const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
      for (let c = 0; c < 24; c++) {
        const n = [20000, 33333, 60001][c % 3];
        const k = [256, 300, 1000, 4096, 9000, 2 * 4096][c % 6];
        if (!topKFits(n, k)) continue;
        const x = Float32Array.from({ length: n }, () => f32((r() - 0.5) * 30));
        const m = Math.min(2 * topKCap(n, k), n >> 2), stride = Math.floor(n / m);
        if (c % 4 === 1) for (let i = stride >> 1; i < n; i += stride) x[i] = 100 + r(); // the sample sees only highs: τ too high
        if (c % 4 === 2) for (let i = 0; i < n; i++) x[i] = Math.floor(x[i] / 10); // three values: ties at the cut
        if (c % 4 === 3) for (let i = 0; i < n; i++) if (r() < 0.7) x[i] = -Infinity; // masked, some NaN in the sample
        if (c % 4 === 3) for (let i = stride >> 1; i < n; i += 5 * stride) x[i] = NaN;
        const got = run(kernels, x, k);
        expect(got.nan).toBe(c % 4 === 3);
        const want = reference(x.map((v) => (v !== v ? -Infinity : v)), k);
        expect(got.ids, `case ${c}: n ${n}, k ${k}`).toEqual(want);
      }
    });

    it(`${name}: flags NaN wherever it is (and never returns it), counts fewer than k when the rest is masked`, () => {
      const kernels = make();
      for (const at of [0, 15, 16, 17, 999, 1000]) {
        const x = Float32Array.from({ length: 1001 }, (_, i) => f32(Math.sin(i)));
        x[at] = NaN;
        const got = run(kernels, x, 10);
        expect(got.nan, `NaN at ${at}`).toBe(true);
        expect(got.ids).not.toContain(at);
      }
      const x = new Float32Array(500).fill(-Infinity);
      x[7] = 3;
      x[300] = -0;
      x[499] = Infinity; // kept: validation rejects it afterwards, from the max
      expect(run(kernels, x, 20)).toEqual({ ids: [7, 300, 499], nan: false });
    });
  }
});
