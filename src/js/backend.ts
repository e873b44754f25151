// The "js" backend: the TypeScript twin of the kernels, for hosts without WebAssembly.

import { topKCap, type Backend, type RowKernels } from "../backend.js";
import type { LogitsData } from "../input.js";
import { bf16ToF32, f16ToF32 } from "./half.js";
import { finiteCount, maskBelow, maskExpsBelow, momentSquares, moments, sumExps } from "./mask.js";
import { dotExpArg, rowMax, sawNaN, walkCdf } from "./reduce.js";
import { collectRange, firstIndexOf, topK, topKSawNaN } from "./select.js";
import { HUGE_T_SCALE, argmaxRows, errorAt, logSoftmaxRows, logSumExpRows, rowExpSum, scaleOf, softmaxRows, widenRows } from "./softmax.js";

/** Creates a pure-TypeScript backend returning the same bits as the WASM ones. */
export function createJsBackend(): Backend {
  // The scratch the WASM wrapper lays out in linear memory: row maxes, and logSumExp's work row,
  // which only the huge-temperature rule writes to (so it is allocated only then).
  let maxes = new Float32Array(1), work = new Float32Array(1);
  const m = (rows: number) => (maxes.length < rows ? (maxes = new Float32Array(rows)) : maxes);
  const w = (cols: number, t: number) => {
    const s = scaleOf(t);
    if (s !== 0 && s < HUGE_T_SCALE && work.length < cols) work = new Float32Array(cols);
    return work;
  };
  // Half bits are widened into `wide` (the twin of the scratch's X), reused from call to call, by
  // the fused first pass, which also validates the rows and finds their maxima (so the row
  // driver is told `validated`). Its status, when not Ok, is returned instead of a row driver's.
  let wide = new Float32Array(0);
  const first = (x: LogitsData, out: Float32Array | Int32Array, rows: number, cols: number): Float32Array | number => {
    if (x instanceof Float32Array) return source(x, out);
    if (wide.length < rows * cols) wide = new Float32Array(rows * cols);
    const xr = wide.length === rows * cols ? wide : wide.subarray(0, rows * cols);
    const status = widenRows(x.bits, xr, rows, cols, m(rows), x.dtype === "bfloat16");
    return status !== 0 ? status : xr;
  };
  const rows = rowKernels();
  return {
    name: "js",
    softmax: (x, out, rows, cols, t) => {
      const f = first(x, out, rows, cols);
      return typeof f === "number" ? f : softmaxRows(f, out, rows, cols, m(rows), t, !(x instanceof Float32Array));
    },
    logSoftmax: (x, out, rows, cols, t) => {
      const f = first(x, out, rows, cols);
      return typeof f === "number" ? f : logSoftmaxRows(f, out, rows, cols, m(rows), t, !(x instanceof Float32Array));
    },
    logSumExp: (x, out, rows, cols, t) => {
      const f = first(x, out, rows, cols);
      return typeof f === "number" ? f : logSumExpRows(f, out, rows, cols, m(rows), t, w(cols, t), !(x instanceof Float32Array));
    },
    argmax: (x, out, rows, cols) => {
      const f = first(x, out, rows, cols);
      return typeof f === "number" ? f : argmaxRows(f, out, rows, cols, m(rows), !(x instanceof Float32Array));
    },
    errorAt: () => errorAt,
    resultView: (out) => out, // no WASM memory here: nothing can detach it
    rowKernels: () => rows,
  };
}

function rowKernels(): RowKernels {
  let w = new Float32Array(0), e = new Float32Array(0), idx = new Int32Array(0);
  // Half bits are widened into `wide`, reused from call to call (never into w: the sampler reads
  // the logits as given after it has edited w).
  let wide = new Float32Array(0);
  return {
    prepare: (x) => {
      if (x instanceof Float32Array) return x;
      const n = x.bits.length;
      if (wide.length !== n) wide = new Float32Array(n);
      (x.dtype === "float16" ? f16ToF32 : bf16ToF32)(x.bits, wide);
      return wide;
    },
    buffers: (n) => {
      if (w.length !== n) {
        w = new Float32Array(n);
        e = new Float32Array(n);
        idx = new Int32Array(n);
      }
      return { w, e, idx };
    },
    rowMax: (n) => {
      const max = rowMax(w, 0, n);
      return { max, nan: sawNaN };
    },
    // No sparse variant here: assembly's exp_sum_sparse only skips work, with the same bits.
    expSum: (n, m, s) => rowExpSum(w, 0, e, 0, n, m, s, true),
    collect: (src, n, lo, hi, cap) => collectRange(src === "w" ? w : e, n, lo, hi, idx, cap),
    topK: (n, k) => ({ count: topK(w, n, k, topKCap(n, k), idx, e), nan: topKSawNaN }),
    firstIndex: (n, v) => firstIndexOf(w, 0, n, v),
    dotExpArg: (n, m, s) => dotExpArg(w, e, n, m, s),
    walkCdf: (n, target) => walkCdf(e, n, target),
    maskBelow: (src, n, bound) => maskBelow(w, src === "w" ? w : e, n, bound),
    maskExpsBelow: (n, bound) => maskExpsBelow(w, e, n, bound),
    sumExps: (n) => sumExps(e, n),
    moments: (n, shift) => ({ sum: moments(w, n, shift), squares: momentSquares, count: finiteCount }),
  };
}

/**
 * The input to read from: the caller's Float32Array itself when that is safe (the same memory as
 * the output, or memory the output does not touch), otherwise a copy.
 */
function source(x: Float32Array, out: Float32Array | Int32Array): Float32Array {
  if (x.buffer !== out.buffer || x.byteOffset === out.byteOffset) return x;
  const xEnd = x.byteOffset + x.byteLength, outEnd = out.byteOffset + out.byteLength;
  return xEnd <= out.byteOffset || outEnd <= x.byteOffset ? x : x.slice();
}
