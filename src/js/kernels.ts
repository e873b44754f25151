// The TypeScript twin of assembly/reduce.ts, select.ts and softmax.ts: the same passes, the same
// summation order and the same special cases, over Float32Arrays, returning the same bits.
// Comments on the why live in the AssemblyScript files; this file follows them line for line.

import { expBlock } from "./exp.js";
import { ln64 } from "./log.js";
import { Status } from "../status.js";

const fr = Math.fround;
const BLOCK = 64; // the summation block of assembly/reduce.ts
const F32_MAX = 3.4028234663852886e38;
const HUGE_T_SCALE = 2 ** -100;

export class JsKernels {
  /** Flat index (or row, for a masked row) of the last error. */
  errorAt = 0;
  private maxes = new Float32Array(1);
  private work = new Float32Array(1);

  private validate(x: Float32Array, rows: number, cols: number): number {
    if (this.maxes.length < rows) this.maxes = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let m = -Infinity;
      let nan = false;
      for (let i = o; i < o + cols; i++) {
        const v = x[i];
        // One comparison in the common case; NaN fails `v <= m` too and is caught inside.
        if (!(v <= m)) {
          if (v !== v) nan = true;
          else m = v;
        }
      }
      if (nan || m === Infinity) {
        let i = 0;
        while (!(x[o + i] !== x[o + i] || x[o + i] === Infinity)) i++;
        this.errorAt = o + i;
        return x[o + i] !== x[o + i] ? Status.NaN : Status.PositiveInfinity;
      }
      if (m === -Infinity) {
        this.errorAt = r;
        return Status.MaskedRow;
      }
      this.maxes[r] = m === 0 ? 0 : m;
    }
    return Status.Ok;
  }

  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number, temperature: number): number {
    const status = this.validate(x, rows, cols);
    if (status !== Status.Ok) return status;
    const s = scaleOf(temperature);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const m = this.maxes[r];
      if (temperature === 0) {
        oneHot(x, y, o, cols, m, 1, 0);
      } else if (s === 0) {
        fillUnmasked(x, y, o, cols, fr(1 / countUnmasked(x, o, cols)), 0);
      } else {
        const sum = rowExpSum(x, o, y, o, cols, m, s, true);
        const k = fr(1 / sum);
        for (let i = o; i < o + cols; i++) y[i] = y[i] * k; // one rounding, in the store
      }
    }
    return Status.Ok;
  }

  logSoftmax(x: Float32Array, y: Float32Array, rows: number, cols: number, temperature: number): number {
    const status = this.validate(x, rows, cols);
    if (status !== Status.Ok) return status;
    const s = scaleOf(temperature);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const m = this.maxes[r];
      if (temperature === 0) {
        oneHot(x, y, o, cols, m, 0, -Infinity);
      } else if (s === 0) {
        fillUnmasked(x, y, o, cols, fr(0 - ln64(countUnmasked(x, o, cols))), -Infinity);
      } else if (s < HUGE_T_SCALE) {
        const l = fr(ln64(rowExpSum(x, o, y, o, cols, m, s, false)));
        shiftLog(y, y, o, cols, fr(m * 0.5), fr(s * 2), l);
      } else {
        const l = fr(ln64(expSum(x, o, y, o, cols, m, s, false)));
        shiftLog(x, y, o, cols, m, s, l);
      }
    }
    return Status.Ok;
  }

  logSumExp(x: Float32Array, out: Float32Array, rows: number, cols: number, temperature: number): number {
    const status = this.validate(x, rows, cols);
    if (status !== Status.Ok) return status;
    const s = scaleOf(temperature);
    if (s < HUGE_T_SCALE && s !== 0 && this.work.length < cols) this.work = new Float32Array(cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const m = this.maxes[r];
      let v: number;
      if (temperature === 0) {
        v = m > 0 ? Infinity : m < 0 ? -Infinity : ln64(countEqual(x, o, cols, m));
      } else if (s === 0) {
        v = ln64(countUnmasked(x, o, cols));
      } else {
        v = m * s + ln64(rowExpSum(x, o, this.work, 0, cols, m, s, false));
      }
      out[r] = v;
    }
    return Status.Ok;
  }

  argmax(x: Float32Array, out: Int32Array, rows: number, cols: number): number {
    const status = this.validate(x, rows, cols);
    if (status !== Status.Ok) return status;
    for (let r = 0; r < rows; r++) out[r] = firstIndexOf(x, r * cols, cols, this.maxes[r]);
    return Status.Ok;
  }
}

