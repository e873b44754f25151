// Turning a wasm source into a compiled module. The ABI is numbers and pointers only and the
// module has no imports, so this replaces the deprecated @assemblyscript/loader in a few lines
// and works where only precompiled modules may be instantiated (Cloudflare Workers).

import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "./embedded.js";

/** Anything init()/initSync() accept as the kernels' wasm. */
export type WasmSource = WebAssembly.Module | BufferSource | URL | Response;

/** The functions the kernels export (see assembly/index.ts). */
export interface Kernels {
  memory: WebAssembly.Memory;
  heap_base(): number;
  error_at(): number;
  has_simd(): number;
  softmax(x: number, y: number, rows: number, cols: number, maxes: number, temperature: number): number;
  log_softmax(x: number, y: number, rows: number, cols: number, maxes: number, temperature: number): number;
  log_sum_exp(x: number, out: number, rows: number, cols: number, maxes: number, temperature: number, work: number): number;
  argmax(x: number, out: number, rows: number, cols: number, maxes: number): number;
  exp_sum(x: number, y: number, n: number, m: number, s: number): number;
  row_max(x: number, n: number): number;
  has_nan(): number;
  collect_range(x: number, n: number, lo: number, hi: number, idx: number, cap: number): number;
  first_index(x: number, n: number, v: number): number;
  rng_next32(state: number): number;
  rng_uniform(state: number): number;
  dot_exp_arg(x: number, e: number, n: number, m: number, s: number): number;
  walk_cdf(e: number, n: number, target: number): number;
  mask_below(w: number, src: number, n: number, bound: number): void;
  sum_finite(x: number, n: number): number;
  sum_sq_dev(x: number, n: number, mean: number): number;
  f16_to_f32(src: number, dst: number, n: number): void;
  bf16_to_f32(src: number, dst: number, n: number): void;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 to bytes without atob, which some hosts (JS shells, old workers) lack. */
function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const value = new Uint8Array(128);
  for (let i = 0; i < 64; i++) value[B64.charCodeAt(i)] = i;
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((b64.length / 4) * 3 - pad);
  for (let i = 0, j = 0; i < b64.length; i += 4) {
    const n = (value[b64.charCodeAt(i)] << 18) | (value[b64.charCodeAt(i + 1)] << 12) |
      (value[b64.charCodeAt(i + 2)] << 6) | value[b64.charCodeAt(i + 3)];
    bytes[j++] = n >> 16;
    if (j < bytes.length) bytes[j++] = (n >> 8) & 255;
    if (j < bytes.length) bytes[j++] = n & 255;
  }
  return bytes;
}

/** The embedded build for this engine: SIMD if the engine validates it, else the scalar one. */
export function embeddedBytes(): { bytes: Uint8Array<ArrayBuffer>; simd: boolean } {
  const simd = decodeBase64(SIMD_WASM_BASE64);
  if (WebAssembly.validate(simd)) return { bytes: simd, simd: true };
  return { bytes: decodeBase64(SCALAR_WASM_BASE64), simd: false };
}

/** The scalar (no-SIMD) embedded build. */
export function embeddedScalarBytes(): Uint8Array<ArrayBuffer> {
  return decodeBase64(SCALAR_WASM_BASE64);
}

const FUNCTIONS = [
  "heap_base", "error_at", "has_simd", "softmax", "log_softmax", "log_sum_exp", "argmax", "exp_sum", "row_max",
  "has_nan", "collect_range", "first_index", "rng_next32", "rng_uniform", "dot_exp_arg", "walk_cdf", "mask_below", "sum_finite", "sum_sq_dev", "f16_to_f32", "bf16_to_f32",
] as const;

/** Instantiates the kernels, checking first that the module is ours (its imports and exports). */
export function instantiate(module: WebAssembly.Module): Kernels {
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    throw new TypeError(`softmax-wasm: the module given imports ${imports[0].module}.${imports[0].name}; softmax-wasm's kernels import nothing (use softmax.simd.wasm or softmax.wasm from the package)`);
  }
  const exported = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const missing = [...FUNCTIONS.filter((f) => exported.get(f) !== "function"), ...(exported.get("memory") === "memory" ? [] : ["memory"])];
  if (missing.length > 0) {
    throw new TypeError(`softmax-wasm: the module given lacks the export${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; is it softmax.simd.wasm or softmax.wasm from the package?`);
  }
  return new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
}

/** Compiles synchronously: a Module is used as is; bytes are compiled; URLs need init(). */
export function compileSync(source: WasmSource): WebAssembly.Module {
  if (source instanceof WebAssembly.Module) return source;
  if (isBufferSource(source)) return new WebAssembly.Module(source);
  throw new TypeError(`initSync() needs a WebAssembly.Module or bytes; got ${describe(source)} (use await init() for a URL or a Response)`);
}

/** Compiles from any source; a file: URL is read from disk where the host is Node-like. */
export async function compile(source: WasmSource | Promise<Response>): Promise<WebAssembly.Module> {
  source = await source;
  if (source instanceof WebAssembly.Module) return source;
  if (isBufferSource(source)) return WebAssembly.compile(source);
  if (source instanceof URL) {
    const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    if (source.protocol === "file:" && getBuiltin) {
      const fs = getBuiltin("node:fs") as { readFileSync(u: URL): Uint8Array<ArrayBuffer> };
      return WebAssembly.compile(fs.readFileSync(source));
    }
    source = await fetch(source);
  }
  if (typeof Response !== "undefined" && source instanceof Response) {
    if (!source.ok) throw new Error(`init(): fetching the wasm failed with HTTP ${source.status} ${source.statusText}`);
    return WebAssembly.compile(await source.arrayBuffer());
  }
  throw new TypeError(`init() needs a WebAssembly.Module, bytes, a URL or a Response; got ${describe(source)}`);
}

function isBufferSource(v: unknown): v is BufferSource {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return `${typeof v} ${String(v)}`;
}
