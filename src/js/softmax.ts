// The TypeScript twin of assembly/softmax.ts: the row drivers. Validate every row, then softmax /
// log-softmax / logsumexp / argmax row by row, with the same temperature rules and special cases
// (explained there), over Float32Arrays with row offsets instead of pointers.

import { Status } from "../status.js";
import { ln64 } from "./log.js";
import { countEqual, countUnmasked, expSum, rowMax, sawNaN } from "./reduce.js";
import { firstIndexOf, firstInvalid } from "./select.js";
import { bf16RowMax, f16RowMax } from "./half.js";

const fr = Math.fround;
const F32_MAX = 3.4028234663852886e38;
export const HUGE_T_SCALE = 2 ** -100;

/** Flat index (or row, for a masked row) of the last error. */
export let errorAt = 0;

/** The kernels' temperature scale: f32(1/T), capped at the largest float32. */
export function scaleOf(temperature: number): number {
  const s = fr(1 / temperature);
  return s > F32_MAX ? F32_MAX : s;
}

/**
 * Phase 1: every row's max into maxes[], or an error status before anything is written. With
 * `validated` (the twin of the kernels' `maxes | 1`) widenRows has done it already.
 */
function validate(x: Float32Array, rows: number, cols: number, maxes: Float32Array, validated: boolean): number {
  if (validated) return Status.Ok;
  for (let r = 0; r < rows; r++) {
    const m = rowMax(x, r * cols, cols);
    const status = checkRow(x, r, cols, sawNaN ? NaN : m, maxes);
    if (status !== Status.Ok) return status;
  }
  return Status.Ok;
}

/** One row's max m (NaN if the row holds one): an error for NaN, +Infinity or a masked row; else stored. */
function checkRow(x: Float32Array, r: number, cols: number, m: number, maxes: Float32Array): number {
  const o = r * cols;
  if (m !== m || m === Infinity) {
    const i = firstInvalid(x, o, cols);
    errorAt = o + i;
    return x[o + i] !== x[o + i] ? Status.NaN : Status.PositiveInfinity;
  }
  if (m === -Infinity) {
    errorAt = r;
    return Status.MaskedRow;
  }
  maxes[r] = m;
  return Status.Ok;
}

/**
 * Phase 1 for half-precision bits, fused with the widening into x (see assembly/softmax.ts); on
 * Ok, call a row driver with `validated`.
 */
export function widenRows(src: Uint16Array, x: Float32Array, rows: number, cols: number, maxes: Float32Array, bf16: boolean): number {
  const out = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = bf16 ? bf16RowMax(src, o, out, o, cols) : f16RowMax(src, o, out, o, cols);
    const status = checkRow(x, r, cols, m, maxes);
    if (status !== Status.Ok) return status;
  }
  return Status.Ok;
}

/** y[i] = x[i]·0.5 (exact for normal x), the huge-temperature pre-pass. */
function halve(x: Float32Array, xo: number, y: Float32Array, yo: number, n: number): void {
  for (let i = 0; i < n; i++) y[yo + i] = x[xo + i] * 0.5;
}

/** y[i] *= k (one rounding, in the store). */
function scale(y: Float32Array, o: number, n: number, k: number): void {
  for (let i = o; i < o + n; i++) y[i] = y[i] * k;
}

/** y[i] = (x[i] − m)·s − l: log-softmax given l = f32(ln Σ). */
function shiftLog(x: Float32Array, y: Float32Array, o: number, n: number, m: number, s: number, l: number): void {
  for (let i = o; i < o + n; i++) y[i] = fr(fr(x[i] - m) * s) - l;
}

/** y[i] = x[i] == −Infinity ? masked : value. */
function fillUnmasked(x: Float32Array, y: Float32Array, o: number, n: number, value: number, masked: number): void {
  for (let i = o; i < o + n; i++) y[i] = x[i] === -Infinity ? masked : value;
}

