// Determinism: simd, wasm and js must return the same bits for the same inputs and options.

import { describe, expect, it } from "vitest";
import { report } from "./report.js";
import { argmax, logSoftmax, logSumExp, softmax } from "../src/index.js";
import { expLane } from "../src/js/exp.js";
import { WasmBackend } from "../src/wasm/backend.js";
import { embeddedBytes, embeddedScalarBytes } from "../src/wasm/load.js";
import { BACKENDS, bitsOf, f32, firstBitDiff, llmLogits, rng, withBackend } from "./helpers.js";

type Case = { x: Float32Array; t: number; rows: number };

function cases(): Case[] {
  const r = rng(20261128);
  const out: Case[] = [];
  const temps = [0, Infinity, 1e-30, 1e-6, 0.05, 0.7, 1, 2, 100, 1e25, 1e35, 1e38];
  for (let k = 0; k < 260; k++) {
    const rows = r() < 0.3 ? 1 + Math.floor(r() * 6) : 1;
    const cols = 1 + Math.floor(r() * (k < 200 ? 300 : 5000));
    const x = llmLogits(rows * cols, k);
    const maskRate = r() < 0.4 ? r() * 0.9 : 0;
    for (let i = 0; i < x.length; i++) {
      if (r() < maskRate) x[i] = -Infinity;
      else if (k % 7 === 0) x[i] = Math.round(x[i]); // ties
      else if (k % 11 === 0) x[i] = f32(x[i] * 1e36); // huge magnitudes
    }
    for (let row = 0; row < rows; row++) x[row * cols + Math.floor(r() * cols)] = f32(r() * 10); // no all-masked row
    out.push({ x, t: k < temps.length * 4 ? temps[k % temps.length] : f32(0.01 + r() * 5), rows });
  }
  return out;
}

describe("bit-identity across simd, wasm and js", () => {
  it("softmax, logSoftmax, logSumExp and argmax agree to the bit on ≥ 100,000 outputs (lengths 1–5000, rows 1–6, T from 0 to Infinity, masks, ties, huge values)", () => {
    const all = cases();
    let compared = 0;
    const run = (name: (typeof BACKENDS)[number]) =>
      withBackend(name, () =>
        all.map(({ x, t, rows }) => [
          softmax(x, { temperature: t, rows }),
          logSoftmax(x, { temperature: t, rows }),
          Float32Array.of(...[logSumExp(x, { temperature: t, rows })].flatMap((v) => (typeof v === "number" ? [v] : Array.from(v)))),
          new Float32Array(Int32Array.from([argmax(x, { rows })].flatMap((v) => (typeof v === "number" ? [v] : Array.from(v)))).buffer),
        ]),
      );
    const [simd, wasm, js] = BACKENDS.map(run);
    for (let c = 0; c < all.length; c++) {
      for (let f = 0; f < 4; f++) {
        const where = `case ${c} (len ${all[c].x.length}, T=${all[c].t}, rows=${all[c].rows}), output ${f}`;
        expect(firstBitDiff(simd[c][f], js[c][f]), `simd vs js, ${where}`).toBe(-1);
        expect(firstBitDiff(wasm[c][f], js[c][f]), `wasm vs js, ${where}`).toBe(-1);
        compared += simd[c][f].length;
      }
    }
    report(`bit-identity: ${compared} outputs × 3 backends compared`);
    expect(compared).toBeGreaterThanOrEqual(100_000);
  });

  it("the exp pass is bit-identical in SIMD WASM, scalar WASM and the TS twin on 2,000,000 arguments in [−100, 0] plus ±0 and −Infinity", () => {
    const n = 2_000_000;
    const r = rng(7);
    const u = new Float32Array(n);
    for (let i = 0; i < n; i++) u[i] = f32(-100 * r() ** 2);
    u.set([0, -0, -Infinity, -87.33654, -87.68, -88, -88.1], 0);
    const twin = u.map(expLane);
    for (const bytes of [embeddedBytes().bytes, embeddedScalarBytes()]) {
      const b = new WasmBackend(new WebAssembly.Module(bytes));
      const view = b.input(2 * n); // room for input and output
      view.set(u);
      const k = b.kernels;
      const x = view.byteOffset;
      k.exp_sum(x, x + 4 * n, n, 0, 1);
      const got = new Float32Array(k.memory.buffer, x + 4 * n, n);
      expect(firstBitDiff(got, twin), b.name).toBe(-1);
    }
    expect(bitsOf(twin.subarray(0, 3))).toEqual(Uint32Array.of(0x3f800000, 0x3f800000, 0));
  });
});
