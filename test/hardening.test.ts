// Hardening: fuzzing the public API with hostile inputs, a soak of a million mixed calls, memory
// growth to 2^24 elements, concurrency, and a scan of the shipped code for eval.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { report } from "./report.js";
import { argmax, createSampler, getBackend, logSoftmax, logSumExp, sample, setBackend, softmax, wasmInput, type SampleResult } from "../src/index.js";
import { WasmBackend } from "../src/wasm/backend.js";
import { backend } from "../src/runtime.js";
import { BACKENDS, bitsOf, f32, firstBitDiff, llmLogits, refSoftmaxSameArgs, withBackend } from "./helpers.js";

const root = new URL("..", import.meta.url).pathname;

// ---------- fuzzing ----------

const value = fc.oneof(
  { weight: 300, arbitrary: fc.double({ min: -50, max: 50, noNaN: true }) },
  { weight: 10, arbitrary: fc.constantFrom(-Infinity, -0, 0, 3e38, -3e38, -1e39, 1e-45, 5e-324) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, 1e39, Number.MAX_VALUE) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }) },
);
const length = fc.oneof(
  { weight: 950, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 49, arbitrary: fc.integer({ min: 65, max: 2000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2001, max: 300_000 }) },
);
const kindArb = fc.oneof({ weight: 6, arbitrary: fc.constant("f32") }, { weight: 2, arbitrary: fc.constantFrom("f64", "array") }, { weight: 1, arbitrary: fc.constant("junk") });
const logitsArb = fc.tuple(length, kindArb, fc.array(value, { minLength: 1, maxLength: 64 }), fc.integer())
  .map(([n, kind, pool, seed]) => {
    const vals = Array.from({ length: n }, (_, i) => pool[(((i * 7 + seed) % pool.length) + pool.length) % pool.length] + (((i * 2654435761) >>> 24) / 256));
    if (kind === "f32") return Float32Array.from(vals);
    if (kind === "f64") return Float64Array.from(vals);
    if (kind === "array") return vals;
    return [null, undefined, "x", 3, { length: 2 }, new Int8Array(n), vals.map(String)][Math.abs(seed) % 7];
  });
const temperatureArb = fc.oneof(
  fc.constantFrom(undefined, 0, 1, 0.7, Infinity, -1, NaN, 1e-45, 1e-300, 1e300, -0, "1", null),
  fc.double(),
);
const keyArb = fc.constantFrom("temperature", "rows", "out", "topK", "topP", "minP", "typicalP", "seed", "logitBias", "logprobs", "top_p", "__proto__", "constructor", "x");
const optionsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 8, arbitrary: fc.record({ temperature: fc.oneof(fc.constantFrom(0, 0.7, 1, Infinity, 1e-30, 1e30), fc.double({ min: 0.01, max: 100, noNaN: true })), rows: fc.constantFrom(undefined, 1, 2) }, { requiredKeys: [] }) },
  fc.record({ temperature: temperatureArb, rows: fc.constantFrom(undefined, 1, 2, 3, 0, -1, 1.5, "2") }, { requiredKeys: [] }),
  fc.dictionary(keyArb, fc.oneof(temperatureArb, fc.integer({ min: -5, max: 50 }), fc.constant({ 1e9: 1 }), fc.constant({ "-3": 1 }), fc.constant({ 0.5: 1 }), fc.constant({ 0: NaN })), { maxKeys: 3 })
    .map((o) => JSON.parse(JSON.stringify(o, (_, v) => (Number.isNaN(v) ? "NaN" : v)), (_, v) => (v === "NaN" ? NaN : v))),
  fc.constant({ get temperature(): number { throw new Error("getter boom"); } }),
  fc.constantFrom(5, "opts", null, [] as unknown),
);
const fnArb = fc.constantFrom("softmax", "logSoftmax", "logSumExp", "argmax", "sample", "sampler");
const outArb = fc.constantFrom("none", "fresh", "same", "short", "detached", "f64");

