// One sampling step at V = 128256 with each SPEC §4 stage on alone, and with the llama.cpp chain
// fully on (DRY over a 4096-token history), per backend: µs, and the ratio to one softmax call on
// the same backend in the same round. Run with `npm run bench` (or alone after `npm run build`).
//
// Usage: node bench/samplers.bench.mjs [--rounds N] [--time MS] [--json FILE]

import { writeFileSync } from "node:fs";
import os from "node:os";
import { Bench } from "tinybench";
import { createSampler, setBackend, softmax } from "../dist/index.js";
import { cliArgs, llmLogits, markdownTable, median, textLikeHistory } from "./common.mjs";

const args = cliArgs();
const ROUNDS = Number(args.rounds ?? 3);
const TIME = Number(args.time ?? 200);
const JSON_FILE = args.json ?? "bench-samplers.json";
const V = 128256;
const BACKENDS = ["simd", "wasm", "js"];

const T = { temperature: 0.7 };
const CASES = [
  ["top-n-σ 1", { ...T, order: ["topNSigma", "temperature"], topNSigma: 1 }],
  ["XTC (coin always up)", { ...T, order: ["xtc", "temperature"], xtcProbability: 1, xtcThreshold: 0.1 }],
  ["DRY (4096 history)", { ...T, order: ["dry", "temperature"], dryMultiplier: 0.8 }],
  ["mirostat v1", { ...T, mirostat: 1 }],
  ["mirostat v2", { ...T, mirostat: 2 }],
  ["dynamic temperature ±0.5", { ...T, dynatempRange: 0.5 }],
  ["ε 3e-4", { ...T, epsilonCutoff: 3e-4 }],
  ["η 3e-4", { ...T, etaCutoff: 3e-4 }],
  ["llama.cpp chain, every stage on", {
    order: "llama.cpp", temperature: 0.8, logitBias: { 11: 1, 12: -Infinity }, repetitionPenalty: 1.1,
    frequencyPenalty: 0.1, presencePenalty: 0.1, dryMultiplier: 0.8, topNSigma: 2, topK: 40, typicalP: 0.95,
    topP: 0.95, minP: 0.05, xtcProbability: 0.5, xtcThreshold: 0.1,
  }],
];

const history = textLikeHistory(V, 4096);

const x = llmLogits(V);
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: TIME, warmupTime: Math.min(100, TIME / 2) });
  for (const b of BACKENDS) {
    const out = new Float32Array(V);
    bench.add(`${b}|softmax`, () => { setBackend(b); softmax(x, { temperature: 0.7, out }); });
    for (const [name, o] of CASES) {
      setBackend(b);
      const sampler = createSampler({ ...o, seed: 1 });
      bench.add(`${b}|${name}`, () => { setBackend(b); sampler.sample(x, { history }); });
    }
  }
  await bench.run();
  for (const t of bench.tasks) (results[t.name] ??= []).push(t.result.latency.p50);
  process.stderr.write(`  samplers bench: round ${round + 1}/${ROUNDS}\n`);
}
setBackend("simd");

const us = (key) => median(results[key]) * 1e3;
const rows = [];
const table = CASES.map(([name]) => [name, ...BACKENDS.map((b) => {
  const t = us(`${b}|${name}`), ratio = t / us(`${b}|softmax`);
  rows.push({ case: name, backend: b, us: t, vsSoftmax: ratio });
  return `${t.toFixed(0)} µs (${ratio.toFixed(2)}×)`;
})]);
table.push(["(one softmax call, same backend)", ...BACKENDS.map((b) => `${us(`${b}|softmax`).toFixed(0)} µs`)]);
console.log(`\nOne sampling step at V = ${V}, µs (ratio to one softmax on the same backend), median of ${ROUNDS} rounds, ${os.cpus()[0]?.model}, Node ${process.version}\n`);
console.log(markdownTable(["stage", ...BACKENDS], table));
writeFileSync(JSON_FILE, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, rounds: ROUNDS, results: rows }, null, 2));
console.log(`\nraw results: ${JSON_FILE}`);
