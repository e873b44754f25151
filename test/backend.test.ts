// Loading, backend selection, linear-memory management and the zero-copy path.

import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getBackend, init, initSync, setBackend, softmax, logSoftmax, wasmInput } from "../src/index.js";
import { WasmBackend } from "../src/wasm/backend.js";
import { embeddedBytes, embeddedScalarBytes } from "../src/wasm/load.js";
import { firstBitDiff, llmLogits } from "./helpers.js";

const simdFile = new URL("../build/softmax.simd.wasm", import.meta.url);
const scalarFile = new URL("../build/softmax.wasm", import.meta.url);

afterEach(() => setBackend("simd"));

describe("loading", () => {
  it("both wasm builds have no imports and export only numbers-and-pointers kernels plus memory", () => {
    for (const bytes of [embeddedBytes().bytes, embeddedScalarBytes()]) {
      const m = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(m)).toEqual([]);
      const exports = WebAssembly.Module.exports(m);
      expect(exports.map((e) => e.name).sort()).toEqual([
        "argmax", "bf16_to_f32", "collect_range", "dot_exp_arg", "error_at", "exp_sum", "exp_sum_sparse", "f16_to_f32", "finite_count", "first_index", "has_nan",
        "has_simd", "heap_base", "log_softmax", "log_sum_exp", "mask_below", "mask_exps_below", "memory", "moment_squares", "moments_of", "rng_next32",
        "rng_uniform", "row_max", "softmax", "sum_exps", "top_k", "top_k_half", "walk_cdf", "widen_rows",
      ]);
      expect(exports.filter((e) => e.kind !== "function").map((e) => e.name)).toEqual(["memory"]);
    }
  });

  it("Node 20 picks the SIMD backend automatically and says why; strict init succeeds", async () => {
    expect(initSync(undefined, { strict: true }).name).toBe("simd");
    expect((await init(undefined, { strict: true })).name).toBe("simd");
    const info = getBackend();
    expect(info.name).toBe("simd");
    expect(info.reason.length).toBeGreaterThan(0);
  });

  it("initSync accepts a WebAssembly.Module and bytes; the backend name follows the build given", () => {
    expect(initSync(new WebAssembly.Module(readFileSync(scalarFile))).name).toBe("wasm");
    expect(initSync(readFileSync(simdFile)).name).toBe("simd");
    expect(() => initSync("nope" as unknown as BufferSource)).toThrow(TypeError);
  });

  it("init accepts a file: URL, a Response and a Module; 100 concurrent init() calls resolve to one backend", async () => {
    expect((await init(scalarFile)).name).toBe("wasm");
    expect((await init(new Response(readFileSync(simdFile)))).name).toBe("simd");
    expect((await init(new WebAssembly.Module(readFileSync(scalarFile)))).name).toBe("wasm");
    await expect(init(new Response("missing", { status: 404 }))).rejects.toThrow(/404/);
    const all = await Promise.all(Array.from({ length: 100 }, () => init()));
    expect(new Set(all.map((i) => i.name)).size).toBe(1);
  });

  it("setBackend forces each backend and rejects unknown names with a TypeError", () => {
    for (const name of ["wasm", "js", "simd"] as const) {
      setBackend(name);
      expect(getBackend().name).toBe(name);
    }
    expect(() => setBackend("gpu" as "js")).toThrow(TypeError);
  });
});

describe("fallback to the js backend", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("without WebAssembly, the first call runs on js and getBackend().reason says so", async () => {
    vi.resetModules();
    vi.stubGlobal("WebAssembly", undefined);
    const fresh = await import("../src/index.js");
    const p = fresh.softmax([1, 2, 3]);
    expect(fresh.getBackend()).toEqual({ name: "js", reason: expect.stringMatching(/no WebAssembly/) });
    vi.unstubAllGlobals();
    expect(firstBitDiff(p, softmax([1, 2, 3]))).toBe(-1);
  });

  it("when compiling is refused (CSP without 'wasm-unsafe-eval', Workers), js runs and the reason quotes the engine", async () => {
    vi.resetModules();
    const { CompileError, validate } = WebAssembly;
    class Refusing {
      constructor() {
        throw new CompileError("Wasm code generation disallowed by embedder");
      }
    }
    vi.stubGlobal("WebAssembly", { validate, CompileError, Module: Refusing });
    const fresh = await import("../src/index.js");
    expect(fresh.getBackend().name).toBe("js");
    expect(fresh.getBackend().reason).toMatch(/disallowed by embedder/);
    expect(() => fresh.setBackend("simd")).toThrow(/disallowed by embedder/);
    expect(() => fresh.initSync(undefined, { strict: true })).toThrow(/WebAssembly cannot be used here.*disallowed by embedder/);
    await expect(fresh.init(undefined, { strict: true })).rejects.toThrow(/disallowed by embedder/);
  });
});

