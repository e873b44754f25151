// The softmax suite in the browser: the same methods as bench/softmax.bench.mjs, the chart drawn
// in the page with bench/chart.mjs.
import { Bench } from "../../node_modules/tinybench/dist/index.js";
import { setBackend, softmax, wasmInput } from "../../dist/index.js";
import { chartSvg } from "../chart.mjs";
import { llmLogits, markdownTable } from "../common.mjs";

const q = new URLSearchParams(location.search);
const sizes = (q.get("sizes") ?? "32000,128256,151936,262144").split(",").map(Number);
const time = Number(q.get("time") ?? 300);
const T = 0.7;

function naive(x, out) {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp((x[i] - max) / T);
  for (let i = 0; i < x.length; i++) out[i] /= sum;
}

const methods = [
  ["naive JS (Math.exp)", (x) => { const out = new Float32Array(x.length); return () => naive(x, out); }],
  ["simd, copy", (x) => { const out = new Float32Array(x.length); return () => { setBackend("simd"); softmax(x, { temperature: T, out }); }; }],
  ["simd, zero-copy", (x) => { setBackend("simd"); const b = wasmInput(x.length); b.set(x); return () => { setBackend("simd"); const v = b.refresh(); softmax(v, { temperature: T, out: v }); }; }],
  ["wasm, copy", (x) => { const out = new Float32Array(x.length); return () => { setBackend("wasm"); softmax(x, { temperature: T, out }); }; }],
  ["js twin", (x) => { const out = new Float32Array(x.length); return () => { setBackend("js"); softmax(x, { temperature: T, out }); }; }],
];

const results = [];
for (const V of sizes) {
  document.getElementById("status").textContent = `running V = ${V}…`;
  const x = llmLogits(V);
  const bench = new Bench({ time, warmupTime: Math.min(100, time / 2) });
  for (const [name, make] of methods) bench.add(name, make(x));
  await bench.run();
  // The mean, not the median: browsers coarsen timers, so single fast samples may read as 0.
  const naiveMs = bench.tasks[0].result.latency.mean;
  for (const t of bench.tasks) {
    const ms = t.result.latency.mean;
    results.push({ V, method: t.name, nsPerElement: (ms * 1e6) / V, speedupVsNaive: naiveMs / ms });
  }
}
setBackend("simd");
const table = methods.map(([m]) => [m, ...sizes.map((V) => { const r = results.find((r) => r.V === V && r.method === m); return `${r.nsPerElement.toFixed(2)} ns/el (${r.speedupVsNaive.toFixed(1)}×)`; })]);
const md = markdownTable(["method", ...sizes.map((V) => `V=${V}`)], table);
document.getElementById("table").innerHTML = "<table>" + md.split("\n").filter((l, i) => i !== 1).map((l, i) =>
  "<tr>" + l.split("|").slice(1, -1).map((c) => `<${i ? "td" : "th"}>${c.trim()}</${i ? "td" : "th"}>`).join("") + "</tr>").join("") + "</table>";
document.getElementById("chart").innerHTML = chartSvg(results, { subtitle: `T = ${T}, ${navigator.userAgent.match(/(Chrome|Firefox)\/[\d.]+/)?.[0] ?? "this browser"}` });
document.getElementById("status").textContent = "done";
window.benchResults = results;
