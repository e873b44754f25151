// Exhaustive check of the kernels' exp: every float32 u in [lo, 0] (default lo = −87.33, where the
// results stop being normal), exp(u) from the SIMD build against Math.exp in float64 (whose own
// error, < 1 f64 ulp, is ~1e-9 of an f32 ulp). Prints the largest error in ulps of the exact value,
// where it occurs, and the share of correctly rounded results. A few minutes on one core.
//
// Usage: npm run build && node bench/exp-sweep.mjs [--lo -87.33] [--wasm build/softmax.simd.wasm]

import { readFileSync } from "node:fs";
import { cliArgs } from "./common.mjs";

const args = cliArgs();
const lo = Math.fround(Number(args.lo ?? -87.33));
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(args.wasm ?? "build/softmax.simd.wasm")), {}).exports;

const CHUNK = 1 << 20;
const base = (k.heap_base() + 63) & ~63;
const need = base + 8 * CHUNK;
if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
const u32 = new Uint32Array(k.memory.buffer, base, CHUNK);
const f32 = new Float32Array(k.memory.buffer, base, CHUNK);
const y = new Float32Array(k.memory.buffer, base + 4 * CHUNK, CHUNK);

const last = new Uint32Array(new Float32Array([lo]).buffer)[0]; // bits of lo; −0 is 0x80000000
let worst = 0, worstAt = 0, exact = 0, count = 0;
for (let b = 0x80000000; b <= last; b += CHUNK) {
  const n = Math.min(CHUNK, last - b + 1);
  for (let i = 0; i < n; i++) u32[i] = b + i;
  k.exp_sum(base, base + 4 * CHUNK, n, 0, 1); // y = exp((u − 0)·1) = exp(u), both steps exact
  for (let i = 0; i < n; i++) {
    const u = f32[i], ref = Math.exp(u), e = y[i];
    const ulp = 2 ** (Math.floor(Math.log2(ref)) - 23);
    const err = Math.abs(e - ref) / ulp;
    if (err > worst) { worst = err; worstAt = u; }
    if (e === Math.fround(ref)) exact++;
  }
  count += n;
}
console.log(`exp on all ${count} float32 arguments in [${lo}, 0]: max error ${worst.toFixed(4)} ulp (at u = ${worstAt}), ` +
  `${((100 * exact) / count).toFixed(2)}% correctly rounded`);
