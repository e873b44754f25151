// Row drivers: validate every row, then softmax / log-softmax / logsumexp / argmax row by row.
// Its TypeScript twin is src/js/softmax.ts (every file here has one under src/js/ with the same
// name and the same function names); keep the two in step.
//
// Temperature: u = (x − max)·s with s = f32(1/T), capped at f32 max (so a tiny T cannot make
// s infinite). T = 0 is the greedy limit, and s = 0 (T = Infinity, or T so large that 1/T
// underflows f32) is the uniform limit. When s < 2^-100 the difference x − max could overflow f32
// on rows spanning more than 3.4e38 while still mattering after scaling, so those rows are first
// halved (exact) and run with (max/2, 2s) — the same bits wherever x − max does not overflow.

import { rowMax, sawNaN, expSum, countUnmasked, countEqual } from "./reduce";
import { firstIndexOf, firstInvalid } from "./select";
import { ln64 } from "./log";
import { f16RowMax, bf16RowMax } from "./half";

// Status codes returned by every entry point; the offending flat index (or row) is in errorAt.
export const OK = 0;
export const ERR_NAN = 1;
export const ERR_POS_INF = 2;
export const ERR_MASKED_ROW = 3;
export let errorAt: i32 = 0;

const F32_MAX: f32 = 3.4028234663852886e38;
const HUGE_T_SCALE: f32 = 7.888609052210118e-31; // 2^-100

// @ts-ignore: decorator
@inline
function scaleOf(temperature: f64): f32 {
  const s = <f32>(1.0 / temperature);
  return s > F32_MAX ? F32_MAX : s;
}

// @ts-ignore: decorator
@inline
function rowPtr(base: usize, row: i32, cols: i32): usize {
  return base + ((<usize>row * <usize>cols) << 2);
}

/**
 * Phase 1: every row's max into maxes[], or an error status before anything is written.
 * `maxes` with its low bit set (it is 4-byte aligned otherwise) says that this phase already ran:
 * widenRows found the maxima while widening half-precision rows, so there is nothing to do.
 */
function validate(x: usize, rows: i32, cols: i32, maxes: usize): i32 {
  if (maxes & 1) return OK;
  for (let r = 0; r < rows; r++) {
    const xr = rowPtr(x, r, cols);
    const m = rowMax(xr, cols);
    const status = checkRow(xr, r, cols, sawNaN ? <f32>NaN : m, maxes);
    if (status != OK) return status;
  }
  return OK;
}

/** One row's max m (NaN if the row holds one): an error for NaN, +Infinity or a masked row; else stored. */
// @ts-ignore: decorator
@inline
function checkRow(xr: usize, r: i32, cols: i32, m: f32, maxes: usize): i32 {
  if (m != m || m == Infinity) {
    const i = firstInvalid(xr, cols);
    errorAt = r * cols + i;
    const v = load<f32>(xr + (<usize>i << 2));
    return v != v ? ERR_NAN : ERR_POS_INF;
  }
  if (m == -Infinity) {
    errorAt = r;
    return ERR_MASKED_ROW;
  }
  store<f32>(maxes + (<usize>r << 2), m);
  return OK;
}

/**
 * Phase 1 for half-precision input, fused with the widening: each row of bits at `src` (float16,
 * or bfloat16 if `bf16`) is read once, widened into x and its max found in the same pass
 * (half.ts); then the same checks as validate, naming the same index. On OK, pass `maxes | 1` to
 * the row drivers so that they skip validate.
 */
export function widenRows(src: usize, x: usize, rows: i32, cols: i32, maxes: usize, bf16: bool): i32 {
  for (let r = 0; r < rows; r++) {
    const xr = rowPtr(x, r, cols), sr = src + ((<usize>r * <usize>cols) << 1);
    const m = bf16 ? bf16RowMax(sr, xr, cols) : f16RowMax(sr, xr, cols);
    const status = checkRow(xr, r, cols, m, maxes);
    if (status != OK) return status;
  }
  return OK;
}

/** y[i] = x[i]·0.5 (exact for normal x), the huge-temperature pre-pass. */
function halve(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, load<f32>(x + p) * 0.5);
  }
}

/** y[i] *= k. */
function scale(y: usize, n: i32, k: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vk = f32x4.splat(k);
    for (; i + 16 <= n; i += 16) {
      const p = y + (<usize>i << 2);
      v128.store(p, f32x4.mul(v128.load(p, 0), vk), 0);
      v128.store(p, f32x4.mul(v128.load(p, 16), vk), 16);
      v128.store(p, f32x4.mul(v128.load(p, 32), vk), 32);
      v128.store(p, f32x4.mul(v128.load(p, 48), vk), 48);
    }
  }
  for (; i < n; i++) {
    const p = y + (<usize>i << 2);
    store<f32>(p, load<f32>(p) * k);
  }
}

/** y[i] = (x[i] − m)·s − l: log-softmax given l = f32(ln Σ). */
function shiftLog(x: usize, y: usize, n: i32, m: f32, s: f32, l: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vm = f32x4.splat(m), vs = f32x4.splat(s), vl = f32x4.splat(l);
    for (; i + 16 <= n; i += 16) {
      const px = x + (<usize>i << 2), py = y + (<usize>i << 2);
      const u0 = f32x4.sub(f32x4.mul(f32x4.sub(v128.load(px, 0), vm), vs), vl);
      const u1 = f32x4.sub(f32x4.mul(f32x4.sub(v128.load(px, 16), vm), vs), vl);
      const u2 = f32x4.sub(f32x4.mul(f32x4.sub(v128.load(px, 32), vm), vs), vl);
      const u3 = f32x4.sub(f32x4.mul(f32x4.sub(v128.load(px, 48), vm), vs), vl);
      v128.store(py, u0, 0); v128.store(py, u1, 16); v128.store(py, u2, 32); v128.store(py, u3, 48);
    }
  }
  for (; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, (load<f32>(x + p) - m) * s - l);
  }
}

