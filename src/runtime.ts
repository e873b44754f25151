// Which backend runs: chosen lazily on first use, or by init()/initSync()/setBackend().

import type { Backend, BackendName } from "./backend.js";
import { createJsBackend } from "./js/backend.js";
import { WasmBackend } from "./wasm/backend.js";
import { compile, compileEmbedded, compileEmbeddedSync, compileSync, embeddedScalarBytes, type WasmSource } from "./wasm/load.js";

/** Options of init() and initSync(). */
export interface InitOptions {
  /** Throw instead of falling back to the "js" backend when WebAssembly cannot be used here. */
  strict?: boolean;
}

function strictCheck(info: BackendInfo, options: InitOptions | undefined): BackendInfo {
  if (options?.strict && info.name === "js") throw new Error(`softmax-wasm: WebAssembly cannot be used here: ${info.reason}`);
  return info;
}

/** The backend in use and why it was chosen. */
export interface BackendInfo {
  name: BackendName;
  reason: string;
}

let current: Backend | undefined;
let reason = "";
let wasm: WasmBackend | undefined; // the compiled WASM backend, kept across setBackend("js")
let scalar: WasmBackend | undefined;
let js: Backend | undefined;
let pending: Promise<BackendInfo> | undefined;

function use(b: Backend, why: string): Backend {
  current = b;
  reason = why;
  return b;
}

function jsBackend(): Backend {
  return (js ??= createJsBackend());
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Compiles the embedded wasm, or says why it cannot. */
function tryEmbedded(): WasmBackend | string {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.Module !== "function") {
    return "this host has no WebAssembly";
  }
  try {
    return new WasmBackend(compileEmbeddedSync());
  } catch (e) {
    // A content-security policy without 'wasm-unsafe-eval', or a host that only instantiates
    // precompiled modules (Cloudflare Workers), refuses to compile bytes.
    return `compiling WebAssembly failed (${message(e)})`;
  }
}

const AUTO_REASON = (w: WasmBackend) =>
  w.name === "simd" ? "WebAssembly with 128-bit SIMD is available" : "this engine validates WebAssembly but not its SIMD";

function adopt(w: WasmBackend, source: string): BackendInfo {
  wasm = w;
  use(w, w.name === "simd" ? `${source} with 128-bit SIMD` : `${source} without SIMD (the module given has none)`);
  return getBackend();
}

/** The backend for the next call, choosing one on first use. */
export function backend(): Backend {
  if (current) return current;
  const w = tryEmbedded();
  if (typeof w === "string") return use(jsBackend(), `${w}; using the pure-TypeScript backend`);
  wasm = w;
  return use(w, AUTO_REASON(w));
}

/** The backend in use (choosing one if none is yet) and why it was chosen. */
export function getBackend(): BackendInfo {
  return { name: backend().name, reason };
}

/**
 * Forces a backend. "simd" needs an engine with WebAssembly SIMD, "wasm" and "simd" need
 * WebAssembly to compile here; "js" always works. Throws an Error naming what is missing.
 */
export function setBackend(name: BackendName): void {
  if (name === "js") {
    use(jsBackend(), 'set by setBackend("js")');
    return;
  }
  if (name !== "simd" && name !== "wasm") {
    throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; expected "simd", "wasm" or "js"`);
  }
  if (name === "simd") {
    if (wasm?.name !== "simd") {
      const w = tryEmbedded();
      if (typeof w === "string") throw new Error(`setBackend("simd"): ${w}`);
      if (w.name !== "simd") throw new Error('setBackend("simd"): this engine does not support WebAssembly SIMD');
      wasm = w;
    }
    use(wasm, 'set by setBackend("simd")');
    return;
  }
  if (!scalar) {
    if (wasm?.name === "wasm") scalar = wasm;
    else {
      try {
        scalar = new WasmBackend(compileSync(embeddedScalarBytes()));
      } catch (e) {
        throw new Error(`setBackend("wasm"): compiling WebAssembly failed (${message(e)})`);
      }
    }
  }
  use(scalar, 'set by setBackend("wasm")');
}

/**
 * Prepares the WASM backend synchronously, from `source` (a compiled WebAssembly.Module or the
 * bytes of softmax.simd.wasm / softmax.wasm) or from the embedded bytes. Returns the backend
 * chosen. Without a source it falls back to "js" and says why — or, with `{ strict: true }`,
 * throws an Error saying why.
 */
export function initSync(source?: WebAssembly.Module | BufferSource, options?: InitOptions): BackendInfo {
  if (source === undefined) return strictCheck(getBackend(), options);
  return adopt(new WasmBackend(compileSync(source)), "initSync() module");
}

/**
 * Prepares the WASM backend asynchronously (the way to load it on a browser's main thread
 * without blocking it), from a Module, bytes, a URL or a Response, or from the embedded bytes.
 * Concurrent calls share one compilation. Falls back to "js" as initSync() does, or rejects
 * with `{ strict: true }`.
 */
export function init(source?: WasmSource | Promise<Response>, options?: InitOptions): Promise<BackendInfo> {
  if (source === undefined && options?.strict) return init().then((info) => strictCheck(info, options));
  if (source === undefined) {
    if (current) return Promise.resolve(getBackend());
    return (pending ??= (async () => {
      if (typeof WebAssembly !== "object" || typeof WebAssembly.compile !== "function") return getBackend();
      try {
        const module = await compileEmbedded();
        if (!current) {
          wasm = new WasmBackend(module);
          use(wasm, AUTO_REASON(wasm));
        }
      } catch (e) {
        if (!current) use(jsBackend(), `compiling WebAssembly failed (${message(e)}); using the pure-TypeScript backend`);
      }
      return getBackend();
    })());
  }
  return compile(source).then((m) => adopt(new WasmBackend(m), "init() module"));
}
