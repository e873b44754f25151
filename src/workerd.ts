// The "workerd" export condition (Cloudflare Workers, wrangler, miniflare): Workers refuse to
// compile WebAssembly from bytes, but they import a `.wasm` file as a precompiled
// WebAssembly.Module. So this entry imports the SIMD build that way and instantiates it at load;
// the API is the main entry's, and users write nothing special.

import module from "./softmax.simd.wasm";
import { initSync } from "./runtime.js";

initSync(module);

export * from "./index.js";