/** y[i] = x[i] == −Infinity ? masked : value. */
function fillUnmasked(x: usize, y: usize, n: i32, value: f32, masked: f32): void {
  for (let i = 0; i < n; i++) {
    const p = <usize>i << 2;
    store<f32>(y + p, load<f32>(x + p) == -Infinity ? masked : value);
  }
}

/** y = `rest` everywhere but `hot` at the first maximum. */
function oneHot(x: usize, y: usize, n: i32, m: f32, hot: f32, rest: f32): void {
  const k = firstIndexOf(x, n, m);
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), rest);
  store<f32>(y + (<usize>k << 2), hot);
}

/** Exp-sum of one row at scale s, halving first when s is tiny; `work` receives exps if doStore. */
// @ts-ignore: decorator
@inline
export function rowExpSum(xr: usize, work: usize, cols: i32, m: f32, s: f32, doStore: bool): f64 {
  if (s < HUGE_T_SCALE) {
    halve(xr, work, cols);
    return expSum(work, work, cols, m * 0.5, s * 2, doStore);
  }
  return expSum(xr, work, cols, m, s, doStore);
}

export function softmaxRows(x: usize, y: usize, rows: i32, cols: i32, maxes: usize, temperature: f64): i32 {
  const status = validate(x, rows, cols, maxes);
  if (status != OK) return status;
  maxes &= ~1;
  const s = scaleOf(temperature);
  for (let r = 0; r < rows; r++) {
    const xr = rowPtr(x, r, cols), yr = rowPtr(y, r, cols);
    const m = load<f32>(maxes + (<usize>r << 2));
    if (temperature == 0) {
      oneHot(xr, yr, cols, m, 1, 0);
    } else if (s == 0) {
      fillUnmasked(xr, yr, cols, <f32>(1.0 / <f64>countUnmasked(xr, cols)), 0);
    } else {
      const sum = rowExpSum(xr, yr, cols, m, s, true);
      scale(yr, cols, <f32>(1.0 / sum));
    }
  }
  return OK;
}

export function logSoftmaxRows(x: usize, y: usize, rows: i32, cols: i32, maxes: usize, temperature: f64): i32 {
  const status = validate(x, rows, cols, maxes);
  if (status != OK) return status;
  maxes &= ~1;
  const s = scaleOf(temperature);
  for (let r = 0; r < rows; r++) {
    const xr = rowPtr(x, r, cols), yr = rowPtr(y, r, cols);
    const m = load<f32>(maxes + (<usize>r << 2));
    if (temperature == 0) {
      oneHot(xr, yr, cols, m, 0, -Infinity);
    } else if (s == 0) {
      fillUnmasked(xr, yr, cols, <f32>(0 - ln64(<f64>countUnmasked(xr, cols))), -Infinity); // 0 − ln 1 = +0, not −0
    } else if (s < HUGE_T_SCALE) {
      const l = <f32>ln64(rowExpSum(xr, yr, cols, m, s, false)); // leaves yr = xr/2
      shiftLog(yr, yr, cols, m * 0.5, s * 2, l);
    } else {
      const l = <f32>ln64(expSum(xr, yr, cols, m, s, false));
      shiftLog(xr, yr, cols, m, s, l);
    }
  }
  return OK;
}

/** out[r] = ln Σ exp(x/T) per row, as f32; `work` is scratch of `cols` floats. */
export function logSumExpRows(x: usize, out: usize, rows: i32, cols: i32, maxes: usize, temperature: f64, work: usize): i32 {
  const status = validate(x, rows, cols, maxes);
  if (status != OK) return status;
  maxes &= ~1;
  const s = scaleOf(temperature);
  for (let r = 0; r < rows; r++) {
    const xr = rowPtr(x, r, cols);
    const m = load<f32>(maxes + (<usize>r << 2));
    let v: f64;
    if (temperature == 0) {
      // The limit of ln Σ exp(x/T) as T → 0+: ±Infinity, or ln(#maxima) when the max is 0.
      v = m > 0 ? Infinity : m < 0 ? -Infinity : ln64(<f64>countEqual(xr, cols, m));
    } else if (s == 0) {
      v = ln64(<f64>countUnmasked(xr, cols));
    } else {
      v = <f64>m * <f64>s + ln64(rowExpSum(xr, work, cols, m, s, false));
    }
    store<f32>(out + (<usize>r << 2), <f32>v);
  }
  return OK;
}

export function argmaxRows(x: usize, out: usize, rows: i32, cols: i32, maxes: usize): i32 {
  const status = validate(x, rows, cols, maxes);
  if (status != OK) return status;
  maxes &= ~1;
  for (let r = 0; r < rows; r++) {
    const m = load<f32>(maxes + (<usize>r << 2));
    store<i32>(out + (<usize>r << 2), firstIndexOf(rowPtr(x, r, cols), cols, m));
  }
  return OK;
}
