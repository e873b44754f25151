// The "simd" and "wasm" backends: one instance of the kernels and the linear memory they work in.
//
// Memory layout, from heap_base (rebuilt on every call, so nothing is allocated per call):
//   X      n = rows·cols floats, 64-byte aligned: the logits, normally computed in place
//   MAXES  rows floats: each row's max (phase 1 of every kernel)
//   OUT    rows floats/ints: logSumExp and argmax results
//   WORK   cols floats: logSumExp's scratch row
//   Y      n floats: the result, only when the logits are the zero-copy input and must survive
// X sits at a fixed address, which is what makes the zero-copy path possible: a Float32Array
// over X (wasmInput) is recognised and neither copied in nor out.

import type { Backend, BackendName, Logits, RowKernels } from "../backend.js";
import { instantiate, type Kernels } from "./load.js";

const PAGE = 65536;
const align = (p: number, a: number) => Math.ceil(p / a) * a;

export class WasmBackend implements Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  private readonly x: number;
  private f32!: Float32Array;
  private i32!: Int32Array;
  private view: Float32Array | undefined;

  constructor(module: WebAssembly.Module) {
    this.kernels = instantiate(module);
    this.name = this.kernels.has_simd() ? "simd" : "wasm";
    this.x = align(this.kernels.heap_base(), 64);
    this.remap();
  }

  softmax(x: Logits, out: Float32Array, rows: number, cols: number, t: number): number {
    const at = this.load(x, rows, cols, out);
    const status = this.kernels.softmax(this.x, at.y, rows, cols, at.maxes, t);
    if (status === 0) this.store(out, at.y, rows * cols);
    return status;
  }

  logSoftmax(x: Logits, out: Float32Array, rows: number, cols: number, t: number): number {
    const at = this.load(x, rows, cols, out);
    const status = this.kernels.log_softmax(this.x, at.y, rows, cols, at.maxes, t);
    if (status === 0) this.store(out, at.y, rows * cols);
    return status;
  }

  logSumExp(x: Logits, out: Float32Array, rows: number, cols: number, t: number): number {
    const at = this.load(x, rows, cols);
    const status = this.kernels.log_sum_exp(this.x, at.out, rows, cols, at.maxes, t, at.work);
    if (status === 0) out.set(this.f32.subarray(at.out >> 2, (at.out >> 2) + rows));
    return status;
  }

  argmax(x: Logits, out: Int32Array, rows: number, cols: number): number {
    const at = this.load(x, rows, cols);
    const status = this.kernels.argmax(this.x, at.out, rows, cols, at.maxes);
    if (status === 0) out.set(this.i32.subarray(at.out >> 2, (at.out >> 2) + rows));
    return status;
  }

  errorAt(): number {
    return this.kernels.error_at();
  }

  /** The sampler's row passes over W = X, E and IDX laid out one after the other from X. */
  rowKernels(): RowKernels {
    return (this.rows ??= this.makeRowKernels());
  }

  private rows: RowKernels | undefined;

  private makeRowKernels(): RowKernels {
    const k = this.kernels;
    let w = 0, e = 0, idx = 0;
    let views: { w: Float32Array; e: Float32Array; idx: Int32Array } | undefined;
    return {
      buffers: (n) => {
        w = this.x;
        e = align(w + 4 * n, 16);
        idx = align(e + 4 * n, 16);
        this.reserve(idx + 4 * n);
        const buf = k.memory.buffer;
        if (!views || views.w.length !== n || views.w.buffer !== buf) {
          views = { w: new Float32Array(buf, w, n), e: new Float32Array(buf, e, n), idx: new Int32Array(buf, idx, n) };
        }
        return views;
      },
      rowMax: (n) => {
        const max = k.row_max(w, n);
        return { max, nan: k.has_nan() !== 0 };
      },
      expSum: (n, m, s) => k.exp_sum(w, e, n, m, s),
      collect: (src, n, lo, hi, cap) => k.collect_range(src === "w" ? w : e, n, lo, hi, idx, cap),
      firstIndex: (n, v) => k.first_index(w, n, v),
      dotExpArg: (n, m, s) => k.dot_exp_arg(w, e, n, m, s),
      walkCdf: (n, target) => k.walk_cdf(e, n, target),
    };
  }

  /**
   * A Float32Array of `length` floats over X, valid until the memory grows (a later call with a
   * larger input); reserves room for any rows/cols split of that length.
   */
  input(length: number): Float32Array {
    this.reserve(this.layout(length, length, 1).end);
    return this.viewOf(this.x, length);
  }

  /** Whether `a` is the zero-copy view over X (or any view starting at X). */
  private isInput(a: Logits | Int32Array): boolean {
    return ArrayBuffer.isView(a) && a.buffer === this.kernels.memory.buffer && a.byteOffset === this.x;
  }

  /** The regions of the current call; one object, refilled per call, so calls allocate nothing. */
  private readonly at = { maxes: 0, out: 0, work: 0, y: 0, end: 0 };

  private layout(n: number, rows: number, cols: number) {
    const at = this.at;
    at.maxes = align(this.x + 4 * n, 16);
    at.out = align(at.maxes + 4 * rows, 16);
    at.work = align(at.out + 4 * rows, 16);
    at.y = align(at.work + 4 * cols, 16);
    at.end = at.y + 4 * n;
    return at;
  }

  /**
   * Makes room, then copies the logits to X (converting to f32) unless they already are there.
   * The result goes to X too, except when X is the caller's zero-copy input and `out` is not it.
   */
  private load(x: Logits, rows: number, cols: number, out?: Float32Array) {
    const at = this.layout(rows * cols, rows, cols);
    const zeroCopy = this.isInput(x);
    if (!zeroCopy || (out && this.isInput(out))) at.y = this.x;
    // Any other view into this memory would be detached by a growth below: read it out first.
    if (!zeroCopy && ArrayBuffer.isView(x) && x.buffer === this.kernels.memory.buffer) x = x.slice();
    this.reserve(at.end);
    if (!zeroCopy) this.f32.set(x, this.x >> 2);
    return at;
  }

  private store(out: Float32Array, y: number, n: number): void {
    if (!(this.isInput(out) && y === this.x)) out.set(this.viewOf(y, n));
  }

  /** A view of n floats at p, cached so that a steady stream of same-sized calls allocates nothing. */
  private viewOf(p: number, n: number): Float32Array {
    const v = this.view;
    if (v === undefined || v.length !== n || v.byteOffset !== p || v.buffer !== this.kernels.memory.buffer) {
      this.view = new Float32Array(this.kernels.memory.buffer, p, n);
    }
    return this.view!;
  }

  private reserve(bytes: number): void {
    const have = this.kernels.memory.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    try {
      this.kernels.memory.grow(pages);
    } catch {
      throw new RangeError(
        `softmax-wasm: this input needs ${bytes} bytes of WebAssembly memory and the engine refused to grow it ` +
          `from ${have} bytes; split it into smaller calls or use the js backend`,
      );
    }
    this.remap();
  }

  private remap(): void {
    this.f32 = new Float32Array(this.kernels.memory.buffer);
    this.i32 = new Int32Array(this.kernels.memory.buffer);
    this.view = undefined;
  }
}
