// What every backend implements, and which one runs. The public functions (index.ts) validate
// their arguments and then call exactly one of these methods.

/** Name of a backend: WASM with 128-bit SIMD, WASM without SIMD, or pure TypeScript. */
export type BackendName = "simd" | "wasm" | "js";

/** Logits as callers may pass them; anything but Float32Array is converted to f32 first. */
export type Logits = Float32Array | Float64Array | number[];

/**
 * A backend computes on `rows × cols` logits and writes into `out`; it returns a Status code and
 * leaves the offending index in `errorAt()` when that code is not Ok. It never writes to `out`
 * (nor to `x`, unless `out === x`) before it has validated every row.
 */
export interface Backend {
  readonly name: BackendName;
  softmax(x: Logits, out: Float32Array, rows: number, cols: number, temperature: number): number;
  logSoftmax(x: Logits, out: Float32Array, rows: number, cols: number, temperature: number): number;
  logSumExp(x: Logits, out: Float32Array, rows: number, cols: number, temperature: number): number;
  argmax(x: Logits, out: Int32Array, rows: number, cols: number): number;
  errorAt(): number;
}