function snapshot(x: unknown): unknown[] {
  if (x instanceof Float32Array || x instanceof Float64Array) return Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  if (Array.isArray(x)) return x.slice();
  return [x];
}

/** Same values (NaN equal to NaN, −0 distinct from +0), by a plain loop: toEqual is slow on big arrays. */
function same(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function checkResult(fn: string, x: ArrayLike<number>, o: Record<string, unknown> | undefined, r: unknown): void {
  const f = Float32Array.from(x as ArrayLike<number>);
  const t = (o?.temperature as number) ?? 1;
  const rows = (o?.rows as number) ?? 1;
  if (fn === "softmax" || fn === "logSoftmax") {
    const p = r as Float32Array;
    for (const v of p) expect(Number.isNaN(v)).toBe(false);
    if (rows === 1 && t > 0 && t < Infinity && f.length <= 5000) {
      const ref = refSoftmaxSameArgs(f, t);
      for (let i = 0; i < f.length; i++) {
        if (ref[i] >= 1e-6 && fn === "softmax") expect(Math.abs(p[i] - ref[i]) / ref[i]).toBeLessThanOrEqual(1e-6);
        if (ref[i] >= 1e-6 && fn === "logSoftmax") expect(Math.abs(p[i] - Math.log(ref[i]))).toBeLessThanOrEqual(1e-5 + Math.abs(p[i]) * 1e-6);
      }
    }
  } else if (fn === "logSumExp") {
    for (const v of typeof r === "number" ? [r] : (r as Float32Array)) expect(Number.isNaN(v)).toBe(false);
  } else if (fn === "argmax" && rows === 1) {
    let k = 0;
    for (let i = 1; i < f.length; i++) if (f[i] > f[k]) k = i;
    expect(r).toBe(k);
  } else if (fn === "sample" || fn === "sampler") {
    const token = typeof r === "number" ? r : (r as SampleResult).token ?? -1;
    if (rows === 1) {
      expect(Number.isInteger(token) && token >= 0 && token < f.length).toBe(true);
      expect(f[token]).not.toBe(-Infinity);
    }
  }
}

describe("fuzzing the public API", () => {
  it("≥ 100,000 generated calls: a correct result or a TypeError/RangeError (or the caller's own getter error); never NaN, never a modified input, and the module still answers correctly", () => {
    const canary = llmLogits(1000, 42);
    const canaryBits = bitsOf(softmax(canary, { temperature: 0.7 })).slice();
    let cases = 0, errors = 0;
    const call = (fn: string, x: unknown, o: unknown, outKind: string): unknown => {
      let options = o;
      const n = (x as { length?: number })?.length ?? 0;
      if (outKind !== "none" && (fn === "softmax" || fn === "logSoftmax") && (o === undefined || (typeof o === "object" && o !== null && !Array.isArray(o)))) {
        let out: unknown = new Float32Array(n);
        if (outKind === "same") out = x;
        if (outKind === "short") out = new Float32Array(Math.max(0, n - 1));
        if (outKind === "f64") out = new Float64Array(n);
        if (outKind === "detached") {
          const b = new Float32Array(n);
          structuredClone(b.buffer, { transfer: [b.buffer] });
          out = b;
        }
        options = { ...(o as object), out };
      }
      switch (fn) {
        case "softmax": return softmax(x as Float32Array, options as never);
        case "logSoftmax": return logSoftmax(x as Float32Array, options as never);
        case "logSumExp": return logSumExp(x as Float32Array, options as never);
        case "argmax": return argmax(x as Float32Array, options as never);
        case "sample": return sample(x as Float32Array, options as never);
        default: return createSampler(options as never).sample(x as Float32Array, { history: n > 1 ? [0, 1, 1] : [] });
      }
    };
    for (const name of BACKENDS) {
      withBackend(name, () => {
        fc.assert(
          fc.property(fnArb, logitsArb, optionsArb, outArb, (fn, x, o, outKind) => {
            cases++;
            const before = snapshot(x);
            let result: unknown;
            let threw: unknown;
            try {
              result = call(fn, x, o, outKind);
            } catch (e) {
              threw = e;
            }
            const inPlace = outKind === "same" && (fn === "softmax" || fn === "logSoftmax") && threw === undefined;
            if (!inPlace && !same(snapshot(x), before)) expect(snapshot(x)).toEqual(before);
            if (threw !== undefined) {
              errors++;
              const ok = threw instanceof TypeError || threw instanceof RangeError || (threw as Error).message === "getter boom";
              if (!ok) throw threw;
            } else {
              checkResult(fn, (inPlace ? null : x) ?? Float32Array.from([]), o as Record<string, unknown>, result);
            }
            if (cases % 2000 === 0) expect(bitsOf(softmax(canary, { temperature: 0.7 }))).toEqual(canaryBits);
          }),
          // FUZZ_RUNS=… shortens a local run; CI uses the default (3 × 34,000 cases).
          { numRuns: Number(process.env.FUZZ_RUNS ?? 34_000), seed: 20261128 + name.length },
        );
      });
    }
    report(`fuzz: ${cases} cases, ${errors} typed errors, ${cases - errors} results checked`);
    expect(cases).toBeGreaterThanOrEqual(100_000);
    expect(bitsOf(softmax(canary, { temperature: 0.7 }))).toEqual(canaryBits);
  }, 600_000);
});

// ---------- soak ----------

describe("soak", () => {
  it("1,000,000 mixed calls: WASM memory flat after warm-up, JS heap within 32 MB of its warm-up size, results identical to the first call", () => {
    const sizes = [8, 64, 333, 1000, 4096];
    const inputs = sizes.map((n, i) => llmLogits(n, i + 1));
    const run = (i: number) => {
      const x = inputs[i % sizes.length];
      switch (i % 4) {
        case 0: return softmax(x, { temperature: 0.8 });
        case 1: return logSoftmax(x);
        case 2: return Float32Array.of(logSumExp(x, { temperature: 2 }) as number);
        default: return Int32Array.of(sample(x, { seed: i % 97, topK: 20, topP: 0.9 }) as number);
      }
    };
    const first = Array.from({ length: 20 }, (_, i) => run(i));
    const wasm = backend() as WasmBackend;
    for (let i = 0; i < 20_000; i++) run(i); // warm-up
    (globalThis as { gc?: () => void }).gc?.();
    const pages = wasm.kernels.memory.buffer.byteLength;
    const heap = process.memoryUsage().heapUsed;
    let maxHeap = heap;
    const t0 = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      const r = run(i);
      if (i % 50_000 === 0) {
        (globalThis as { gc?: () => void }).gc?.(); // what stays alive: a leak, not garbage
        maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
        expect(firstBitDiff(new Float32Array(r.buffer), new Float32Array(first[i % 20].buffer))).toBe(-1);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    report(`soak: 1,000,000 calls in ${seconds.toFixed(1)} s (${Math.round(1e6 / seconds)} calls/s); WASM memory ${pages} bytes before and ${wasm.kernels.memory.buffer.byteLength} after; JS heap ${(heap / 1e6).toFixed(1)} MB after warm-up, at most ${(maxHeap / 1e6).toFixed(1)} MB during`);
    expect(wasm.kernels.memory.buffer.byteLength).toBe(pages);
    expect(maxHeap - heap).toBeLessThan(32 * 1024 * 1024);
    for (let i = 0; i < 20; i++) expect(bitsOf(new Float32Array(run(i).buffer))).toEqual(bitsOf(new Float32Array(first[i].buffer)));
  }, 600_000);
});

// ---------- memory growth ----------

describe("memory growth", () => {
  it.each(["simd", "js"] as const)("%s: inputs from 1 to 16,777,216 elements sum to 1 within 1e-6", (name) => {
    withBackend(name, () => {
      for (let n = 1; n <= 16_777_216; n *= 8) {
        const x = new Float32Array(n);
        for (let i = 0; i < n; i++) x[i] = f32(((i * 2654435761) >>> 16) / 4096 - 8);
        const p = softmax(x, { temperature: 1.3 });
        let s = 0;
        for (let i = 0; i < n; i++) s += p[i];
        expect(Math.abs(s - 1), `n=${n}`).toBeLessThanOrEqual(1e-6);
      }
    });
  }, 300_000);

  it("a request past the WASM memory limit throws a RangeError; the module keeps working, and its old views are detached (length 0), never garbage", () => {
    const view = wasmInput(16);
    expect(() => wasmInput(2 ** 30)).toThrow(RangeError);
    expect(getBackend().name).toBe("simd");
    const x = llmLogits(100, 3);
    expect(firstBitDiff(softmax(x), withBackend("js", () => softmax(x)))).toBe(-1);
    expect(view.length === 16 || view.length === 0).toBe(true);
  });
});

// ---------- concurrency ----------

describe("concurrency", () => {
  it("4 worker_threads running the runtime fixture all give the main thread's hashes", async () => {
    const { runFixture } = await import("./runtimes/fixture.mjs");
    const lib = await import("../dist/index.js");
    const expected = runFixture(lib);
    const results = await Promise.all(Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
      const w = new Worker(new URL("./runtimes/thread.mjs", import.meta.url));
      w.once("message", (m) => { resolve(m); void w.terminate(); });
      w.once("error", reject);
    })));
    for (const r of results) expect(r).toEqual(expected);
  }, 120_000);

  it("setBackend while a sampler is alive does not disturb its stream: the sequence equals an all-simd one", () => {
    const x = llmLogits(5000, 8);
    const o = { temperature: 0.9, topP: 0.95, seed: 31 };
    const ref = createSampler(o);
    const expected = Array.from({ length: 30 }, () => (ref.sample(x) as SampleResult).token);
    const s = createSampler(o);
    const got = [];
    for (let i = 0; i < 30; i++) {
      setBackend(BACKENDS[i % 3]);
      got.push((s.sample(x) as SampleResult).token);
    }
    setBackend("simd");
    expect(got).toEqual(expected);
  });
});

