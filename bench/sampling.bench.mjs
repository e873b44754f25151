// One sampling step on LLM-like logits, per backend, next to the two JS ways people write it:
// a full sort of the vocabulary, and a size-k heap. Run with `npm run bench`.
//
// Usage: node bench/sampling.bench.mjs [--rounds N] [--time MS] [--json FILE]

import { writeFileSync } from "node:fs";
import os from "node:os";
import { Bench } from "tinybench";
import { createSampler, setBackend, softmax } from "../dist/index.js";
import { SIZES, cliArgs, llmLogits, markdownTable, median } from "./common.mjs";

const args = cliArgs();
const ROUNDS = Number(args.rounds ?? 3);
const TIME = Number(args.time ?? 200);
const JSON_FILE = args.json ?? "bench-sampling.json";
const CASES = [
  ["T 0.7, top-k 40, top-p 0.95", { temperature: 0.7, topK: 40, topP: 0.95 }],
  ["T 0.7, top-p 0.95 (top-k off)", { temperature: 0.7, topP: 0.95 }],
  ["greedy", { temperature: 0 }],
];

let seed = 1;
const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);

/** The naive JS step: softmax with Math.exp, a full sort of every index, then top-k / top-p. */
function naiveStep(x, { temperature: t, topK = 0, topP = 1 }) {
  const n = x.length;
  let max = -Infinity, arg = 0;
  for (let i = 0; i < n; i++) if (x[i] > max) { max = x[i]; arg = i; }
  if (t === 0) return arg;
  const p = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p[i] = Math.exp((x[i] - max) / t);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const keep = topK > 0 ? order.slice(0, topK) : order;
  let z = 0;
  for (const i of keep) z += p[i];
  let run = 0, cut = keep.length;
  for (let j = 0; j < keep.length; j++) { run += p[keep[j]] / z; if (run >= topP) { cut = j + 1; break; } }
  const kept = keep.slice(0, cut);
  let zk = 0;
  for (const i of kept) zk += p[i];
  let target = uniform() * zk;
  for (const i of kept) if ((target -= p[i]) < 0) return i;
  return kept[kept.length - 1];
}

/** The JS step with a size-k min-heap over the logits (top-k only; falls back to naive without it). */
function heapStep(x, o) {
  const k = o.topK;
  if (!k || o.temperature === 0) return naiveStep(x, o);
  const heap = new Int32Array(k); // min-heap of indices by logit
  let size = 0;
  const less = (a, b) => x[a] < x[b] || (x[a] === x[b] && a > b);
  const down = (i) => { for (;;) { let m = i; const l = 2 * i + 1, r = l + 1; if (l < size && less(heap[l], heap[m])) m = l; if (r < size && less(heap[r], heap[m])) m = r; if (m === i) return; [heap[i], heap[m]] = [heap[m], heap[i]]; i = m; } };
  for (let i = 0; i < x.length; i++) {
    if (size < k) { heap[size] = i; let c = size++; while (c > 0) { const p = (c - 1) >> 1; if (!less(heap[c], heap[p])) break; [heap[c], heap[p]] = [heap[p], heap[c]]; c = p; } }
    else if (less(heap[0], i)) { heap[0] = i; down(0); }
  }
  const ids = Array.from(heap).sort((a, b) => x[b] - x[a] || a - b);
  const max = x[ids[0]];
  const p = ids.map((i) => Math.exp((x[i] - max) / o.temperature));
  const z = p.reduce((a, b) => a + b, 0);
  let run = 0, cut = ids.length;
  for (let j = 0; j < ids.length; j++) { run += p[j] / z; if (run >= (o.topP ?? 1)) { cut = j + 1; break; } }
  let zk = 0;
  for (let j = 0; j < cut; j++) zk += p[j];
  let target = uniform() * zk;
  for (let j = 0; j < cut; j++) if ((target -= p[j]) < 0) return ids[j];
  return ids[cut - 1];
}

const METHODS = [
  ["naive JS (full sort)", (x, o) => () => naiveStep(x, o)],
  ["JS size-k heap", (x, o) => () => heapStep(x, o)],
  ...["simd", "wasm", "js"].map((b) => [`softmax-wasm ${b}`, (x, o) => { setBackend(b); const s = createSampler({ ...o, seed: 1 }); return () => { setBackend(b); s.sample(x); }; }]),
];

const results = {};
const total = ROUNDS * SIZES.length * (CASES.length * METHODS.length + 1);
let done = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const V of SIZES) {
    const x = llmLogits(V);
    const bench = new Bench({ time: TIME, warmupTime: Math.min(100, TIME / 2) });
    const out = new Float32Array(V);
    bench.add(`${V}|softmax (simd, for scale)`, () => { setBackend("simd"); softmax(x, { temperature: 0.7, out }); });
    for (const [cname, o] of CASES) for (const [mname, make] of METHODS) bench.add(`${V}|${cname}|${mname}`, make(x, o));
    bench.addEventListener("cycle", () => {
      done++;
      if (done % 8 === 0 || done === total) process.stderr.write(`  sampling bench: ${done}/${total}\n`);
    });
    await bench.run();
    for (const t of bench.tasks) (results[t.name] ??= []).push(t.result.latency.p50);
  }
}
setBackend("simd");

const us = (key) => median(results[key]) * 1e3;
const rows = [];
console.log(`\nOne sampling step, µs per call (median of ${ROUNDS} rounds), ${os.cpus()[0]?.model}, Node ${process.version}\n`);
for (const [cname] of CASES) {
  console.log(`${cname}:`);
  const header = ["method", ...SIZES.map((V) => `V=${V}`)];
  const table = METHODS.map(([mname]) => [mname, ...SIZES.map((V) => {
    const t = us(`${V}|${cname}|${mname}`);
    rows.push({ case: cname, method: mname, V, us: t, vsSoftmax: t / us(`${V}|softmax (simd, for scale)`) });
    return `${t.toFixed(1)} µs`;
  })]);
  table.push(["(one simd softmax call)", ...SIZES.map((V) => `${us(`${V}|softmax (simd, for scale)`).toFixed(1)} µs`)]);
  console.log(markdownTable(header, table));
  console.log("");
}
writeFileSync(JSON_FILE, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, rounds: ROUNDS, results: rows }, null, 2));
console.log(`raw results: ${JSON_FILE}`);
