// Two builds side by side in one process: softmax and a sampling step with each stage on alone,
// at V = 128256 on simd, every case of both builds called in turn (40 batches of 5 steps); prints
// the fastest batch and the 25th percentile, in µs. Within one process the machine's drift hits
// both builds alike, which separate runs of bench/samplers.bench.mjs cannot promise.
//
// Usage: npm run build, copy dist/ elsewhere, check out and build the other version, then
//   node bench/samplers-ab.mjs /path/to/one/dist /path/to/other/dist
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { llmLogits, textLikeHistory } from "./common.mjs";
const dists = process.argv.slice(2);
const libs = await Promise.all(dists.map((d) => import(pathToFileURL(resolve(d, "index.js")).href)));
const V = 128256, T = { temperature: 0.7 };
const CASES = [
  ["T only", { ...T }],
  ["DRY", { ...T, order: ["dry", "temperature"], dryMultiplier: 0.8 }],
  ["η", { ...T, etaCutoff: 3e-4 }],
  ["top-n-σ", { ...T, order: ["topNSigma", "temperature"], topNSigma: 1 }],
  ["XTC", { ...T, order: ["xtc", "temperature"], xtcProbability: 1, xtcThreshold: 0.1 }],
  ["dynatemp", { ...T, dynatempRange: 0.5 }],
  ["mirostat v2", { ...T, mirostat: 2 }],
  ["ε", { ...T, epsilonCutoff: 3e-4 }],
];
const history = textLikeHistory(V, 4096);
const x = llmLogits(V), out = new Float32Array(V);
const fns = [];
libs.forEach((l, li) => {
  l.setBackend("simd");
  fns.push([li, "softmax", () => l.softmax(x, { temperature: 0.7, out })]);
  for (const [n, o] of CASES) { const sm = l.createSampler({ ...o, seed: 1 }); fns.push([li, n, () => sm.sample(x, { history })]); }
});
const res = fns.map(() => []);
for (let r = 0; r < 40; r++) fns.forEach(([, , f], i) => { const t0 = performance.now(); for (let j = 0; j < 5; j++) f(); res[i].push((performance.now() - t0) * 200); });
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
const rows = {};
fns.forEach(([li, n], i) => { (rows[n] ??= [])[li] = `${q(res[i].slice(5), 0).toFixed(0)}/${q(res[i].slice(5), 0.25).toFixed(0)}`; });
console.log("min/p25 µs:", dists.join(" | "));
for (const [n, v] of Object.entries(rows)) console.log(n.padEnd(12), v.join(" | "));
