// Turning a wasm source into a compiled module. The ABI is numbers and pointers only and the
// module has no imports, so this replaces the deprecated @assemblyscript/loader in a few lines
// and works where only precompiled modules may be instantiated (Cloudflare Workers).

import { bestDecoder, decodeWith, type DecoderName } from "./hex.js";
import { SCALAR_WASM_HEX, SIMD_WASM_HEX } from "./embedded.js";

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
  exp_sum_sparse(x: number, y: number, n: number, m: number, s: number): number;
  row_max(x: number, n: number): number;
  has_nan(): number;
  collect_range(x: number, n: number, lo: number, hi: number, idx: number, cap: number): number;
  first_index(x: number, n: number, v: number): number;
  top_k(x: number, n: number, k: number, cap: number, idx: number, tmp: number): number;
  top_k_half(src: number, n: number, k: number, cap: number, idx: number, tmp: number, w: number, bf16: number): number;
  rng_next32(state: number): number;
  rng_uniform(state: number): number;
  dot_exp_arg(x: number, e: number, n: number, m: number, s: number): number;
  walk_cdf(e: number, n: number, target: number): number;
  mask_below(w: number, src: number, n: number, bound: number): void;
  moments_of(x: number, n: number, shift: number): number;
  moment_squares(): number;
  finite_count(): number;
  f16_to_f32(src: number, dst: number, n: number): void;
  mask_exps_below(w: number, e: number, n: number, bound: number): void;
  sum_exps(e: number, n: number): number;
  bf16_to_f32(src: number, dst: number, n: number): void;
  widen_rows(src: number, x: number, rows: number, cols: number, maxes: number, bf16: number): number;
}

let decoder: DecoderName | undefined;

function decode(hex: string): Uint8Array<ArrayBuffer> {
  return decodeWith((decoder ??= bestDecoder()), hex);
}

/** The embedded SIMD build. */
export function embeddedSimdBytes(): Uint8Array<ArrayBuffer> {
  return decode(SIMD_WASM_HEX);
}

/** The scalar (no-SIMD) embedded build. */
export function embeddedScalarBytes(): Uint8Array<ArrayBuffer> {
  return decode(SCALAR_WASM_HEX);
}

/** The embedded build for this engine: SIMD if the engine validates it, else the scalar one. */
export function embeddedBytes(): { bytes: Uint8Array<ArrayBuffer>; simd: boolean } {
  const simd = embeddedSimdBytes();
  if (WebAssembly.validate(simd)) return { bytes: simd, simd: true };
  return { bytes: embeddedScalarBytes(), simd: false };
}

// The embedded build for this engine, compiled. Compiling the SIMD build is itself the SIMD test:
// a separate WebAssembly.validate would parse and check the module a second time on every cold
// start, for the benefit of engines without SIMD, which only the scalar build's decode and
// compile then pay for. When both fail (compiling refused: a CSP, Workers), the SIMD error is
// the one reported, as it is the one a user of a current engine would expect.

/** Compiles the embedded wasm synchronously: the SIMD build, or the scalar one if that fails. */
export function compileEmbeddedSync(): WebAssembly.Module {
  try {
    return new WebAssembly.Module(embeddedSimdBytes());
  } catch (e) {
    try {
      return new WebAssembly.Module(embeddedScalarBytes());
    } catch {
      throw e;
    }
  }
}

/** compileEmbeddedSync() off the main thread's critical path, with WebAssembly.compile. */
export async function compileEmbedded(): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(embeddedSimdBytes());
  } catch (e) {
    try {
      return await WebAssembly.compile(embeddedScalarBytes());
    } catch {
      throw e;
    }
  }
}

const FUNCTIONS = [
  "heap_base", "error_at", "has_simd", "softmax", "log_softmax", "log_sum_exp", "argmax", "exp_sum", "row_max",
  "exp_sum_sparse", "has_nan", "collect_range", "top_k", "top_k_half", "first_index", "rng_next32", "rng_uniform", "dot_exp_arg", "walk_cdf", "mask_below", "moments_of", "moment_squares", "finite_count", "f16_to_f32", "bf16_to_f32", "mask_exps_below", "sum_exps",
  "widen_rows",
] as const;

/** Instantiates the kernels and checks that the module is ours (it imports nothing, exports them all). */
export function instantiate(module: WebAssembly.Module): Kernels {
  let exports: Record<string, unknown>;
  try {
    exports = new WebAssembly.Instance(module, {}).exports as Record<string, unknown>;
  } catch (e) {
    // A module with imports cannot link against an empty import object.
    throw new TypeError(`softmax-wasm: the module given cannot be instantiated without imports (${e instanceof Error ? e.message : String(e)}); softmax-wasm's kernels import nothing (use softmax.simd.wasm or softmax.wasm from the package)`);
  }
  const missing = FUNCTIONS.filter((f) => typeof exports[f] !== "function") as string[];
  if (!(exports.memory instanceof WebAssembly.Memory)) missing.push("memory");
  if (missing.length > 0) {
    throw new TypeError(`softmax-wasm: the module given lacks the export${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; is it softmax.simd.wasm or softmax.wasm from the package?`);
  }
  return exports as unknown as Kernels;
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