/** y = `rest` everywhere but `hot` at the first maximum. */
function oneHot(x: Float32Array, y: Float32Array, o: number, n: number, m: number, hot: number, rest: number): void {
  const k = firstIndexOf(x, o, n, m);
  y.fill(rest, o, o + n);
  y[o + k] = hot;
}

/** Exp-sum of one row at scale s, halving first when s is tiny; `w` receives exps if doStore. */
export function rowExpSum(
  x: Float32Array, xo: number, w: Float32Array, wo: number, n: number, m: number, s: number, doStore: boolean,
): number {
  if (s < HUGE_T_SCALE) {
    halve(x, xo, w, wo, n);
    return expSum(w, wo, w, wo, n, fr(m * 0.5), fr(s * 2), doStore);
  }
  return expSum(x, xo, w, wo, n, m, s, doStore);
}

export function softmaxRows(x: Float32Array, y: Float32Array, rows: number, cols: number, maxes: Float32Array, temperature: number, validated = false): number {
  const status = validate(x, rows, cols, maxes, validated);
  if (status !== Status.Ok) return status;
  const s = scaleOf(temperature);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = maxes[r];
    if (temperature === 0) {
      oneHot(x, y, o, cols, m, 1, 0);
    } else if (s === 0) {
      fillUnmasked(x, y, o, cols, fr(1 / countUnmasked(x, o, cols)), 0);
    } else {
      const sum = rowExpSum(x, o, y, o, cols, m, s, true);
      scale(y, o, cols, fr(1 / sum));
    }
  }
  return Status.Ok;
}

export function logSoftmaxRows(x: Float32Array, y: Float32Array, rows: number, cols: number, maxes: Float32Array, temperature: number, validated = false): number {
  const status = validate(x, rows, cols, maxes, validated);
  if (status !== Status.Ok) return status;
  const s = scaleOf(temperature);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = maxes[r];
    if (temperature === 0) {
      oneHot(x, y, o, cols, m, 0, -Infinity);
    } else if (s === 0) {
      fillUnmasked(x, y, o, cols, fr(0 - ln64(countUnmasked(x, o, cols))), -Infinity); // 0 − ln 1 = +0, not −0
    } else if (s < HUGE_T_SCALE) {
      const l = fr(ln64(rowExpSum(x, o, y, o, cols, m, s, false))); // leaves y = x/2
      shiftLog(y, y, o, cols, fr(m * 0.5), fr(s * 2), l);
    } else {
      const l = fr(ln64(expSum(x, o, y, o, cols, m, s, false)));
      shiftLog(x, y, o, cols, m, s, l);
    }
  }
  return Status.Ok;
}

/** out[r] = ln Σ exp(x/T) per row, as f32; `work` is scratch of `cols` floats. */
export function logSumExpRows(x: Float32Array, out: Float32Array, rows: number, cols: number, maxes: Float32Array, temperature: number, work: Float32Array, validated = false): number {
  const status = validate(x, rows, cols, maxes, validated);
  if (status !== Status.Ok) return status;
  const s = scaleOf(temperature);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = maxes[r];
    let v: number;
    if (temperature === 0) {
      // The limit of ln Σ exp(x/T) as T → 0+: ±Infinity, or ln(#maxima) when the max is 0.
      v = m > 0 ? Infinity : m < 0 ? -Infinity : ln64(countEqual(x, o, cols, m));
    } else if (s === 0) {
      v = ln64(countUnmasked(x, o, cols));
    } else {
      v = m * s + ln64(rowExpSum(x, o, work, 0, cols, m, s, false));
    }
    out[r] = v;
  }
  return Status.Ok;
}

export function argmaxRows(x: Float32Array, out: Int32Array, rows: number, cols: number, maxes: Float32Array, validated = false): number {
  const status = validate(x, rows, cols, maxes, validated);
  if (status !== Status.Ok) return status;
  for (let r = 0; r < rows; r++) out[r] = firstIndexOf(x, r * cols, cols, maxes[r]);
  return Status.Ok;
}
