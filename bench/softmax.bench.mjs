// softmax(x / T) on LLM-like logits: every backend, the copy and zero-copy paths, and the naive
// JS loop people write today, measured side by side, plus logSumExp (its exps are never stored). Run with `npm start` or `npm run bench`.
//
// Usage: node bench/softmax.bench.mjs [--rounds N] [--time MS] [--json FILE] [--chart FILE.svg]
// Each round runs every method once per vocabulary size, in a rotated order, with tinybench;
// the table shows the median over rounds of each task's median latency, and ratios to naive JS
// are taken within a round before the median, so machine noise affects both sides alike.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import os from "node:os";
import { Bench } from "tinybench";
import { logSumExp, setBackend, softmax, wasmInput } from "../dist/index.js";
import { chartSvg } from "./chart.mjs";
import { SIZES, cliArgs, llmLogits, markdownTable, median } from "./common.mjs";

const args = cliArgs();
const ROUNDS = Number(args.rounds ?? 3);
const TIME = Number(args.time ?? 200);
const JSON_FILE = args.json ?? "bench-results.json";
const CHART_FILE = args.chart ?? "bench/results/softmax.svg";
const T = 0.7;

/** What most JS code does today: max, Math.exp((x − max)/T) summed, then scale. */
function naiveSoftmax(x, t, out) {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.exp((x[i] - max) / t);
    out[i] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let i = 0; i < x.length; i++) out[i] *= inv;
  return out;
}

/** The methods, each a factory returning the function to time for logits x. */
const METHODS = [
  ["naive JS (Math.exp)", (x) => { const out = new Float32Array(x.length); return () => naiveSoftmax(x, T, out); }],
  ["simd, copy", (x) => { const out = new Float32Array(x.length); return () => { setBackend("simd"); softmax(x, { temperature: T, out }); }; }],
  // Zero-copy rows call refresh(): a later wasmInput() or a larger call may have grown memory,
  // which detaches earlier views (the README's memory model); refresh() is a compare when not.
  ["simd, zero-copy", (x) => { setBackend("simd"); const buf = wasmInput(x.length); buf.set(x); return () => { setBackend("simd"); const b = buf.refresh(); softmax(b, { temperature: T, out: b }); }; }],
  ["wasm, copy", (x) => { const out = new Float32Array(x.length); return () => { setBackend("wasm"); softmax(x, { temperature: T, out }); }; }],
  ["wasm, zero-copy", (x) => { setBackend("wasm"); const buf = wasmInput(x.length); buf.set(x); return () => { setBackend("wasm"); const b = buf.refresh(); softmax(b, { temperature: T, out: b }); }; }],
  ["simd logSumExp, zero-copy", (x) => { setBackend("simd"); const buf = wasmInput(x.length); buf.set(x); return () => { setBackend("simd"); return logSumExp(buf.refresh(), { temperature: T }); }; }],
  ["js twin", (x) => { const out = new Float32Array(x.length); return () => { setBackend("js"); softmax(x, { temperature: T, out }); }; }],
];

async function main() {
  const perRound = {}; // key `${V}|${method}` → [ms per call, …]
  const ratioRound = {}; // key → [naive / method, …]
  const total = ROUNDS * SIZES.length * METHODS.length;
  let done = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const V of SIZES) {
      const x = llmLogits(V);
      const bench = new Bench({ time: TIME, warmupTime: Math.min(100, TIME / 2) });
      const order = METHODS.map((_, i) => METHODS[(i + round) % METHODS.length]);
      for (const [name, make] of order) bench.add(name, make(x));
      bench.addEventListener("cycle", (e) => {
        done++;
        const msg = `round ${round + 1}/${ROUNDS}  V=${V}  ${e.task.name.padEnd(22)} [${done}/${total}]`;
        if (process.stderr.isTTY) process.stderr.write(`\r  ${msg}   `);
        else if (done % METHODS.length === 0) process.stderr.write(`  ${msg}\n`);
      });
      await bench.run();
      const ms = Object.fromEntries(bench.tasks.map((t) => [t.name, t.result.latency.p50]));
      for (const [name] of METHODS) {
        (perRound[`${V}|${name}`] ??= []).push(ms[name]);
        (ratioRound[`${V}|${name}`] ??= []).push(ms[METHODS[0][0]] / ms[name]);
      }
    }
  }
  if (process.stderr.isTTY) process.stderr.write("\r" + " ".repeat(80) + "\r");
  setBackend("simd");

  const rows = [];
  for (const V of SIZES) {
    for (const [name] of METHODS) {
      const ms = median(perRound[`${V}|${name}`]);
      rows.push({ V, method: name, usPerCall: ms * 1e3, nsPerElement: (ms * 1e6) / V, speedupVsNaive: median(ratioRound[`${V}|${name}`]) });
    }
  }
  const copyOverhead = SIZES.map((V) => {
    const get = (m) => rows.find((r) => r.V === V && r.method === m).usPerCall;
    return { V, simd: get("simd, copy") / get("simd, zero-copy") - 1, wasm: get("wasm, copy") / get("wasm, zero-copy") - 1 };
  });

  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`softmax(x / ${T}), LLM-like logits, ${cpu}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`median of ${ROUNDS} rounds × tinybench ${TIME} ms per task; speed-up = naive JS time / method time, same round\n`);
  const header = ["method", ...SIZES.map((V) => `V=${V}`)];
  const cell = (r) => `${r.nsPerElement.toFixed(2)} ns/el (${r.speedupVsNaive.toFixed(1)}×)`;
  const table = METHODS.map(([name]) => [name, ...SIZES.map((V) => cell(rows.find((r) => r.V === V && r.method === name)))]);
  console.log(markdownTable(header, table));
  console.log(`\ncopy path vs zero-copy: ${copyOverhead.map((c) => `V=${c.V}: simd +${(c.simd * 100).toFixed(0)}%, wasm +${(c.wasm * 100).toFixed(0)}%`).join("; ")}`);

  writeFileSync(JSON_FILE, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu, cores: os.cpus().length, temperature: T, rounds: ROUNDS, timeMs: TIME, results: rows, copyOverhead }, null, 2));
  console.log(`raw results: ${JSON_FILE}`);
  mkdirSync(dirname(CHART_FILE), { recursive: true });
  writeFileSync(CHART_FILE, chartSvg(rows, { subtitle: `T = ${T}, LLM-like logits; ${cpu}, Node ${process.version}; median of ${ROUNDS} rounds` }));
  console.log(`chart: ${CHART_FILE}`);
}

await main();
