// softmax-wasm/js: the same API on the pure-TypeScript backend alone — no WebAssembly is loaded,
// compiled or even imported, for hosts that forbid it or bundles that must stay small. Results
// are bit-identical to the WASM backends' (see the README's determinism guarantee).

import type { Backend, Logits } from "./backend.js";
import { argmaxOn, logSumExpOn, rowwise, wasmInputOn, type ArgmaxOptions, type LogSumExpOptions, type SoftmaxOptions, type WasmInput, type WasmInput16 } from "./api.js";
import type { Dtype } from "./input.js";
import { createJsBackend } from "./js/backend.js";
import { readOptions } from "./input.js";
import { show } from "./validate.js";
import { createSamplerOn, sampleBatchOn, sampleOn, type SampleBatchCall, type Sampler, type SampleResult } from "./sample/sampler.js";
import type { SamplerOptions } from "./sample/options.js";

export type { BackendName, Logits } from "./backend.js";
export type { ArgmaxOptions, LogSumExpOptions, SoftmaxOptions, WasmInput, WasmInput16 } from "./api.js";
export type { Dtype } from "./input.js";
export type { BackendInfo, InitOptions } from "./runtime.js";
export type { Sampler, SampleBatchCall, SampleCall, SampleResult } from "./sample/sampler.js";
export type { SamplerOptions, StageName, OrderPreset } from "./sample/options.js";

// Created on first use: importing does no work beyond defining the functions.
let js: Backend | undefined;
const getJs = () => (js ??= createJsBackend());

/** softmax() of the main entry, on the pure-TypeScript backend. */
export function softmax(logits: Logits, options?: SoftmaxOptions): Float32Array {
  return rowwise(getJs(), "softmax", logits, options);
}

/** logSoftmax() of the main entry, on the pure-TypeScript backend. */
export function logSoftmax(logits: Logits, options?: SoftmaxOptions): Float32Array {
  return rowwise(getJs(), "logSoftmax", logits, options);
}

/** logSumExp() of the main entry, on the pure-TypeScript backend. */
export function logSumExp(logits: Logits, options?: LogSumExpOptions): number | Float32Array {
  return logSumExpOn(getJs(), logits, options);
}

/** argmax() of the main entry, on the pure-TypeScript backend. */
export function argmax(logits: Logits, options?: ArgmaxOptions): number | Int32Array {
  return argmaxOn(getJs(), logits, options);
}

/** sample() of the main entry, on the pure-TypeScript backend. */
export function sample(logits: Logits, options?: SamplerOptions): number | Int32Array {
  return sampleOn(getJs, logits, options);
}

/** createSampler() of the main entry, on the pure-TypeScript backend. */
export function createSampler(options?: SamplerOptions): Sampler {
  return createSamplerOn(getJs, options);
}

const REASON = 'imported from "softmax-wasm/js"';

/** sampleBatch() of the main entry, on the pure-TypeScript backend. */
export function sampleBatch(logits: Logits, samplers: readonly Sampler[], call?: SampleBatchCall): SampleResult[] {
  return sampleBatchOn(getJs, logits, samplers, call);
}

/** Always `{ name: "js" }`: this entry has no other backend. */
export function getBackend(): { name: "js"; reason: string } {
  return { name: "js", reason: REASON };
}

/** wasmInput() of the main entry: here an ordinary Float32Array (there is no WASM memory). */
export function wasmInput(length: number, dtype?: "float32"): WasmInput;
export function wasmInput(length: number, dtype: "float16" | "bfloat16"): WasmInput16;
export function wasmInput(length: number, dtype?: Dtype): WasmInput | WasmInput16 {
  return wasmInputOn(getJs(), length, dtype);
}

/**
 * setBackend() of the main entry: "js" is accepted; "simd" and "wasm" throw an Error, since this
 * entry never loads WebAssembly (import "softmax-wasm" for them).
 */
export function setBackend(name: "js" | "simd" | "wasm"): void {
  if (name === "js") return;
  if (name === "simd" || name === "wasm") {
    throw new Error(`setBackend(${JSON.stringify(name)}): softmax-wasm/js has only the "js" backend; import "softmax-wasm" for WebAssembly`);
  }
  throw new TypeError(`setBackend: unknown backend ${show(name)}; expected "simd", "wasm" or "js"`);
}

function initJs(fn: string, source: unknown, options: unknown): { name: "js"; reason: string } {
  if (source !== undefined) {
    throw new TypeError(`${fn}: softmax-wasm/js never loads WebAssembly, so it takes no source; import "softmax-wasm" to use one`);
  }
  const o = readOptions(fn, options, ["strict"] as const);
  if (o.strict === true) throw new Error(`softmax-wasm: WebAssembly cannot be used here: ${REASON}`);
  return getBackend();
}

/** initSync() of the main entry: nothing to prepare here; returns getBackend(). `strict: true` throws. */
export function initSync(source?: undefined, options?: { strict?: boolean }): { name: "js"; reason: string } {
  return initJs("initSync", source, options);
}

/** init() of the main entry: resolves to getBackend(); `strict: true` rejects. */
export function init(source?: undefined, options?: { strict?: boolean }): Promise<{ name: "js"; reason: string }> {
  try {
    return Promise.resolve(initJs("init", source, options));
  } catch (e) {
    return Promise.reject(e);
  }
}
