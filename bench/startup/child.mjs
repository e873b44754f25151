// One cold start in a fresh Node, Deno or Bun process: the time from before the first import to
// the first softmax result, printed as one JSON line for bench/startup.mjs.
//   child.mjs package   import the main entry ("softmax-wasm"), call softmax (lazy init)
//   child.mjs js        the same with the pure-TypeScript entry ("softmax-wasm/js")
//   child.mjs floor     import one small module (floor.mjs), read softmax.simd.wasm, compile it by hand
// An optional second argument is another dist/ directory to import the package from.
// node:fs and node:url are imported before the clock starts: every variant gets them for free.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [mode, distDir] = globalThis.Deno?.args ?? process.argv.slice(2);
const dist = distDir ? pathToFileURL(distDir + "/").href : new URL("../../dist/", import.meta.url).href;
const logits = new Float32Array([1, 2, 3, 0.5, -1, 4, 2.5, 0]);
const t0 = performance.now();
let p;
if (mode === "package") {
  const { softmax } = await import(dist + "index.js");
  p = softmax(logits);
} else if (mode === "js") {
  const { softmax } = await import(dist + "js.js");
  p = softmax(logits);
} else if (mode === "floor") {
  const { firstResultByHand } = await import("./floor.mjs");
  p = firstResultByHand(readFileSync(new URL("../../dist/softmax.simd.wasm", import.meta.url)), logits);
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, p: Array.from(p) }));
