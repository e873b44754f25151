// The workerd entry's import cost, as workerd pays it: V8 compiles dist/workerd.js, links its one
// import, `./softmax.simd.wasm`, to a WebAssembly.Module compiled beforehand (workerd compiles the
// Worker's wasm modules before it runs the script), evaluates it (which instantiates the kernels),
// then the first softmax runs. A Worker cannot time itself (its clocks stand still while it
// computes), and a whole miniflare start takes hundreds of milliseconds, so this runs the same
// steps in fresh Node processes with node:vm's module API; fresh processes, interleaved, medians.
// Usage:
//   node bench/startup-workerd.mjs [--rounds 41] [--also <dist dir>]
// --also adds another build's dist/ (for example a copy of an older one) in the same rounds.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg("--rounds", 41));
const ALSO = arg("--also", undefined);

if (process.argv[2] === "--child") {
  const vm = await import("node:vm");
  const file = resolve(process.argv[3], "workerd.js");
  const source = readFileSync(file, "utf8");
  const wasm = new WebAssembly.Module(readFileSync(resolve(process.argv[3], "softmax.simd.wasm")));
  const t0 = performance.now();
  const m = new vm.SourceTextModule(source, { identifier: `file://${file}` });
  await m.link(() => new vm.SyntheticModule(["default"], function () { this.setExport("default", wasm); }));
  await m.evaluate();
  const t1 = performance.now();
  const p = m.namespace.softmax(new Float32Array([1, 2, 3]));
  const t2 = performance.now();
  console.log(JSON.stringify({ imp: t1 - t0, first: t2 - t1, p: Array.from(p) }));
  process.exit(0);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const variants = [{ label: "dist", dir: join(root, "dist") }];
if (ALSO) variants.push({ label: ALSO, dir: resolve(ALSO) });
const samples = variants.map(() => []);
process.stderr.write(`workerd entry: ${ROUNDS} rounds of ${variants.length} fresh Node processes…\n`);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const i = (k + round) % variants.length;
    const args = ["--experimental-vm-modules", "--no-warnings", new URL(import.meta.url).pathname, "--child", variants[i].dir];
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
    samples[i].push(JSON.parse(r.stdout.trim().split("\n").pop()));
  }
}
const f = (ms) => `${ms.toFixed(2)} ms`;
console.log(`\nThe workerd entry (dist/workerd.js) in Node ${process.version}: medians of ${ROUNDS} fresh processes, interleaved:\n`);
console.log("| build | workerd.js bytes | gzip -9 | compile + link + evaluate | first `softmax` | total |");
console.log("|---|---:|---:|---:|---:|---:|");
variants.forEach((v, i) => {
  const bytes = readFileSync(join(v.dir, "workerd.js"));
  const s = samples[i];
  console.log(`| ${v.label} | ${bytes.length} | ${gzipSync(bytes, { level: 9 }).length} | ${f(median(s.map((x) => x.imp)))} | ${f(median(s.map((x) => x.first)))} | ${f(median(s.map((x) => x.imp + x.first)))} |`);
});
