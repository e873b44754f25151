// The module's ABI: numbers and pointers into linear memory only, no imports, no allocation.
// The TypeScript side owns the memory layout (src/wasm/backend.ts); every pointer is a byte
// offset at or above heap_base(). Entry points return a status code (see softmax.ts) and leave
// the offending index in error_at(). `maxes` is 4-byte aligned; passed with its low bit set, it
// says that widen_rows has already validated the rows and stored their maxima there.

import { softmaxRows, logSoftmaxRows, logSumExpRows, argmaxRows, errorAt, widenRows } from "./softmax";
import { rowMax, sawNaN, dotExpArg, expSumSparse, walkCdf } from "./reduce";
import { collectRange, firstIndexOf, topK, topKHalf } from "./select";
import { next32, nextUniform } from "./rng";
import { maskBelow, maskExpsBelow, sumExps, moments, momentSquares, finiteCount } from "./mask";
import { f16ToF32, bf16ToF32 } from "./half";
import { rowExpSum } from "./softmax";

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

// Row primitives for the sampler (src/sample/), which runs the same calls on either backend.

/** The exp pass of one row, y[i] = exp((x[i] − m)·s), returning the sum in the documented order. */
export function exp_sum(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
  return rowExpSum(x, y, n, m, s, true);
}

/**
 * exp_sum for a row a filter left mostly −Infinity: the same bits, all-masked blocks skipped.
 * Only for s ≥ 2^-100 (exp_sum halves the row below that; the sampler does so itself first).
 */
export function exp_sum_sparse(x: usize, y: usize, n: i32, m: f32, s: f32): f64 {
  return expSumSparse(x, y, n, m, s);
}

/** Max of a row, ignoring NaN; has_nan() then says whether there was one. */
export function row_max(x: usize, n: i32): f32 {
  return rowMax(x, n);
}

export function has_nan(): i32 {
  return sawNaN ? 1 : 0;
}

export function collect_range(x: usize, n: i32, lo: f32, hi: f32, idx: usize, cap: i32): i32 {
  return collectRange(x, n, lo, hi, idx, cap);
}

/** The k largest of x[0..n) as ascending ids in idx (see topK); has_nan() then says whether there was a NaN. */
export function top_k(x: usize, n: i32, k: i32, cap: i32, idx: usize, tmp: usize): i32 {
  return topK(x, n, k, cap, idx, tmp);
}

export function first_index(x: usize, n: i32, v: f32): i32 {
  return firstIndexOf(x, n, v);
}

export function dot_exp_arg(x: usize, e: usize, n: i32, m: f32, s: f32): f64 {
  return dotExpArg(x, e, n, m, s);
}

export function walk_cdf(e: usize, n: i32, target: f64): i32 {
  return walkCdf(e, n, target);
}

/** w[i] = −Infinity wherever src[i] < bound: the sampler's large-set filters. */
export function mask_below(w: usize, src: usize, n: i32, bound: f32): void {
  maskBelow(w, src, n, bound);
}

/** w = −Infinity and e = 0 wherever e < bound (a probability filter that keeps the max). */
export function mask_exps_below(w: usize, e: usize, n: i32, bound: f32): void {
  maskExpsBelow(w, e, n, bound);
}

/** Σ e in the exp pass's documented order. */
export function sum_exps(e: usize, n: i32): f64 {
  return sumExps(e, n);
}

/** Σ (x − shift) over the finite x, in the documented slot order (see mask.ts); Σ (x − shift)² and their count follow. */
export function moments_of(x: usize, n: i32, shift: f32): f64 {
  return moments(x, n, shift);
}

/** Σ (x − shift)² of the last moments_of. */
export function moment_squares(): f64 {
  return momentSquares;
}

/** How many finite values the last moments_of added. */
export function finite_count(): i32 {
  return finiteCount;
}

/**
 * top_k over the half-precision bits at src (bf16: 0 for float16, 1 for bfloat16) without widening
 * the row: the same ids, and only their values widened, into w at their ids; has_nan() as top_k.
 * SIMD build only: −1 in the scalar one.
 */
export function top_k_half(src: usize, n: i32, k: i32, cap: i32, idx: usize, tmp: usize, w: usize, bf16: i32): i32 {
  return topKHalf(src, n, k, cap, idx, tmp, w, bf16 != 0);
}

/** dst[i] = the float32 value of the float16 bits src[i] (exact). */
export function f16_to_f32(src: usize, dst: usize, n: i32): void {
  f16ToF32(src, dst, n);
}

/** dst[i] = the float32 value of the bfloat16 bits src[i] (exact). */
export function bf16_to_f32(src: usize, dst: usize, n: i32): void {
  bf16ToF32(src, dst, n);
}

/**
 * Phase 1 of softmax, log_softmax, log_sum_exp and argmax for half-precision input (bf16: 0 for
 * float16, 1 for bfloat16), fused with the widening: rows × cols bits at src widened into x, each
 * row's max into maxes, validated as those entry points do (a status, and error_at()). On OK, call
 * one of them on x with `maxes | 1`: the set low bit tells it the rows are validated already.
 */
export function widen_rows(src: usize, x: usize, rows: i32, cols: i32, maxes: usize, bf16: i32): i32 {
  return widenRows(src, x, rows, cols, maxes, bf16 != 0);
}

/** 1 for the SIMD build, 0 for the scalar one: tells a loader which backend it was handed. */
export function has_simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** xoshiro128** over the four u32 words at `state` (see rng.ts): the next output. */
export function rng_next32(state: usize): u32 {
  return next32(state);
}

/** The next uniform double in [0, 1) (53 bits from two outputs). */
export function rng_uniform(state: usize): f64 {
  return nextUniform(state);
}