describe("cold start", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("importing the main entry decodes and compiles nothing: the first call does, once", async () => {
    vi.resetModules();
    const Real = WebAssembly.Module;
    let compiled = 0;
    const Counting = function (bytes: BufferSource) {
      compiled++;
      return new Real(bytes);
    } as unknown as typeof WebAssembly.Module;
    const { Instance, Memory, CompileError } = WebAssembly;
    vi.stubGlobal("WebAssembly", { ...WebAssembly, Module: Counting, Instance, Memory, CompileError });
    const fresh = await import("../src/index.js");
    expect(compiled).toBe(0);
    fresh.softmax([1, 2, 3]);
    fresh.softmax([1, 2, 3]);
    expect(compiled).toBe(1);
    expect(fresh.getBackend().name).toBe("simd");
  });

  it("an engine that cannot compile the SIMD build gets the scalar one ('wasm'), with the same bits and a reason saying so", async () => {
    vi.resetModules();
    const Real = WebAssembly.Module;
    const simd = new Uint8Array(readFileSync(simdFile));
    const same = (a: BufferSource) => {
      const b = new Uint8Array(ArrayBuffer.isView(a) ? a.buffer : a, ArrayBuffer.isView(a) ? a.byteOffset : 0, a.byteLength);
      return b.length === simd.length && b.every((v, i) => v === simd[i]);
    };
    const { Instance, Memory, CompileError } = WebAssembly;
    const NoSimd = function (bytes: BufferSource) {
      if (same(bytes)) throw new CompileError("invalid opcode 0xfd (SIMD is not supported)");
      return new Real(bytes);
    } as unknown as typeof WebAssembly.Module;
    vi.stubGlobal("WebAssembly", { ...WebAssembly, Module: NoSimd, Instance, Memory, CompileError });
    const fresh = await import("../src/index.js");
    const x = llmLogits(1000, 2);
    const p = fresh.softmax(x, { rows: 2, temperature: 0.7 });
    expect(fresh.getBackend()).toEqual({ name: "wasm", reason: "this engine validates WebAssembly but not its SIMD" });
    expect(() => fresh.setBackend("simd")).toThrow(/does not support WebAssembly SIMD/);
    vi.unstubAllGlobals();
    expect(firstBitDiff(p, softmax(x, { rows: 2, temperature: 0.7 }))).toBe(-1);
  });
});

describe("memory and the zero-copy path", () => {
  it("wasmInput + out === input computes in place in WASM memory, bit-identical to the copy path", () => {
    const x = llmLogits(128256, 1);
    const expected = softmax(x, { temperature: 0.7 });
    const buf = wasmInput(x.length);
    buf.set(x);
    const got = softmax(buf, { temperature: 0.7, out: buf });
    expect(got).toBe(buf);
    expect(firstBitDiff(buf, expected)).toBe(-1);
  });

  it("a zero-copy input with a separate out leaves the input as it was", () => {
    const x = llmLogits(1000, 2);
    const buf = wasmInput(x.length);
    buf.set(x);
    const out = new Float32Array(x.length);
    logSoftmax(buf, { out });
    expect(firstBitDiff(buf, x)).toBe(-1);
    expect(firstBitDiff(out, logSoftmax(x))).toBe(-1);
  });

  it("memory grows for larger inputs; a view from before the growth is detached and rejected with a RangeError", () => {
    const small = wasmInput(16);
    small.set(llmLogits(16, 3));
    softmax(llmLogits(4_000_000, 4)); // grows memory
    expect(small.length).toBe(0);
    expect(() => softmax(small, { out: small })).toThrow(RangeError);
    const fresh = wasmInput(16);
    fresh.set(llmLogits(16, 3));
    expect(firstBitDiff(softmax(fresh), softmax(llmLogits(16, 3)))).toBe(-1);
  });

  it("a request past the WASM memory limit throws a RangeError and the module still works", () => {
    const b = new WasmBackend(new WebAssembly.Module(embeddedBytes().bytes));
    expect(() => b.input(2 ** 30)).toThrow(RangeError);
    const x = llmLogits(100, 5);
    const out = new Float32Array(100);
    expect(b.softmax(x, out, 1, 100, 1)).toBe(0);
    expect(firstBitDiff(out, softmax(x))).toBe(-1);
  });

  it("with out given, repeated calls allocate no new views (the cached view over memory is reused)", () => {
    const b = new WasmBackend(new WebAssembly.Module(embeddedBytes().bytes));
    const x = llmLogits(5000, 6);
    const out = new Float32Array(5000);
    b.softmax(x, out, 1, 5000, 0.7);
    const view = (b as unknown as { view: Float32Array }).view;
    b.softmax(x, out, 1, 5000, 0.7);
    expect((b as unknown as { view: Float32Array }).view).toBe(view);
  });
});