/** The kernels' temperature scale: f32(1/T), capped at the largest float32. */
export function scaleOf(temperature: number): number {
  const s = fr(1 / temperature);
  return s > F32_MAX ? F32_MAX : s;
}

function rowExpSum(
  x: Float32Array, xo: number, w: Float32Array, wo: number, n: number, m: number, s: number, doStore: boolean,
): number {
  if (s < HUGE_T_SCALE) {
    for (let i = 0; i < n; i++) w[wo + i] = x[xo + i] * 0.5;
    return expSum(w, wo, w, wo, n, fr(m * 0.5), fr(s * 2), doStore);
  }
  return expSum(x, xo, w, wo, n, m, s, doStore);
}

/** The exp pass: y = exp((x − m)·s) if doStore; returns the sum in the documented order. */
export function expSum(
  x: Float32Array, xo: number, y: Float32Array, yo: number, n: number, m: number, s: number, doStore: boolean,
): number {
  let total = 0;
  for (let b = 0; b < n; b += BLOCK) total += expBlock(x, xo + b, y, yo + b, Math.min(BLOCK, n - b), m, s, doStore);
  return total;
}

function shiftLog(x: Float32Array, y: Float32Array, o: number, n: number, m: number, s: number, l: number): void {
  for (let i = o; i < o + n; i++) y[i] = fr(fr(x[i] - m) * s) - l;
}

function fillUnmasked(x: Float32Array, y: Float32Array, o: number, n: number, value: number, masked: number): void {
  for (let i = o; i < o + n; i++) y[i] = x[i] === -Infinity ? masked : value;
}

function oneHot(x: Float32Array, y: Float32Array, o: number, n: number, m: number, hot: number, rest: number): void {
  const k = firstIndexOf(x, o, n, m);
  y.fill(rest, o, o + n);
  y[o + k] = hot;
}

export function firstIndexOf(x: Float32Array, o: number, n: number, v: number): number {
  for (let i = 0; i < n; i++) if (x[o + i] === v) return i;
  return -1;
}

function countUnmasked(x: Float32Array, o: number, n: number): number {
  let k = 0;
  for (let i = o; i < o + n; i++) if (x[i] !== -Infinity) k++;
  return k;
}

function countEqual(x: Float32Array, o: number, n: number, v: number): number {
  let k = 0;
  for (let i = o; i < o + n; i++) if (x[i] === v) k++;
  return k;
}

// Row primitives for the sampler: twins of the exports at the end of assembly/index.ts.

/** Max of x[0..n), ignoring NaN, and whether there was a NaN (rowMax in assembly/reduce.ts). */
export function rowMax(x: Float32Array, n: number): { max: number; nan: boolean } {
  let m = -Infinity;
  let nan = false;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!(v <= m)) {
      if (v !== v) nan = true;
      else m = v;
    }
  }
  return { max: m === 0 ? 0 : m, nan };
}

/** The exp pass of one row with the huge-temperature rule (rowExpSum in assembly/softmax.ts). */
export function expRow(x: Float32Array, y: Float32Array, n: number, m: number, s: number): number {
  return rowExpSum(x, 0, y, 0, n, m, s, true);
}

/** Indices (ascending) of lo ≤ x[i] ≤ hi into idx, at most cap written; returns the full count. */
export function collectRange(x: Float32Array, n: number, lo: number, hi: number, idx: Int32Array, cap: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v >= lo && v <= hi) {
      if (count < cap) idx[count] = i;
      count++;
    }
  }
  return count;
}

/** Σ e[i]·f32((x[i] − m)·s) in f64, index order, skipping e[i] = 0 (dotExpArg). */
export function dotExpArg(x: Float32Array, e: Float32Array, n: number, m: number, s: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) if (e[i] !== 0) acc += e[i] * fr(fr(x[i] - m) * s);
  return acc;
}

/** The first i whose running Σ e (f64, index order) exceeds target, else the last nonzero (walkCdf). */
export function walkCdf(e: Float32Array, n: number, target: number): number {
  let run = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    const w = e[i];
    if (w === 0) continue;
    run += w;
    last = i;
    if (run > target) return i;
  }
  return last;
}
