// Half-precision input (SPEC §5): float16 and bfloat16 bits, widened exactly inside the kernels
// (assembly/half.ts, twin src/js/half.ts), give the bits of the same values as float32 input, on
// every backend, by copy or zero-copy, for every function and the samplers.

import { describe, expect, it } from "vitest";
import {
  argmax, createSampler, logSoftmax, logSumExp, sample, sampleBatch, softmax, wasmInput, type SampleResult,
} from "../src/index.js";
import { bf16ToF32, f16ToF32 } from "../src/js/half.js";
import { errorAt as twinErrorAt, widenRows as twinWidenRows } from "../src/js/softmax.js";
import { embeddedBytes, embeddedScalarBytes, instantiate } from "../src/wasm/load.js";
import { backend } from "../src/runtime.js";
import { BACKENDS, llmLogits, rng, withBackend } from "./helpers.js";

const ALL = Uint16Array.from({ length: 65536 }, (_, i) => i);
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

/** float16 bits → value, straight from the IEEE 754 definition (independent of the kernels). */
function refF16(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
}

/** float32 values with the given half bits, through the reference decoders. */
function asF32(bits: Uint16Array, dtype: "float16" | "bfloat16"): Float32Array {
  if (dtype === "bfloat16") return new Float32Array(Uint32Array.from(bits, (h) => h << 16).buffer);
  return Float32Array.from(bits, refF16);
}

/** LLM-like logits rounded to half bits, with masks (−Infinity), −0 and subnormals mixed in. */
function halfLogits(n: number, seed: number, dtype: "float16" | "bfloat16"): Uint16Array {
  const x = llmLogits(n, seed);
  const r = rng(seed);
  const out = new Uint16Array(n);
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    f[0] = x[i];
    if (dtype === "bfloat16") out[i] = u[0] >>> 16;
    else {
      // truncate to float16 (a test-data generator: any float16 near the logit will do)
      const b = u[0], exp = ((b >>> 23) & 255) - 112;
      out[i] = ((b >>> 16) & 0x8000) | (exp <= 0 ? 0 : (exp << 10) | ((b >>> 13) & 0x3ff));
    }
    const k = r();
    if (k < 0.05) out[i] = dtype === "float16" ? 0xfc00 : 0xff80; // −Infinity: masked
    else if (k < 0.07) out[i] = 0x8000; // −0
    else if (k < 0.09) out[i] = 1 + Math.floor(r() * 0x3ff); // a float16 subnormal (or tiny bfloat16)
  }
  return out;
}

describe("the widening kernels", () => {
  it("float16 → float32: all 65,536 bit patterns, SIMD and scalar builds and the TS twin, bit-identical and equal to the IEEE definition (NaN payloads kept)", () => {
    const twin = new Float32Array(65536);
    f16ToF32(ALL, twin);
    for (let h = 0; h < 65536; h++) {
      const want = refF16(h);
      if (Number.isNaN(want)) expect((new Uint32Array(twin.buffer)[h] & 0x7f800000) >>> 0).toBe(0x7f800000);
      else expect(Object.is(twin[h], want), `0x${h.toString(16)}`).toBe(true);
    }
    for (const bytes of [embeddedBytes().bytes, embeddedScalarBytes()]) {
      const k = instantiate(new WebAssembly.Module(bytes));
      k.memory.grow(8);
      const src = k.heap_base() + 64, dst = src + 131072 + 64;
      new Uint16Array(k.memory.buffer, src, 65536).set(ALL);
      k.f16_to_f32(src, dst, 65536);
      expect(Array.from(new Uint32Array(k.memory.buffer, dst, 65536))).toEqual(Array.from(new Uint32Array(twin.buffer)));
      k.bf16_to_f32(src, dst, 65535); // an odd length: the remainder path
      const b = new Float32Array(65535);
      bf16ToF32(ALL.subarray(0, 65535), b);
      expect(Array.from(new Uint32Array(k.memory.buffer, dst, 65535))).toEqual(Array.from(new Uint32Array(b.buffer)));
    }
  });
});

