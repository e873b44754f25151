// The memory model (src/wasm/memory.ts) and inputs that cannot lie (src/input.ts): one test per
// defect found by a hostile user, on every backend, then property tests over random interleavings,
// views at any offset, and extreme temperatures with banned tokens.

import vm from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as lib from "../src/index.js";
import * as jsEntry from "../src/js.js";
import { argmax, createSampler, initSync, logSoftmax, logSumExp, sample, softmax, wasmInput, type SampleResult } from "../src/index.js";
import { backend } from "../src/runtime.js";
import { WasmBackend } from "../src/wasm/backend.js";
import { BACKENDS, llmLogits, rng, withBackend } from "./helpers.js";

const wasmMemory = () => (backend() as WasmBackend).kernels.memory;
const bytesOf = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
const other = vm.runInContext("({ Float32Array, Float64Array, Map })", vm.createContext({})) as {
  Float32Array: Float32ArrayConstructor; Float64Array: Float64ArrayConstructor; Map: MapConstructor;
};

describe.each(BACKENDS)("defects found by a hostile user, on %s", (name) => {
  const on = <T>(fn: () => T) => withBackend(name, fn);

  it("1. a wasmInput() buffer is its own region: logSumExp of other logits leaves it as filled; two buffers do not alias", () =>
    on(() => {
      const b = wasmInput(4);
      b.set([1, 2, 3, 4]);
      logSumExp([5, 5, 5, 0]);
      softmax(new Float32Array([9, 8, 7, 6]));
      expect(Array.from(b)).toEqual([1, 2, 3, 4]);
      const c = wasmInput(4);
      c.fill(7);
      expect(Array.from(b)).toEqual([1, 2, 3, 4]);
      if (name !== "js") {
        const [lo, hi] = b.byteOffset < c.byteOffset ? [b, c] : [c, b];
        expect(lo.byteOffset + lo.byteLength).toBeLessThanOrEqual(hi.byteOffset);
      }
    }));

  it("2. sampling a wasmInput() buffer with rows: 2 gives the copy's tokens and logprobs, and logitBias is not written into it", () =>
    on(() => {
      const x = llmLogits(2 * 300, 11);
      const buf = wasmInput(x.length);
      buf.set(x);
      const options = { rows: 2, seed: 5, topK: 20, logprobs: 3, logitBias: { 3: 2.5, 201: -Infinity }, logprobsMode: "processed" as const };
      const fromBuf = createSampler(options).sample(buf);
      const fromCopy = createSampler(options).sample(x.slice());
      expect(fromBuf).toEqual(fromCopy);
      expect(bytesOf(buf)).toEqual(bytesOf(x));
    }));

  it("3. a view into WASM memory that does not start at a buffer's start is not overwritten by argmax or logSumExp; per-row argmax is right", () =>
    on(() => {
      const whole = wasmInput(7);
      whole.set([1, 9, 3, 4, 8, 6, 2]);
      const view = whole.subarray(1);
      const before = bytesOf(whole);
      expect(argmax(view, { rows: 2 })).toEqual(Int32Array.of(0, 0)); // [9, 3, 4] and [8, 6, 2]
      expect(argmax(view.subarray(1), { rows: 1 })).toBe(2);
      logSumExp(view, { rows: 3 });
      logSoftmax(view);
      expect(bytesOf(whole)).toEqual(before);
    }));

  it("4. a failed call (NaN in a row) changes neither a shifted out view into WASM memory nor an unrelated live buffer", () =>
    on(() => {
      const live = wasmInput(8);
      live.set([1, 2, 3, 4, 5, 6, 7, 8]);
      const host = wasmInput(9);
      host.fill(0.25);
      const out = host.subarray(1);
      const x = new Float32Array([1, 2, 3, 4, 5, NaN, 7, 8]);
      for (const fn of [softmax, logSoftmax]) {
        expect(() => fn(x, { rows: 2, out })).toThrow(/logits\[5\] \(row 1, column 1\) is NaN/);
        expect(() => fn(live.subarray(0, 8).map((v, i) => (i === 2 ? NaN : v)), { out: live })).toThrow(/is NaN/);
      }
      expect(Array.from(host)).toEqual(new Array(9).fill(0.25));
      expect(Array.from(live)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }));

  it("5. topP and typicalP bounds are exact float32: the llama.cpp case gives token 4 on every backend; banned tokens are never drawn", () =>
    on(() => {
      const x = new Float32Array([0, -200, -200, -200, -16.230067]);
      expect(sample(x, { order: "llama.cpp", topP: 1 - 1e-8, temperature: 100, seed: 1 })).toBe(4);
      for (let seed = 0; seed < 200; seed++) {
        const t = sample(x, { topP: 1 - 1e-8, typicalP: 1 - 1e-8, temperature: 50, seed, logitBias: new Map([[1, -Infinity], [2, -Infinity], [3, -Infinity]]) });
        expect([0, 4]).toContain(t);
      }
    }));

  it("6. T = Infinity with a filter and extreme logits gives logprob −ln 2, not NaN; at T = 2^128 a filter keeping every token changes nothing", () =>
    on(() => {
      const x = new Float32Array([3.4028234663852886e38, -3.4028234663852886e38]);
      const r = createSampler({ temperature: Infinity, topK: 2, logprobs: 2, logprobsMode: "processed", seed: 1 }).sample(x) as SampleResult;
      expect(r.logprob).toBe(Math.fround(-Math.LN2));
      for (const lp of r.topLogprobs!) expect(lp.logprob).toBe(Math.fround(-Math.LN2));
      const T = 2 ** 128;
      const y = new Float32Array([3e38, -3e38, 1e38, 0, -2e38]);
      const plain = createSampler({ temperature: T, logprobs: 5, logprobsMode: "processed", seed: 3 });
      const filtered = createSampler({ temperature: T, topK: 5, minP: 1e-30, logprobs: 5, logprobsMode: "processed", seed: 3 });
      for (let i = 0; i < 20; i++) {
        const a = plain.sample(y) as SampleResult, b = filtered.sample(y) as SampleResult;
        expect(b.token).toBe(a.token);
        expect(Math.abs(b.logprob! - a.logprob!)).toBeLessThan(1e-6);
        expect(Number.isNaN(a.logprob)).toBe(false);
      }
      // And the processed distribution matches softmax at that T (the kernels' halving rule).
      const p = softmax(y, { temperature: T });
      const lps = (plain.sample(y) as SampleResult).topLogprobs!;
      for (const { token, logprob } of lps) expect(Math.abs(Math.exp(logprob) - p[token])).toBeLessThan(1e-6);
    }));

  it("7. an element getter or Proxy that grows WASM memory mid-read cannot change the result; an own `length` property is ignored", () =>
    on(() => {
      const values = Array.from(llmLogits(64, 3));
      const expected = bytesOf(softmax(values));
      const getterArray = values.slice();
      Object.defineProperty(getterArray, 10, { get: () => (wasmInput(1 << 18), values[10]) });
      expect(bytesOf(softmax(getterArray))).toEqual(expected);
      const proxy = new Proxy(values.slice(), { get: (t, k) => (k === "20" ? (wasmInput(1 << 18), t[20]) : Reflect.get(t, k)) });
      expect(bytesOf(softmax(proxy))).toEqual(expected);
      expect(sample(proxy, { seed: 9 })).toBe(sample(values, { seed: 9 }));
      const f = new Float32Array([1, 2, 3]);
      Object.defineProperty(f, "length", { value: 8 });
      expect(softmax(f).length).toBe(3);
      expect(logSoftmax(f, { out: new Float32Array(3) }).length).toBe(3);
    }));

  it("8. values from another realm (node:vm): a Float32Array/Float64Array is accepted, a Map logitBias bans its tokens", () =>
    on(() => {
      const x = llmLogits(50, 4);
      const foreign = new other.Float32Array(x);
      expect(bytesOf(softmax(foreign))).toEqual(bytesOf(softmax(x)));
      expect(bytesOf(softmax(new other.Float64Array(x)))).toEqual(bytesOf(softmax(x)));
      const out = new other.Float32Array(50);
      expect(softmax(x, { out })).toBe(out);
      expect(bytesOf(out)).toEqual(bytesOf(softmax(x)));
      const top = argmax(x) as number;
      const ban = new other.Map([[top, -Infinity]]);
      for (let seed = 0; seed < 50; seed++) expect(sample(x, { temperature: 0.1, seed, logitBias: ban })).not.toBe(top);
    }));

  it("9. a sampler call that throws leaves its stream where it was: the seeded sequence does not shift", () =>
    on(() => {
      const x = llmLogits(100, 5);
      const bad = x.slice();
      bad[7] = NaN;
      const a = createSampler({ seed: 42, temperature: 1.5 }), b = createSampler({ seed: 42, temperature: 1.5 });
      const seqA: number[] = [], seqB: number[] = [];
      for (let i = 0; i < 10; i++) {
        seqA.push((a.sample(x) as SampleResult).token);
        expect(() => b.sample(bad)).toThrow(/logits\[7\] is NaN/);
        expect(() => b.sample(x, { history: [1, 2, 1000] })).toThrow(RangeError);
        seqB.push((b.sample(x) as SampleResult).token);
      }
      expect(seqB).toEqual(seqA);
    }));

  it("10. inherited option keys are ignored: Object.prototype.temperature = 0 changes neither softmax(x) nor sample(x)", () =>
    on(() => {
      const x = llmLogits(40, 6);
      const p = bytesOf(softmax(x));
      const t = sample(x, { seed: 1 });
      const proto = Object.prototype as { temperature?: number; topK?: number };
      proto.temperature = 0;
      proto.topK = 1;
      try {
        expect(bytesOf(softmax(x))).toEqual(p);
        expect(bytesOf(softmax(x, {}))).toEqual(p);
        expect(sample(x, { seed: 1 })).toBe(t);
      } finally {
        delete proto.temperature;
        delete proto.topK;
      }
    }));

  it("11. every user error is our TypeError/RangeError naming the argument", () =>
    on(() => {
      const x = new Float32Array([1, 2, 3]);
      expect(() => sample(x, { order: "toString" as never })).toThrow(RangeError);
      expect(() => sample(x, { order: "toString" as never })).toThrow(/order must be/);
      const detaching = new Float32Array([1, 2, 3]);
      const options = { get temperature() { structuredClone(detaching.buffer, { transfer: [detaching.buffer] }); return 1; } };
      expect(() => softmax(detaching, options)).toThrow(RangeError);
      expect(() => softmax(new Float32Array([1, 2, 3]), { get out() { return detachedOut(); } })).toThrow(/out has length 0/);
      expect(() => createSampler({ seed: 1 }).sample(x, { history: new BigInt64Array(2) as never })).toThrow(TypeError);
      expect(() => createSampler({ seed: 1 }).sample(x, { history: new BigInt64Array(2) as never })).toThrow(/history must hold numbers/);
      expect(() => sample(x, { logprobs: 1, logprobsMode: null as never })).toThrow(/logprobsMode must be "raw" or "processed"; got null/);
      expect(() => sample(x, { logitBias: { 1: 0.5, ["01"]: 0.5 } as never })).toThrow(/logitBias key "01" is not a token id/);
      expect(() => sample(x, { logitBias: new Map([[1, 0.5], [1.0, 0.5]]) })).not.toThrow(); // a Map has one key 1
    }));
});

function detachedOut(): Float32Array {
  const o = new Float32Array(3);
  structuredClone(o.buffer, { transfer: [o.buffer] });
  return o;
}

describe("module and entry errors", () => {
  it("11. initSync with a module that is not ours is a TypeError naming the missing exports; the backend in use is unchanged", () => {
    const before = lib.getBackend();
    const empty = new WebAssembly.Module(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0));
    expect(() => initSync(empty)).toThrow(TypeError);
    expect(() => initSync(empty)).toThrow(/lacks the exports heap_base, .*memory/);
    expect(lib.getBackend()).toEqual(before);
  });

  it("12. softmax-wasm/js has the whole API: init, initSync, setBackend, wasmInput, with the same results", async () => {
    expect(jsEntry.initSync()).toEqual({ name: "js", reason: 'imported from "softmax-wasm/js"' });
    await expect(jsEntry.init()).resolves.toEqual(jsEntry.getBackend());
    expect(() => jsEntry.initSync(undefined, { strict: true })).toThrow(/WebAssembly cannot be used here/);
    await expect(jsEntry.init(undefined, { strict: true })).rejects.toThrow(/WebAssembly cannot be used here/);
    expect(() => jsEntry.setBackend("js")).not.toThrow();
    expect(() => jsEntry.setBackend("simd")).toThrow(/only the "js" backend/);
    expect(() => jsEntry.setBackend("gpu" as never)).toThrow(TypeError);
    const buf = jsEntry.wasmInput(5);
    buf.set([1, 2, 3, 4, 5]);
    expect(bytesOf(jsEntry.softmax(buf, { out: buf }))).toEqual(bytesOf(lib.softmax(new Float32Array([1, 2, 3, 4, 5]))));
    buf.free();
    expect(Object.keys(jsEntry).sort()).toEqual(Object.keys(lib).sort());
  });

  it("12. wasmInput(n) costs at most 16·n bytes (+ a page of rounding) the first time: 4·n for the buffer, 12·n of shared scratch", () =>
    withBackend("simd", () => {
      const n = 3_000_000; // larger than any earlier call in this file, so the scratch grows for it
      const before = wasmMemory().buffer.byteLength;
      const buf = wasmInput(n);
      const grown = wasmMemory().buffer.byteLength - before;
      expect(grown).toBeLessThanOrEqual(16 * n + 65536 + 1024);
      buf.free();
      // Freed: the same call again needs no more memory.
      const again = wasmInput(n);
      expect(wasmMemory().buffer.byteLength - before).toBe(grown);
      again.free();
    }));

  it("calls on a wasmInput() buffer never grow memory, so the view never goes stale; a larger call does, and the bytes survive", () =>
    withBackend("simd", () => {
      const n = 5000;
      const buf = wasmInput(n);
      buf.set(llmLogits(n, 8));
      const copy = buf.slice();
      const size = wasmMemory().buffer.byteLength;
      softmax(buf);
      logSoftmax(buf, { rows: n });
      logSumExp(buf, { rows: n });
      argmax(buf, { rows: 5 });
      sample(buf, { seed: 1, topP: 0.9 });
      softmax(buf, { out: buf });
      expect(wasmMemory().buffer.byteLength).toBe(size);
      expect(buf.length).toBe(n);
      buf.set(copy);
      softmax(new Float32Array(wasmMemory().buffer.byteLength / 4)); // needs twice the memory: grows, detaching every view
      expect(buf.length).toBe(0);
      expect(() => softmax(buf)).toThrow(/logits is empty .*wasmInput\(\) again/);
      buf.free(); // a stale buffer can still be freed
    }));

  it("free() is idempotent and `using` frees; a freed region is handed out again, zeroed", () =>
    withBackend("simd", () => {
      const a = wasmInput(1000);
      a.fill(3);
      const at = a.byteOffset;
      a.free();
      a.free();
      const b = wasmInput(1000);
      expect(b.byteOffset).toBe(at);
      expect(b.every((v) => v === 0)).toBe(true);
      const dispose = (Symbol as { dispose?: symbol }).dispose;
      if (dispose) (b as unknown as Record<symbol, () => void>)[dispose]();
      else b.free();
      const c = wasmInput(1000);
      expect(c.byteOffset).toBe(at);
      c.free();
    }));

  it("an out that this call's growth detaches still receives the result, and the call returns a live view of it", () =>
    withBackend("simd", () => {
      const host = wasmInput(64);
      const n = 2_000_000;
      // A hand-built view over the memory (foreign: not a wasmInput buffer), as long as the input.
      const mem = wasmMemory();
      const spare = mem.buffer.byteLength;
      mem.grow(Math.ceil((4 * n) / 65536));
      const out = new Float32Array(mem.buffer, spare, n);
      const x = llmLogits(n, 9);
      const result = softmax(x, { out, temperature: 0.5 }); // needs scratch: grows, detaching out
      expect(result.length).toBe(n);
      expect(result.byteOffset).toBe(spare);
      expect(bytesOf(result)).toEqual(bytesOf(withBackend("js", () => softmax(x, { temperature: 0.5 }))));
      host.free();
    }));
});

