// The kernels alone, straight through their exports (no wrapper, no copies), at one vocabulary
// size, for one or more builds interleaved sample by sample so that machine noise hits them alike.
// Use it to compare a change against the committed build: build both .wasm files, then
//
//   node bench/kernels.mjs --wasm old.simd.wasm,build/softmax.simd.wasm [--V 128256] [--samples 60]
//
// Prints the median ns per element of each pass for each build.

import { readFileSync } from "node:fs";
import { cliArgs, llmLogits } from "./common.mjs";

const args = cliArgs();
const paths = (args.wasm ?? "build/softmax.simd.wasm").split(",");
const V = Number(args.V ?? 128256);
const SAMPLES = Number(args.samples ?? 60);
const T = 0.7;
const x = llmLogits(V);
let m = -Infinity;
for (const v of x) if (v > m) m = v;

function passes(path) {
  const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports;
  const X = (k.heap_base() + 63) & ~63, X2 = X + 4 * V, work = X2 + 4 * V, maxes = work + 4 * V, out = maxes + 64;
  // The sampler's passes: a working row W, its exps E, an index list and float16 bits H.
  // S: the row after a filter that kept 1 token in 1000 (the rest −Infinity), for the sparse exp pass.
  const W = out + 64, E = W + 4 * V, idx = E + 4 * V, H = idx + 4 * V, W2 = H + 2 * V, S = W2 + 4 * V;
  const need = S + 4 * V;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const f32 = new Float32Array(k.memory.buffer);
  f32.set(x, X >> 2);
  f32.set(x, X2 >> 2);
  f32.set(x, W >> 2);
  k.exp_sum(W, E, V, m, Math.fround(1 / T));
  // float16 bits of the same logits (truncated: only the pass's speed matters here)
  const h16 = new Uint16Array(k.memory.buffer, H, V), f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let i = 0; i < V; i++) { f[0] = x[i]; h16[i] = ((u[0] >>> 16) & 0x8000) | Math.max(0, Math.min(0x7bff, ((u[0] >>> 13) & 0x3ffff) - 0x1c000)); }
  const total = k.sum_exps(E, V);
  const sparse = new Float32Array(k.memory.buffer, S, V).fill(-Infinity);
  for (let i = 0; i < V; i += 1000) sparse[i] = x[i];
  return {
    "softmax in place": () => k.softmax(X2, X2, 1, V, maxes, T), // X2 holds probabilities after the first call: same work
    "logSoftmax": () => k.log_softmax(X, work, 1, V, maxes, T),
    "logSumExp": () => k.log_sum_exp(X, out, 1, V, maxes, T, work),
    "exp_sum (exp pass)": () => k.exp_sum(X, work, V, m, Math.fround(1 / T)),
    "row_max (max pass)": () => k.row_max(X, V),
    "collect_range (top-k)": () => k.collect_range(X, V, m - 4, Infinity, work, 1024),
    "argmax": () => k.argmax(X, out, 1, V, maxes),
    "top_k (k = 40)": () => k.top_k(W, V, 40, 168, idx, W2),
    "dot_exp_arg (entropy)": () => k.dot_exp_arg(W, E, V, m, Math.fround(1 / T)),
    "walk_cdf (draw)": () => k.walk_cdf(E, V, total * 0.75),
    "sum_exps": () => k.sum_exps(E, V),
    "exp_sum_sparse (1 in 1000 kept)": () => k.exp_sum_sparse(S, W2, V, m, Math.fround(1 / T)),
    "moments_of (top-n-σ)": () => k.moments_of(W, V, m),
    "mask_below (into a copy)": () => k.mask_below(W2, W, V, m - 30),
    "f16_to_f32": () => k.f16_to_f32(H, W2, V),
    "widen_rows (float16 first pass)": () => k.widen_rows(H, W2, 1, V, maxes, 0),
  };
}

const builds = paths.map(passes);
console.log(`kernels alone, V = ${V}, median ns per element over ${SAMPLES} interleaved samples`);
console.log(`| pass | ${paths.join(" | ")} |\n|---|${paths.map(() => "---:").join("|")}|`);
for (const name of Object.keys(builds[0])) {
  const samples = builds.map(() => []);
  for (const b of builds) for (let i = 0; i < 30; i++) b[name]();
  for (let s = 0; s < SAMPLES; s++) {
    builds.forEach((b, j) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 4; i++) b[name]();
      samples[j].push(Number(process.hrtime.bigint() - t0) / 4 / V);
    });
  }
  const med = samples.map((a) => a.sort((p, q) => p - q)[a.length >> 1]);
  console.log(`| ${name} | ${med.map((v) => v.toFixed(3)).join(" | ")} |`);
}
