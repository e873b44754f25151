// Float16Array input where the engine has it (Deno, Bun): the same bits as the Uint16Array of its
// float16 bits with dtype, on every backend. Prints one JSON line.
import * as lib from "../../dist/index.js";

const print = globalThis.console?.log ?? globalThis.print;
const result = { hasFloat16Array: typeof Float16Array === "function", same: {} };
if (result.hasFloat16Array) {
  const h = new Float16Array(Array.from({ length: 999 }, (_, i) => Math.sin(i) * 8));
  h[3] = -Infinity;
  const bits = new Uint16Array(h.buffer);
  const u32 = (a) => Array.from(new Uint32Array(a.buffer)).join();
  for (const b of ["simd", "wasm", "js"]) {
    lib.setBackend(b);
    result.same[b] = u32(lib.softmax(h, { temperature: 0.7 })) === u32(lib.softmax(bits, { dtype: "float16", temperature: 0.7 }))
      && lib.sample(h, { seed: 5, topP: 0.9 }) === lib.sample(bits, { dtype: "float16", seed: 5, topP: 0.9 });
  }
}
print(JSON.stringify(result));