// ---------- hostile input and supply chain ----------

describe("hostile input and supply chain", () => {
  it("the shipped code (dist/**/*.js) contains no eval and no Function constructor", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".js")) files.push(p);
      }
    };
    walk(join(root, "dist"));
    expect(files.sort()).toEqual(["index.js", "js.js", "transformers.js", "workerd.js"].map((f) => join(root, "dist", f)));
    for (const f of files) expect(readFileSync(f, "utf8"), f).not.toMatch(/\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(/);
  });

  it("logit-bias maps with huge, negative or fractional ids, or NaN values, and out-of-range histories, throw RangeErrors naming them", () => {
    const x = llmLogits(100, 1);
    expect(() => sample(x, { logitBias: { 1e9: 1 } })).toThrow(/token id 1000000000/);
    expect(() => sample(x, { logitBias: new Map([[-3, 1]]) })).toThrow(/logitBias key -3/);
    expect(() => sample(x, { logitBias: { 0.5: 1 } })).toThrow(/logitBias key "0.5"/);
    expect(() => sample(x, { logitBias: { 2: NaN } })).toThrow(/logitBias\[2\]/);
    expect(() => sample(x, { logitBias: { 2: Infinity } })).toThrow(/logitBias\[2\]/);
    expect(() => createSampler({ presencePenalty: 1 }).sample(x, { history: [5, 100] })).toThrow(/history\[1\] is 100/);
    expect(() => createSampler({ presencePenalty: 1 }).sample(x, { history: [-1] })).toThrow(/history\[0\] is -1/);
    expect(() => createSampler({ presencePenalty: 1 }).sample(x, { history: [1.5] })).toThrow(/history\[0\] is 1.5/);
    expect(() => createSampler({ presencePenalty: 1 }).sample(x, { history: "12" as never })).toThrow(TypeError);
  });
});
