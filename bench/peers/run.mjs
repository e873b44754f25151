// npm run bench:peers: softmax-wasm next to the peers, one table, raw JSON and a chart.
// Usage: node bench/peers/run.mjs [--time MS] [--rounds N] [--sizes 32000,128256,…]
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { chartSvg } from "../chart.mjs";
import { SIZES, cliArgs, markdownTable } from "../common.mjs";
import { runPeers, T } from "./harness.mjs";
import { naive, ours, peers } from "./peers.mjs";

const args = cliArgs();
const sizes = args.sizes ? args.sizes.split(",").map(Number) : SIZES;
const rows = await runPeers([naive, ...ours, ...peers], {
  sizes,
  time: Number(args.time ?? 300),
  rounds: Number(args.rounds ?? 5),
  onProgress: (m) => process.stderr.write(`  ${m}\n`),
});
const methods = [...new Set(rows.map((r) => r.method))];
const cell = (r) => (r.error ? `error: ${r.error.slice(0, 40)}` : `${r.nsPerElement.toFixed(2)} ns/el (${r.speedupVsNaive.toFixed(2)}×)`);
console.log(`\nsoftmax(x / ${T}) and one sampling step: ns per element (speed-up vs naive JS, same run), median of ${Number(args.rounds ?? 5)} rounds in turn, ${os.cpus()[0]?.model}, Node ${process.version}\n`);
console.log(markdownTable(["method", ...sizes.map((V) => `V=${V}`)], methods.map((m) => [m, ...sizes.map((V) => cell(rows.find((r) => r.V === V && r.method === m)))])));
// Against the fastest peer measured the same way (an op on data already in its memory).
const ANCHOR = "tfjs wasm (XNNPACK) tf.softmax op alone (pre-scaled, in its memory)";
const anchored = methods.filter((m) => m.startsWith("softmax-wasm simd"));
if (rows.some((r) => r.method === ANCHOR && !r.error)) {
  const speed = (V, m) => {
    const a = rows.find((r) => r.V === V && r.method === ANCHOR), r = rows.find((r) => r.V === V && r.method === m);
    return a && r && !a.error && !r.error ? `${(a.nsPerElement / r.nsPerElement).toFixed(2)}×` : "–";
  };
  console.log(`\nspeed relative to the tfjs op alone (its time / ours, same run; > 1 = faster than tfjs):\n`);
  console.log(markdownTable(["method", ...sizes.map((V) => `V=${V}`)], anchored.map((m) => [m, ...sizes.map((V) => speed(V, m))])));
}
writeFileSync("bench-peers.json", JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, results: rows }, null, 2));
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/peers.svg", chartSvg(rows.filter((r) => !r.error), { title: "softmax vs peers, ns per element (lower is better)", subtitle: `T = ${T}; ${os.cpus()[0]?.model}, Node ${process.version}` }));
console.log("\nraw results: bench-peers.json; chart: bench/results/peers.svg");