/** The exact float32 bits of half bits h, NaN payloads included: sign, all-ones exponent, mantissa. */
function exactBits(h: number, dtype: "float16" | "bfloat16"): number {
  if (dtype === "bfloat16") return (h << 16) >>> 0;
  if ((h & 0x7c00) === 0x7c00) return (((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13)) >>> 0;
  return new Uint32Array(Float32Array.of(refF16(h)).buffer)[0];
}

/** The first pass of both wasm builds (widen_rows) and of the twin, on rows × cols bits. */
function firstPasses(bits: Uint16Array, rows: number, cols: number, dtype: "float16" | "bfloat16") {
  const n = rows * cols;
  const runs: { who: string; status: number; at: number; x: number[]; maxes: number[] }[] = [];
  for (const [who, bytes] of [["simd", embeddedBytes().bytes], ["scalar", embeddedScalarBytes()]] as const) {
    const k = instantiate(new WebAssembly.Module(bytes));
    k.memory.grow(Math.ceil((8 * n + 4 * rows + 256) / 65536));
    const up = (p: number) => Math.ceil(p / 64) * 64;
    const src = up(k.heap_base()), x = up(src + 2 * n), maxes = up(x + 4 * n);
    new Uint16Array(k.memory.buffer, src, n).set(bits);
    const status = k.widen_rows(src, x, rows, cols, maxes, dtype === "float16" ? 0 : 1);
    runs.push({
      who, status, at: k.error_at(),
      x: Array.from(new Uint32Array(k.memory.buffer, x, n)),
      maxes: Array.from(new Float32Array(k.memory.buffer, maxes, rows)),
    });
  }
  const x = new Float32Array(n), maxes = new Float32Array(rows);
  const status = twinWidenRows(bits, x, rows, cols, maxes, dtype === "bfloat16");
  runs.push({ who: "twin", status, at: twinErrorAt, x: Array.from(new Uint32Array(x.buffer)), maxes: Array.from(maxes) });
  return runs;
}

describe("the fused first pass (widen_rows: widen, max, validate)", () => {
  it.each(["float16", "bfloat16"] as const)("%s: all 65,536 bit patterns widen to their exact float32 bits (NaN payloads, ±Infinity, subnormals, −0) in the SIMD and scalar builds and the twin; +Infinity is the first error", (dtype) => {
    const want = Array.from(ALL, (h) => exactBits(h, dtype));
    const posInf = dtype === "float16" ? 0x7c00 : 0x7f80;
    for (const n of [65536, 65535, 65529]) { // and the remainder path (n mod 8 = 7, 1)
      for (const run of firstPasses(ALL.subarray(0, n), 1, n, dtype)) {
        expect([run.who, run.status, run.at]).toEqual([run.who, 2, posInf]);
        expect(run.x).toEqual(want.slice(0, n));
      }
    }
    // the plain widening kernels (the sampler's), with the same bits
    for (const bytes of [embeddedBytes().bytes, embeddedScalarBytes()]) {
      const k = instantiate(new WebAssembly.Module(bytes));
      k.memory.grow(8);
      const src = k.heap_base() + 64, dst = src + 131072 + 64;
      new Uint16Array(k.memory.buffer, src, 65536).set(ALL);
      (dtype === "float16" ? k.f16_to_f32 : k.bf16_to_f32)(src, dst, 65533);
      expect(Array.from(new Uint32Array(k.memory.buffer, dst, 65533))).toEqual(want.slice(0, 65533));
    }
  });

  it.each(["float16", "bfloat16"] as const)("%s: row maxima of random rows (masks, ±0, subnormals, ±Infinity, NaN) and the error index and kind, identical across builds, twin and the float32 definition", (dtype) => {
    const r = rng(77);
    const negInf = dtype === "float16" ? 0xfc00 : 0xff80, posInf = negInf & 0x7fff;
    const seen = new Set<number>();
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(r() * 4), cols = 1 + Math.floor(r() * 70);
      const bits = new Uint16Array(rows * cols);
      const kind = r();
      for (let i = 0; i < bits.length; i++) {
        const u = r();
        let h = Math.floor(r() * 65536);
        if (u < 0.3) h = negInf;
        else if (u < 0.4) h = r() < 0.5 ? 0 : 0x8000;
        else if (u < 0.5) h = Math.floor(r() * 0x400) | (r() < 0.5 ? 0x8000 : 0); // subnormal (float16)
        if ((h & 0x7fff) >= posInf && h !== negInf) h = kind < 0.15 ? h : h & 0xbfff; // NaN/+Inf only in some trials
        bits[i] = h;
      }
      if (kind > 0.9) bits.fill(negInf, 0, cols); // a masked first row
      if (kind < 0.08) bits[Math.floor(r() * bits.length)] = posInf;
      // the float32 definition: first row with NaN or +Infinity (first such index) or all −Infinity
      const v = Array.from(bits, (h) => new Float32Array(new Uint32Array([exactBits(h, dtype)]).buffer)[0]);
      let want = { status: 0, at: -1, maxes: [] as number[] };
      for (let row = 0; row < rows; row++) {
        const xs = v.slice(row * cols, (row + 1) * cols);
        const bad = xs.findIndex((x) => x !== x || x === Infinity);
        if (bad >= 0) { want = { status: xs[bad] !== xs[bad] ? 1 : 2, at: row * cols + bad, maxes: want.maxes }; break; }
        const m = Math.max(...xs);
        if (m === -Infinity) { want = { status: 3, at: row, maxes: want.maxes }; break; }
        want.maxes.push(m === 0 ? 0 : m);
      }
      seen.add(want.status);
      for (const run of firstPasses(bits, rows, cols, dtype)) {
        expect([run.who, trial, run.status]).toEqual([run.who, trial, want.status]);
        if (want.status !== 0) expect(run.at).toBe(want.at);
        else expect(run.maxes.map((m) => (Object.is(m, -0) ? "-0" : m))).toEqual(want.maxes);
        if (want.status === 0) expect(run.x).toEqual(Array.from(bits, (h) => exactBits(h, dtype)));
      }
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]); // every outcome was exercised
  });
});

