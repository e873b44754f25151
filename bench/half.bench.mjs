// Half-precision input against float32 at V = 128256, per backend, measured side by side: softmax
// (copy path with `out`, and zero-copy in a wasmInput buffer) and one sampling step (T 0.7,
// top-k 40, top-p 0.95). Then the first pass alone, per element, in both wasm builds: the float32
// copy and max pass against the half-precision copy and fused widen-and-max pass (widen_rows),
// and the plain widening kernels (the sampler's). Run with `npm run bench` (or alone after
// `npm run build`).
//
// Usage: node bench/half.bench.mjs [--rounds N] [--time MS] [--json FILE]

import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { Bench } from "tinybench";
import { createSampler, setBackend, softmax, wasmInput } from "../dist/index.js";
import { cliArgs, llmLogits, markdownTable, median } from "./common.mjs";

const args = cliArgs();
const ROUNDS = Number(args.rounds ?? 3);
const TIME = Number(args.time ?? 200);
const JSON_FILE = args.json ?? "bench-half.json";
const V = 128256;
const BACKENDS = ["simd", "wasm", "js"];

const f32 = llmLogits(V);
// float16 bits of the same logits (truncated), and the float32 values they stand for
const u = new Uint32Array(f32.buffer);
const f16 = Uint16Array.from(u, (b) => {
  const e = ((b >>> 23) & 255) - 112;
  return ((b >>> 16) & 0x8000) | (e <= 0 ? 0 : (e << 10) | ((b >>> 13) & 0x3ff));
});

const bf16 = Uint16Array.from(u, (b) => b >>> 16);

const results = {};
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME, warmupTime: Math.min(100, TIME / 2) });
  for (const b of BACKENDS) {
    setBackend(b);
    const out = new Float32Array(V);
    // Each allocation may grow memory, detaching the earlier views: refresh() them after the last.
    const z32 = [wasmInput(V), wasmInput(V, "float16"), wasmInput(V)];
    const [a32, a16, aout] = z32.map((z) => z.refresh());
    a32.set(f32);
    a16.set(f16);
    const s32 = createSampler({ temperature: 0.7, topK: 40, topP: 0.95, seed: 1 });
    const s16 = createSampler({ temperature: 0.7, topK: 40, topP: 0.95, seed: 1, dtype: "float16" });
    bench.add(`${b}|softmax float32, copy`, () => { setBackend(b); softmax(f32, { temperature: 0.7, out }); });
    bench.add(`${b}|softmax float16, copy`, () => { setBackend(b); softmax(f16, { temperature: 0.7, out, dtype: "float16" }); });
    bench.add(`${b}|softmax bfloat16, copy`, () => { setBackend(b); softmax(bf16, { temperature: 0.7, out, dtype: "bfloat16" }); });
    bench.add(`${b}|softmax float32, zero-copy`, () => { setBackend(b); softmax(a32, { temperature: 0.7, out: aout }); });
    bench.add(`${b}|softmax float16, zero-copy`, () => { setBackend(b); softmax(a16, { temperature: 0.7, out: aout, dtype: "float16" }); });
    bench.add(`${b}|sampling step float32`, () => { setBackend(b); s32.sample(f32); });
    bench.add(`${b}|sampling step float16`, () => { setBackend(b); s16.sample(f16); });
  }
  await bench.run();
  for (const t of bench.tasks) (results[t.name] ??= []).push(t.result.latency.p50);
  process.stderr.write(`  half bench: round ${round + 1}/${ROUNDS}\n`);
}
setBackend("simd");

const CASES = ["softmax float32, copy", "softmax float16, copy", "softmax bfloat16, copy", "softmax float32, zero-copy", "softmax float16, zero-copy", "sampling step float32", "sampling step float16"];
const us = (key) => median(results[key]) * 1e3;
const rows = [];
const table = CASES.map((c) => [c, ...BACKENDS.map((b) => {
  const t = us(`${b}|${c}`);
  rows.push({ case: c, backend: b, us: t, nsPerElement: (t * 1e3) / V });
  return `${t.toFixed(0)} µs (${((t * 1e3) / V).toFixed(2)} ns/el)`;
})]);
console.log(`\nfloat16 vs float32 input at V = ${V}, median of ${ROUNDS} rounds, ${os.cpus()[0]?.model}, Node ${process.version}\n`);
console.log(markdownTable(["case", ...BACKENDS], table));
// The first pass alone, per element, on the kernels of each build (no JS API around them).
const PASSES = {
  "float32: copy in + row_max": (k, m) => { m.f32v.set(f32); k.row_max(m.x, V); },
  "float16: copy in + widen_rows": (k, m) => { m.u16v.set(f16); k.widen_rows(m.src, m.x, 1, V, m.maxes, 0); },
  "bfloat16: copy in + widen_rows": (k, m) => { m.b16v.set(bf16); k.widen_rows(m.srcb, m.x, 1, V, m.maxes, 1); },
  "f16_to_f32 alone": (k, m) => k.f16_to_f32(m.src, m.x, V),
  "bf16_to_f32 alone": (k, m) => k.bf16_to_f32(m.srcb, m.x, V),
  "row_max alone": (k, m) => k.row_max(m.x, V),
};
const BUILDS = { simd: "softmax.simd.wasm", wasm: "softmax.wasm" };
const passTimes = {};
const setups = Object.entries(BUILDS).map(([b, file]) => {
  const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(new URL(`../dist/${file}`, import.meta.url))), {}).exports;
  k.memory.grow(Math.ceil((12 * V) / 65536) + 1);
  const up = (p) => Math.ceil(p / 64) * 64;
  const src = up(k.heap_base()), srcb = up(src + 2 * V), x = up(srcb + 2 * V), maxes = up(x + 4 * V);
  const mem = k.memory.buffer;
  return { b, k, m: { src, srcb, x, maxes, u16v: new Uint16Array(mem, src, V), b16v: new Uint16Array(mem, srcb, V), f32v: new Float32Array(mem, x, V) } };
});
for (let round = 0; round < 5 * ROUNDS; round++) {
  for (const { b, k, m } of setups) {
    for (const [name, fn] of Object.entries(PASSES)) {
      const reps = b === "simd" ? 20 : 4;
      fn(k, m);
      const t0 = process.hrtime.bigint();
      for (let r = 0; r < reps; r++) fn(k, m);
      (passTimes[`${b}|${name}`] ??= []).push(Number(process.hrtime.bigint() - t0) / reps / V);
    }
  }
}
const passRows = Object.keys(PASSES).map((name) => [name, ...Object.keys(BUILDS).map((b) => {
  const ns = median(passTimes[`${b}|${name}`]);
  rows.push({ case: `first pass: ${name}`, backend: b, nsPerElement: ns });
  return `${ns.toFixed(3)} ns/el`;
})]);
console.log(`\nthe first pass alone at V = ${V}, per element, median of ${5 * ROUNDS} interleaved rounds\n`);
console.log(markdownTable(["pass", ...Object.keys(BUILDS)], passRows));
writeFileSync(JSON_FILE, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, rounds: ROUNDS, results: rows }, null, 2));
console.log(`\nraw results: ${JSON_FILE}`);