// ---------- properties ----------

const BIG = 3;

describe("properties of the memory model", () => {
  it("(a) random interleavings of wasmInput fills, calls on other inputs, samplers and nested calls from option getters never change a live buffer not passed as out", () => {
    const op = fc.record({
      kind: fc.constantFrom("fill", "softmax", "logSoftmax", "lse", "argmax", "sample", "sampler", "nested", "free", "alloc", "inPlace"),
      n: fc.integer({ min: 1, max: 300 }),
      which: fc.nat(),
      seed: fc.nat(),
      rows: fc.constantFrom(1, 2, 3),
    });
    fc.assert(
      fc.property(fc.constantFrom(...BACKENDS), fc.array(op, { minLength: 5, maxLength: 40 }), (name, ops) =>
        withBackend(name, () => {
          const live: { buf: Float32Array & { free(): void }; want: number[] }[] = [];
          const pick = (w: number) => live[w % live.length];
          const sampler = createSampler({ seed: 1, topK: 5, logitBias: { 0: 1 } });
          const check = () => {
            for (const l of live) expect(Array.from(l.buf)).toEqual(l.want);
          };
          for (const o of ops) {
            const data = llmLogits(o.n * o.rows, o.seed);
            switch (o.kind) {
              case "alloc": {
                const buf = wasmInput(o.n * o.rows);
                buf.set(data);
                live.push({ buf, want: Array.from(buf) });
                break;
              }
              case "fill":
                if (live.length) {
                  const l = pick(o.which);
                  l.buf.set(llmLogits(l.buf.length, o.seed));
                  l.want = Array.from(l.buf);
                }
                break;
              case "free":
                if (live.length) live.splice(o.which % live.length, 1)[0].buf.free();
                break;
              case "softmax":
                softmax(live.length && o.which % 2 ? pick(o.which).buf : data, { rows: 1 });
                break;
              case "logSoftmax":
                logSoftmax(data, { rows: o.rows });
                break;
              case "lse":
                logSumExp(live.length ? pick(o.which).buf.subarray(o.which % 2) : data);
                break;
              case "argmax":
                argmax(live.length ? pick(o.which).buf.subarray(0, Math.max(1, pick(o.which).buf.length - 1)) : data);
                break;
              case "sample":
                sample(live.length ? pick(o.which).buf : data, { seed: o.seed, logitBias: { 0: -Infinity }, repetitionPenalty: 1.3 });
                break;
              case "sampler":
                sampler.sample(live.length ? pick(o.which).buf : data, { history: [0, 0, 1] });
                break;
              case "nested": {
                const inner = live.length ? pick(o.which).buf : data;
                softmax(data, { get temperature() { softmax(inner); sample(inner, { seed: 2, logitBias: { 0: 3 } }); logSumExp(llmLogits(2 * BIG * 300, 1)); return 0.7; } });
                break;
              }
              case "inPlace":
                if (live.length) {
                  const l = pick(o.which);
                  softmax(l.buf, { out: l.buf }); // the caller asked: this one changes
                  l.want = Array.from(l.buf);
                }
                break;
            }
            check();
          }
          for (const l of live) l.buf.free();
        })),
      { numRuns: 60, seed: 20261130 },
    );
  });

  it("(b) results on views into WASM memory (any offset, any overlap with out) equal results on copies", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BACKENDS), fc.constantFrom("softmax", "logSoftmax"), fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 40 }), fc.integer({ min: -40, max: 40 }), fc.constantFrom(1, 2), fc.nat(), fc.constantFrom(0.5, 1, 3),
        (name, fn, n, xOff, outShift, rows, seed, t) =>
          withBackend(name, () => {
            const len = n * rows;
            const host = wasmInput(len + 100);
            host.set(llmLogits(len + 100, seed));
            const x = host.subarray(xOff, xOff + len);
            const expected = bytesOf((fn === "softmax" ? softmax : logSoftmax)(x.slice(), { rows, temperature: t }));
            const outStart = Math.min(Math.max(0, xOff + outShift), host.length - len);
            const out = host.subarray(outStart, outStart + len);
            const got = (fn === "softmax" ? softmax : logSoftmax)(x, { rows, temperature: t, out });
            expect(got).toBe(out);
            expect(bytesOf(out)).toEqual(expected);
            host.free();
          }),
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("(c) random logits with huge or tiny T and banned tokens: the three backends draw the same tokens, never NaN, never a token of processed probability 0", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 400 }), fc.nat(), fc.constantFrom(1e-30, 1e-6, 0.05, 1, 50, 1e6, 2 ** 100, 2 ** 128, 1e38, Infinity),
        fc.constantFrom("hf", "llama.cpp", "vllm"), fc.record({ topK: fc.constantFrom(0, 1, 3, 50), topP: fc.constantFrom(1, 0.9, 1 - 1e-8), minP: fc.constantFrom(0, 0.05, 1e-30), typicalP: fc.constantFrom(1, 0.5, 1 - 1e-8) }),
        fc.constantFrom(1, 1e30, 3e38),
        (V, seed, T, order, filters, scale) => {
          const r = rng(seed);
          const x = new Float32Array(V);
          for (let i = 0; i < V; i++) x[i] = Math.fround((r() * 2 - 1) * scale);
          const banned = new Map<number, number>();
          for (let i = 0; i < V; i++) if (r() < 0.3) banned.set(i, -Infinity);
          if (banned.size === V) banned.delete(0);
          const options = { temperature: T, order, ...filters, typicalP: order === "vllm" ? 1 : filters.typicalP, seed, logitBias: banned, logprobs: 0, logprobsMode: "processed" as const };
          const results = BACKENDS.map((name) => withBackend(name, () => createSampler(options).sample(x) as SampleResult));
          for (const res of results) {
            expect(res).toEqual(results[0]);
            expect(Number.isNaN(res.logprob)).toBe(false);
            expect(res.logprob).toBeGreaterThan(-Infinity); // probability > 0 in the distribution drawn from
            expect(banned.has(res.token)).toBe(false);
          }
        },
      ),
      { numRuns: 500, seed: 99 },
    );
  });
});

describe("refresh()", () => {
  it("a view detached by growth gives a live view of the same bytes, which frees the same region; after free() it throws", () =>
    withBackend("simd", () => {
      const a = wasmInput(1000);
      a.set(llmLogits(1000, 1));
      const want = Array.from(a);
      wasmInput(2 * wasmMemory().buffer.byteLength / 4).free(); // grows memory: a detaches
      expect(a.length).toBe(0);
      const b = a.refresh();
      expect(b.length).toBe(1000);
      expect(Array.from(b)).toEqual(want);
      expect(b.refresh()).toBe(b); // still live: the same object
      expect(bytesOf(softmax(b))).toEqual(bytesOf(softmax(Float32Array.from(want))));
      b.free();
      expect(() => a.refresh()).toThrow(/freed/);
    }));
});
