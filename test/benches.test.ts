// The benchmark scripts run to the end (`npm start` is one of the README's two commands): each
// finishes with exit 0 and writes a result for every method and size, every time finite and > 0.
// Their speed is the benchmarks' business, never a test's; these runs are as short as tinybench
// allows.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect } from "vitest";
import { npmEngineIt } from "./engines.js";

const root = new URL("..", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "softmax-benches-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function runBench(script: string, extra: string[] = []): { results: Record<string, unknown>[] } {
  const json = join(out, `${script}.json`);
  const r = spawnSync(process.execPath, [`bench/${script}`, "--rounds", "1", "--time", "1", "--json", json, ...extra], { cwd: root, encoding: "utf8", timeout: 280_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(json, "utf8"));
}

const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

describe("benchmark scripts", () => {
  npmEngineIt("node", "softmax.bench.mjs (npm start): every method at every size, zero-copy rows included", () => {
    const { results } = runBench("softmax.bench.mjs", ["--chart", join(out, "chart.svg")]);
    expect(results.length).toBe(7 * 4);
    for (const r of results) expect(positive(r.nsPerElement), JSON.stringify(r)).toBe(true);
  }, 300_000);

  npmEngineIt("node", "samplers.bench.mjs and half.bench.mjs: every case on every backend", () => {
    const s = runBench("samplers.bench.mjs").results;
    expect(s.length).toBe(9 * 3);
    for (const r of s) expect(positive(r.us) && positive(r.vsSoftmax), JSON.stringify(r)).toBe(true);
    const h = runBench("half.bench.mjs").results;
    const passes = h.filter((r) => String(r.case).startsWith("first pass: "));
    expect(h.length - passes.length).toBe(7 * 3);
    for (const r of h) if (!passes.includes(r)) expect(positive(r.us), JSON.stringify(r)).toBe(true);
    expect(passes.length).toBe(6 * 2); // the first pass alone, in both wasm builds
    for (const r of passes) expect(positive(r.nsPerElement), JSON.stringify(r)).toBe(true);
  }, 300_000);
});
