// softmax-wasm/js: the same API on the pure-TypeScript backend alone — no WebAssembly is loaded,
// compiled or even imported, for hosts that forbid it or bundles that must stay small. Results
// are bit-identical to the WASM backends' (see the README's determinism guarantee).

import type { Backend, Logits } from "./backend.js";
import { argmaxOn, logSumExpOn, rowwise, type ArgmaxOptions, type LogSumExpOptions, type SoftmaxOptions } from "./api.js";
import { createJsBackend } from "./js/backend.js";
import { createSamplerOn, sampleOn, type Sampler } from "./sample/sampler.js";
import type { SamplerOptions } from "./sample/options.js";

export type { BackendName, Logits } from "./backend.js";
export type { ArgmaxOptions, LogSumExpOptions, SoftmaxOptions } from "./api.js";
export type { Sampler, SampleCall, SampleResult } from "./sample/sampler.js";
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

/** Always `{ name: "js" }`: this entry has no other backend. */
export function getBackend(): { name: "js"; reason: string } {
  return { name: "js", reason: 'imported from "softmax-wasm/js"' };
}