describe.each(BACKENDS)("half-precision input on %s", (name) => {
  const on = <T>(fn: () => T) => withBackend(name, fn);

  it.each(["float16", "bfloat16"] as const)("%s: softmax, logSoftmax, logSumExp, argmax give the float32 input's bits (rows 1 and 3, T 0.7, masks, −0, subnormals)", (dtype) =>
    on(() => {
      for (let seed = 1; seed <= 20; seed++) {
        const n = 3 * (1 + Math.floor(rng(seed)() * 400));
        const bits = halfLogits(n, seed, dtype);
        for (let r = 0; r < 3; r++) bits[r * (n / 3)] = dtype === "float16" ? 0x4400 : 0x4080; // a finite max per row
        const f = asF32(bits, dtype);
        for (const rows of [1, 3]) {
          expect(bitsOf(softmax(bits, { dtype, rows, temperature: 0.7 }))).toEqual(bitsOf(softmax(f, { rows, temperature: 0.7 })));
          expect(bitsOf(logSoftmax(bits, { dtype, rows }))).toEqual(bitsOf(logSoftmax(f, { rows })));
          expect(logSumExp(bits, { dtype, rows })).toEqual(logSumExp(f, { rows }));
          expect(argmax(bits, { dtype, rows })).toEqual(argmax(f, { rows }));
        }
      }
    }));

  it.each(["float16", "bfloat16"] as const)("%s: samplers and sampleBatch draw the float32 input's tokens and logprobs; zero-copy wasmInput(n, dtype) too", (dtype) =>
    on(() => {
      const V = 3000;
      const bits = halfLogits(2 * V, 7, dtype);
      bits[5] = bits[V + 5] = dtype === "float16" ? 0x4a00 : 0x4160;
      const f = asF32(bits, dtype);
      const o = { temperature: 0.8, topP: 0.95, minP: 0.01, rows: 2, seed: 4, logprobs: 3 };
      const a = createSampler({ ...o, dtype }), b = createSampler(o);
      const zc = wasmInput(2 * V, dtype);
      zc.set(bits);
      const c = createSampler({ ...o, dtype });
      for (let i = 0; i < 5; i++) {
        const want = b.sample(f);
        expect(a.sample(bits)).toEqual(want);
        expect(c.sample(zc)).toEqual(want);
      }
      expect(Array.from(zc)).toEqual(Array.from(bits)); // the caller's buffer is untouched
      const s1 = createSampler({ seed: 1 }), s2 = createSampler({ seed: 1 });
      expect(sampleBatch(bits, [s1, createSampler({ seed: 2 })], { dtype })).toEqual(sampleBatch(f, [s2, createSampler({ seed: 2 })]));
      expect(sample(bits, { dtype, seed: 9 })).toBe(sample(f, { seed: 9 }));
      zc.free();
    }));

  it.each(["float16", "bfloat16"] as const)("%s, one row left as bits: the top-k pass over them (widening only the k it keeps) or the widening with the max draws the float32 input's tokens and logprobs, and NaN/Infinity errors name the same index; a plain top-k step never widens the rest", (dtype) =>
    on(() => {
      // Count what the kernels' lazy row did, where there is one (the other backends widen up front).
      const k = backend().rowKernels();
      const take = k.takeHalf?.bind(k);
      let taken = 0, filled = 0;
      if (take) {
        k.takeHalf = () => {
          const h = take();
          if (!h) return h;
          taken++;
          return { ...h, fill: () => (filled++, h.fill()) };
        };
      }
      try {
        const configs: [Record<string, unknown>, boolean][] = [
          // [options, whether the step may widen the whole row]
          [{ temperature: 0.7, topK: 40, topP: 0.95 }, false],
          [{ temperature: 1.3, topK: 200, minP: 0.05, logprobs: 4, logprobsMode: "processed" }, false],
          [{ order: ["topK", "typicalP", "temperature"], topK: 64, typicalP: 0.9, temperature: 0.8 }, false],
          [{ order: ["topK", "xtc", "temperature", "mirostat"], topK: 300, xtcProbability: 1, xtcThreshold: 0.05, mirostat: 2 }, false],
          [{ order: ["topK", "topNSigma", "temperature"], topK: 50, topNSigma: 1.5 }, false],
          [{ order: ["temperature", "topK", "penalties", "topP"], temperature: 0.9, topK: 30, repetitionPenalty: 1.3, topP: 0.9 }, true], // an edit after scaling
          [{ order: ["penalties", "topK", "topP"], frequencyPenalty: 0.5, topK: 30, topP: 0.9 }, true], // edits before the top-k
          [{ order: ["topK", "temperature"], topK: 40, temperature: 1e35 }, true], // the row is halved
          [{ topK: 40, logitBias: { 3: 2.5, 17: -Infinity } }, true],
          [{ temperature: 0.7, minP: 0.05 }, true], // no top-k first: widened with the max in one pass
          [{ order: ["temperature", "topP"], temperature: 1.1, topP: 0.8, logprobs: 2, logprobsMode: "processed" }, true],
        ];
        for (const [c, mayFill] of configs) {
          for (let seed = 1; seed <= 4; seed++) {
            const V = [2048, 1000, 5003, 4099][seed - 1];
            const bits = halfLogits(V, seed * 31, dtype);
            bits[seed * 7] = dtype === "float16" ? 0x4a00 : 0x4160; // a finite max
            const f = asF32(bits, dtype);
            const history = [1, 2, 3, 5, 8, 13, 21, 34, 1, 2];
            const a = createSampler({ ...c, dtype, seed }), b = createSampler({ ...c, seed });
            const zc = wasmInput(V, dtype);
            zc.set(bits);
            const z = createSampler({ ...c, dtype, seed });
            taken = filled = 0;
            for (let t = 0; t < 6; t++) {
              const want = b.sample(f, { history });
              expect(a.sample(bits, { history }), `${JSON.stringify(c)} seed ${seed}`).toEqual(want);
              expect(z.sample(zc, { history })).toEqual(want);
            }
            expect(Array.from(zc)).toEqual(Array.from(bits)); // the caller's bits are untouched
            zc.free();
            // Every step, copy and zero-copy, left its one row as bits; only simd has the top-k pass
            // over them, after which a plain step never widens the rest.
            if (take) expect(taken).toBe(12);
            if (take && name === "simd" && !mayFill) expect(filled).toBe(0);
          }
        }
        // NaN and +Infinity: the error of the float32 input, with its index; after it, the next
        // step (on float32 input) sees its own row, not the stale bits.
        const bad = dtype === "float16" ? [[0, 0x7e00], [777, 0xfe01], [2047, 0x7c00]] : [[0, 0x7fc0], [777, 0xff81], [2047, 0x7f80]];
        for (const [at, v] of bad) {
          const bits = halfLogits(2048, 5, dtype);
          bits[at] = v;
          const f = asF32(bits, dtype);
          let want = "";
          try {
            createSampler({ topK: 40, seed: 1 }).sample(f);
          } catch (e) {
            want = (e as Error).message;
          }
          expect(want).toMatch(new RegExp(`logits\\[${at}\\]`));
          expect(() => createSampler({ topK: 40, dtype, seed: 1 }).sample(bits)).toThrow(want);
          expect(() => createSampler({ minP: 0.05, dtype, seed: 1 }).sample(bits)).toThrow(want);
          const g = llmLogits(2048, 9);
          expect(createSampler({ topK: 40, seed: 2 }).sample(g)).toEqual(createSampler({ topK: 40, seed: 2 }).sample(Float32Array.from(g)));
        }
        const masked = new Uint16Array(2048).fill(dtype === "float16" ? 0xfc00 : 0xff80);
        expect(() => createSampler({ topK: 40, dtype }).sample(masked)).toThrow(/every logit is -Infinity/);
        expect(() => createSampler({ minP: 0.05, dtype }).sample(masked)).toThrow(/every logit is -Infinity/);
      } finally {
        if (take) k.takeHalf = take;
      }
    }));

  it("one row with penalties and logprobs: the drawn token's raw logprob is of the logits as given, as for float32 (the widened row is not the sampler's working row)", () =>
    on(() => {
      const V = 50;
      const f = Float32Array.from({ length: V }, (_, i) => (((i * 37) % 23) - 11) / 4); // quarters: exact in float16
      const bits = Uint16Array.from(f, (v) => {
        if (v === 0) return 0;
        const s = v < 0 ? 0x8000 : 0, a = Math.abs(v), e = Math.floor(Math.log2(a));
        return s | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
      });
      expect(Array.from(asF32(bits, "float16"))).toEqual(Array.from(f));
      const history = Array.from({ length: V }, (_, i) => i); // every token penalised
      const o = { seed: 3, logprobs: 2, repetitionPenalty: 1.8, presencePenalty: 0.7, topK: 10 };
      const a = createSampler({ ...o, dtype: "float16" }), b = createSampler(o);
      for (let t = 0; t < 8; t++) expect(a.sample(bits, { history })).toEqual(b.sample(f, { history }));
    }));

  it("zero-copy half: softmax of a wasmInput(n, 'float16') buffer into a wasmInput out, with no copy in, equals the copy path", () =>
    on(() => {
      const bits = halfLogits(777, 3, "float16");
      bits[0] = 0x4800;
      const zc = wasmInput(777, "float16");
      zc.set(bits);
      const out = wasmInput(777);
      expect(softmax(zc, { dtype: "float16", out })).toBe(out);
      expect(bitsOf(out)).toEqual(bitsOf(softmax(asF32(bits, "float16"))));
      expect(Array.from(zc)).toEqual(Array.from(bits));
      zc.free();
      out.free();
    }));

  it("NaN and +Infinity bits are errors naming the index; −Infinity masks; wrong or missing dtype is a TypeError/RangeError", () =>
    on(() => {
      expect(() => softmax(Uint16Array.of(0x3c00, 0x7e01), { dtype: "float16" })).toThrow(/logits\[1\] is NaN/);
      expect(() => softmax(Uint16Array.of(0x7f80, 0), { dtype: "bfloat16" })).toThrow(/logits\[0\] is Infinity/);
      expect(Array.from(softmax(Uint16Array.of(0xfc00, 0x3c00), { dtype: "float16" }))).toEqual([0, 1]);
      expect(() => softmax(new Uint16Array(2))).toThrow(/needs dtype/);
      expect(() => softmax(new Uint16Array(2), { dtype: "float8" as never })).toThrow(RangeError);
      expect(() => softmax(new Float32Array(2), { dtype: "float16" })).toThrow(/does not match logits that are a Float32Array/);
      expect(() => softmax([1, 2], { dtype: "bfloat16" })).toThrow(TypeError);
      expect(() => createSampler({ dtype: 16 as never })).toThrow(TypeError);
      expect(() => sample(new Uint16Array(0), { dtype: "float16" })).toThrow(/empty/);
    }));

  it.skipIf(typeof (globalThis as { Float16Array?: unknown }).Float16Array !== "function")("a Float16Array (this engine has one) needs no dtype and gives the same bits", () =>
    on(() => {
      const F16 = (globalThis as unknown as { Float16Array: new (n: ArrayLike<number>) => ArrayBufferView }).Float16Array;
      const h = new F16([1, 2.5, -3, 0.125]);
      const bits = new Uint16Array(h.buffer, h.byteOffset, 4);
      expect(bitsOf(softmax(h as never))).toEqual(bitsOf(softmax(bits, { dtype: "float16" })));
    }));
});
