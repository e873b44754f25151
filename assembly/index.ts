// The module's ABI: numbers and pointers into linear memory only, no imports, no allocation.
// The TypeScript side owns the memory layout (src/wasm/backend.ts); every pointer is a byte
// offset at or above heap_base(). Entry points return a status code (see softmax.ts) and leave
// the offending index in error_at().

import { softmaxRows, logSoftmaxRows, logSumExpRows, argmaxRows, errorAt } from "./softmax";
import { expSum } from "./reduce";

export function heap_base(): usize {
  return __heap_base;
}

export function error_at(): i32 {
  return errorAt;
}

export function softmax(x: usize, y: usize, rows: i32, cols: i32, maxes: usize, temperature: f64): i32 {
  return softmaxRows(x, y, rows, cols, maxes, temperature);
}

export function log_softmax(x: usize, y: usize, rows: i32, cols: i32, maxes: usize, temperature: f64): i32 {
  return logSoftmaxRows(x, y, rows, cols, maxes, temperature);
}

export function log_sum_exp(x: usize, out: usize, rows: i32, cols: i32, maxes: usize, temperature: f64, work: usize): i32 {
  return logSumExpRows(x, out, rows, cols, maxes, temperature, work);
}

export function argmax(x: usize, out: usize, rows: i32, cols: i32, maxes: usize): i32 {
  return argmaxRows(x, out, rows, cols, maxes);
}

/** The bare exp pass, y[i] = exp((x[i] − m)·s), returning the ordered sum: for tests and tools. */
export function exp_sum(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
  return expSum(x, y, n, m, s, true);
}

/** 1 for the SIMD build, 0 for the scalar one: tells a loader which backend it was handed. */
export function has_simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
