// The "js" backend: the TypeScript twin of the kernels, for hosts without WebAssembly.

import { topKCap, type Backend, type RowKernels } from "../backend.js";
import { widen, type LogitsData } from "../input.js";
import { finiteCount, maskBelow, maskExpsBelow, sumExps, sumFinite, sumSquaredDeviations } from "./mask.js";
import { dotExpArg, rowMax, sawNaN, walkCdf } from "./reduce.js";
import { collectRange, firstIndexOf, topK, topKSawNaN } from "./select.js";
import { HUGE_T_SCALE, argmaxRows, errorAt, logSoftmaxRows, logSumExpRows, rowExpSum, scaleOf, softmaxRows } from "./softmax.js";

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
  const rows = rowKernels();
  return {
    name: "js",
    softmax: (x, out, rows, cols, t) => softmaxRows(source(x, out), out, rows, cols, m(rows), t),
    logSoftmax: (x, out, rows, cols, t) => logSoftmaxRows(source(x, out), out, rows, cols, m(rows), t),
    logSumExp: (x, out, rows, cols, t) => logSumExpRows(source(x, out), out, rows, cols, m(rows), t, w(cols, t)),
    argmax: (x, out, rows, cols) => argmaxRows(source(x, out), out, rows, cols, m(rows)),
    errorAt: () => errorAt,
    resultView: (out) => out, // no WASM memory here: nothing can detach it
    rowKernels: () => rows,
  };
}

function rowKernels(): RowKernels {
  let w = new Float32Array(0), e = new Float32Array(0), idx = new Int32Array(0);
  return {
    prepare: (x) => (x instanceof Float32Array ? x : widen(x)),
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
    expSum: (n, m, s) => rowExpSum(w, 0, e, 0, n, m, s, true),
    collect: (src, n, lo, hi, cap) => collectRange(src === "w" ? w : e, n, lo, hi, idx, cap),
    topK: (n, k) => ({ count: topK(w, n, k, topKCap(n, k), idx, e), nan: topKSawNaN }),
    firstIndex: (n, v) => firstIndexOf(w, 0, n, v),
    dotExpArg: (n, m, s) => dotExpArg(w, e, n, m, s),
    walkCdf: (n, target) => walkCdf(e, n, target),
    maskBelow: (src, n, bound) => maskBelow(w, src === "w" ? w : e, n, bound),
    maskExpsBelow: (n, bound) => maskExpsBelow(w, e, n, bound),
    sumExps: (n) => sumExps(e, n),
    sumFinite: (n) => ({ sum: sumFinite(w, n), count: finiteCount }),
    sumSquaredDeviations: (n, mean) => sumSquaredDeviations(w, n, mean),
  };
}

/**
 * The input to read from: the caller's Float32Array itself when that is safe (the same memory as
 * the output, or memory the output does not touch), otherwise a copy; half bits widened.
 */
function source(data: LogitsData, out: Float32Array | Int32Array): Float32Array {
  if (!(data instanceof Float32Array)) return widen(data); // the twin of the kernels' widening
  const x = data;
  if (x.buffer !== out.buffer || x.byteOffset === out.byteOffset) return x;
  const xEnd = x.byteOffset + x.byteLength, outEnd = out.byteOffset + out.byteLength;
  return xEnd <= out.byteOffset || outEnd <= x.byteOffset ? x : x.slice();
}
