// The "simd" and "wasm" backends: one instance of the kernels and the linear memory they work in.
// Where things live in that memory, and who may write where, is src/wasm/memory.ts; this file
// only places each call's data inside the scratch and moves data in and out.
//
// Each call's scratch, from its start (64-byte aligned blocks, rebuilt per call):
//   X      n floats: the logits, unless they already are in a wasmInput() region
//   MAXES  rows floats: each row's max (phase 1 of every kernel)
//   OUT    rows floats/ints: logSumExp and argmax results
//   WORK   cols floats: logSumExp's scratch row
//   Y      n floats: the result, when it can go neither in place nor straight into `out`
//   STAGE  n half-precision bits, when they are not in a caller region (widened into X by the
//          kernels' first pass, widen_rows, which also finds each row's max, so that the
//          kernel called next skips its own max pass: it is handed MAXES with the low bit set)
// The sampler's calls lay out the same scratch as W, E, IDX (V floats/ints each), then, for
// half-precision input, the widened rows and their staged bits. One row for W is left as bits
// (takeHalf): a top-k first reads them and widens its k into W, the rest of W on first use.

import { topKCap, type Backend, type BackendName, type RowKernels } from "../backend.js";
import { handOut } from "../api.js";
import { Status } from "../status.js";
import type { Dtype, HalfBits, LogitsData } from "../input.js";
import { instantiate, type Kernels } from "./load.js";
import { Arena, Regions, up as align } from "./memory.js";

/** Where an array is: in a wasmInput() region (by address), elsewhere in this memory, or not in it. */
type Place = { kind: "region"; ptr: number } | { kind: "foreign"; ptr: number } | { kind: "heap" };

export class WasmBackend implements Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  private readonly regions: Regions;
  private f32!: Float32Array;
  private i32!: Int32Array;
  private view: Float32Array | undefined;
  /** Where the last call's `out` lives, when that is in this memory (for resultView). */
  private outPtr = -1;

  constructor(module: WebAssembly.Module) {
    this.kernels = instantiate(module);
    this.name = this.kernels.has_simd() ? "simd" : "wasm";
    this.regions = new Regions(new Arena(this.kernels.memory, this.kernels.heap_base(), () => this.remap()));
    this.remap();
  }

  softmax(x: LogitsData, out: Float32Array, rows: number, cols: number, t: number): number {
    const at = this.load(x, rows, cols, out);
    if (at.status !== 0) return at.status;
    return this.finish(this.kernels.softmax(at.x, at.y, rows, cols, at.maxes, t), out, at.y, rows * cols);
  }

  logSoftmax(x: LogitsData, out: Float32Array, rows: number, cols: number, t: number): number {
    const at = this.load(x, rows, cols, out);
    if (at.status !== 0) return at.status;
    return this.finish(this.kernels.log_softmax(at.x, at.y, rows, cols, at.maxes, t), out, at.y, rows * cols);
  }

  logSumExp(x: LogitsData, out: Float32Array, rows: number, cols: number, t: number): number {
    const at = this.load(x, rows, cols);
    if (at.status !== 0) return at.status;
    const status = this.kernels.log_sum_exp(at.x, at.out, rows, cols, at.maxes, t, at.work);
    if (status === 0) out.set(this.f32.subarray(at.out >> 2, (at.out >> 2) + rows));
    return status;
  }

  argmax(x: LogitsData, out: Int32Array, rows: number, cols: number): number {
    const at = this.load(x, rows, cols);
    if (at.status !== 0) return at.status;
    const status = this.kernels.argmax(at.x, at.out, rows, cols, at.maxes);
    if (status === 0) out.set(this.i32.subarray(at.out >> 2, (at.out >> 2) + rows));
    return status;
  }

  errorAt(): number {
    return this.kernels.error_at();
  }

  resultView(out: Float32Array): Float32Array {
    // A view whose buffer is no longer the memory's was detached when this call grew it.
    if (this.outPtr < 0 || out.buffer === this.kernels.memory.buffer) return out;
    return new Float32Array(this.kernels.memory.buffer, this.outPtr, this.lastN);
  }

  /**
   * A wasmInput() buffer: a caller region of `length` floats, zeroed, with a scratch large enough
   * for every call on `length` floats made first, so that such calls never grow memory (which
   * would detach this view). The view has a `free()` method and `Symbol.dispose`.
   */
  input(length: number, dtype: Dtype = "float32"): Float32Array | Uint16Array {
    const n = length;
    const half = dtype === "float32" ? 0 : align(2 * n); // staging for half bits that are not here
    this.regions.scratch(Math.max(
      this.scratchBytes(n, n, 1, true, false) + half, this.scratchBytes(n, 1, n, true, false) + half, // input elsewhere
      this.scratchBytes(n, n, 1, false, true), this.scratchBytes(n, 1, n, false, true), // this buffer
      this.rowBytes(n) + (half ? align(4 * n) + half : 0), // the sampler (half: widened rows, staging)
    ));
    const region = this.regions.open((dtype === "float32" ? 4 : 2) * length);
    const buf = this.kernels.memory.buffer;
    const view = dtype === "float32" ? new Float32Array(buf, region.start, length) : new Uint16Array(buf, region.start, length);
    view.fill(0); // a freed region may have held another caller's data
    const free = () => this.regions.free(region);
    // refresh(): a live view of the same bytes: the view itself while memory has not grown, else a
    // new one (with the same free() and refresh()). Throws once the region is freed.
    const hand = (v: Float32Array | Uint16Array) => {
      const refresh = (): Float32Array | Uint16Array => {
        if (!region.live) throw new RangeError("wasmInput: this buffer was freed; call wasmInput() for a new one");
        const now = this.kernels.memory.buffer;
        if (v.buffer === now) return v;
        return hand(dtype === "float32" ? new Float32Array(now, region.start, length) : new Uint16Array(now, region.start, length));
      };
      handOut(v, free, refresh);
      this.regions.bind(v, region);
      return v;
    };
    return hand(view);
  }

  /** The sampler's row passes over W, E and IDX in the scratch. */
  rowKernels(): RowKernels {
    return (this.rows ??= this.makeRowKernels());
  }

  private rows: RowKernels | undefined;
  private lastN = 0;

  private makeRowKernels(): RowKernels {
    const k = this.kernels;
    let w = 0, e = 0, idx = 0;
    let views: { w: Float32Array; e: Float32Array; idx: Int32Array } | undefined;
    let pending: { src: number; dst: number; n: number; bf16: number } | undefined;
    return {
      prepare: (data, n, rereads = true) => {
        pending = undefined;
        if (!(data instanceof Float32Array)) {
          // Half bits are widened into the scratch, after the rows' buffers; one row straight
          // into W (saving the sampler a copy) unless the caller rereads the logits as given
          // after it has edited W (the drawn token's raw logprob: when they were W, penalties
          // changed that logprob).
          const h = this.placeHalf(data);
          const length = data.bits.length;
          const base = this.regions.scratch(this.rowBytes(n) + align(4 * length) + (h.ptr < 0 ? align(2 * length) : 0));
          const dst = length === n && !rereads ? base : base + this.rowBytes(n);
          const stage = base + this.rowBytes(n) + align(4 * length);
          if (dst === base) {
            // One row for W: left as bits for the sampler's first pass (takeHalf).
            pending = { src: this.stage(h, stage), dst, n, bf16: data.dtype === "float16" ? 0 : 1 };
          } else this.widen(data, h, stage, dst, length);
          return new Float32Array(k.memory.buffer, dst, length);
        }
        let x = data;
        const place = this.placeOf(x);
        const length = x.length;
        if (place.kind === "foreign") x = x.slice(); // before anything can move
        this.regions.scratch(this.rowBytes(n));
        // Growth detached a region's view: read the same bytes through a fresh one.
        return place.kind === "region" && x.buffer !== k.memory.buffer ? new Float32Array(k.memory.buffer, place.ptr, length) : x;
      },
      takeHalf: () => {
        const p = pending;
        pending = undefined;
        if (!p) return undefined;
        return {
          topK: this.name === "simd" ? (n, kk) => ({ count: k.top_k_half(p.src, n, kk, topKCap(n, kk), idx, e, w, p.bf16), nan: k.has_nan() !== 0 }) : undefined,
          fill: () => (p.bf16 ? k.bf16_to_f32 : k.f16_to_f32)(p.src, p.dst, p.n),
          fillMax: () => {
            // widen_rows validates as well; on Ok, E holds the row's max.
            const status = k.widen_rows(p.src, p.dst, 1, p.n, e, p.bf16);
            const max = status === Status.Ok ? this.f32[e >> 2] : status === Status.PositiveInfinity ? Infinity : -Infinity;
            return { max, nan: status === Status.NaN };
          },
        };
      },
      buffers: (n) => {
        w = this.regions.scratch(this.rowBytes(n));
        e = align(w + 4 * n);
        idx = align(e + 4 * n);
        const buf = k.memory.buffer;
        if (!views || views.w.length !== n || views.w.buffer !== buf || views.w.byteOffset !== w) {
          views = { w: new Float32Array(buf, w, n), e: new Float32Array(buf, e, n), idx: new Int32Array(buf, idx, n) };
        }
        return views;
      },
      rowMax: (n) => {
        const max = k.row_max(w, n);
        return { max, nan: k.has_nan() !== 0 };
      },
      // The sparse pass gives the same bits; below 2^-100 only exp_sum halves the row first.
      expSum: (n, m, s, sparse) => (sparse && s >= 2 ** -100 ? k.exp_sum_sparse(w, e, n, m, s) : k.exp_sum(w, e, n, m, s)),
      collect: (src, n, lo, hi, cap) => k.collect_range(src === "w" ? w : e, n, lo, hi, idx, cap),
      topK: (n, kk) => ({ count: k.top_k(w, n, kk, topKCap(n, kk), idx, e), nan: k.has_nan() !== 0 }),
      firstIndex: (n, v) => k.first_index(w, n, v),
      dotExpArg: (n, m, s) => k.dot_exp_arg(w, e, n, m, s),
      walkCdf: (n, target) => k.walk_cdf(e, n, target),
      maskBelow: (src, n, bound) => k.mask_below(w, src === "w" ? w : e, n, bound),
      maskExpsBelow: (n, bound) => k.mask_exps_below(w, e, n, bound),
      sumExps: (n) => k.sum_exps(e, n),
      moments: (n, shift) => ({ sum: k.moments_of(w, n, shift), squares: k.moment_squares(), count: k.finite_count() }),
    };
  }

  private rowBytes(n: number): number {
    return 3 * align(4 * n);
  }

  /** Scratch bytes for a call on rows × cols = n floats. */
  private scratchBytes(n: number, rows: number, cols: number, copyX: boolean, separateY: boolean): number {
    return (copyX ? align(4 * n) : 0) + 2 * align(4 * rows) + align(4 * cols) + (separateY ? align(4 * n) : 0);
  }

  /**
   * Where half bits are read from: a caller region's address (ptr ≥ 0), or a copy to stage into
   * the scratch (ptr = −1; a foreign view is copied out now, before anything can move).
   */
  private placeHalf(h: HalfBits): { ptr: number; bits: Uint16Array } {
    const place = this.placeOf(h.bits);
    if (place.kind === "region") return { ptr: place.ptr, bits: h.bits };
    return { ptr: -1, bits: place.kind === "foreign" ? h.bits.slice() : h.bits };
  }

  /** Where the bits are read from: their region, or `stage` after copying them there. */
  private stage(at: { ptr: number; bits: Uint16Array }, stage: number): number {
    if (at.ptr >= 0) return at.ptr;
    new Uint16Array(this.kernels.memory.buffer, stage, at.bits.length).set(at.bits);
    return stage;
  }

  /** Widens n half values into float32 at dst, staging the bits at `stage` first unless they are in a region. */
  private widen(h: HalfBits, at: { ptr: number; bits: Uint16Array }, stage: number, dst: number, n: number): void {
    const src = this.stage(at, stage);
    if (h.dtype === "float16") this.kernels.f16_to_f32(src, dst, n);
    else this.kernels.bf16_to_f32(src, dst, n);
  }

  private placeOf(a: Float32Array | Int32Array | Uint16Array): Place {
    if (a.buffer !== this.kernels.memory.buffer) return { kind: "heap" };
    const ptr = a.byteOffset;
    return this.regions.inRegion(ptr, ptr + a.byteLength) ? { kind: "region", ptr } : { kind: "foreign", ptr };
  }

  /**
   * The regions of the current call; one object, refilled per call, so calls allocate nothing.
   * `status` is that of the half-precision first pass (0 for float32 input).
   */
  private readonly at = { x: 0, maxes: 0, out: 0, work: 0, y: 0, status: 0 };

  /**
   * Places the call: reads a foreign view out before anything can move, makes room (which may
   * grow memory), then copies the logits into X unless they are in a caller region. The result
   * goes in place when the logits were copied (X is ours), straight into `out` when `out` is a
   * caller region that is the input itself or does not overlap it, and into Y otherwise.
   * Half bits are widened into X by the kernels' first pass (widen_rows), which validates the rows
   * and stores their maxima: then `maxes` carries the low bit that tells the kernel so, and
   * `status` is that pass's (the caller returns it when it is not 0, before calling the kernel).
   */
  private load(data: LogitsData, rows: number, cols: number, out?: Float32Array) {
    const n = rows * cols;
    const at = this.at;
    if (this.f32.buffer !== this.kernels.memory.buffer) this.remap(); // grown by another owner of the Memory
    // Half bits: widened by the kernels into X, so X is ours as for copied logits.
    const half = data instanceof Float32Array ? undefined : { h: data, at: this.placeHalf(data) };
    let x = data instanceof Float32Array ? data : new Float32Array(0);
    const xp: Place = half ? { kind: "heap" } : this.placeOf(x);
    if (xp.kind === "foreign") x = x.slice();
    const op = out ? this.placeOf(out) : undefined;
    this.outPtr = op && op.kind !== "heap" ? op.ptr : -1;
    this.lastN = n;
    const copyX = xp.kind !== "region";
    let direct = false; // the kernel writes straight into out
    if (op?.kind === "region") {
      if (copyX) direct = true;
      else {
        const xs = (xp as { ptr: number }).ptr, os = op.ptr, bytes = 4 * n;
        direct = xs === os || os + bytes <= xs || xs + bytes <= os;
      }
    }
    const separateY = out !== undefined && !copyX && !direct;
    const stageBytes = half && half.at.ptr < 0 ? align(2 * n) : 0;
    const base = this.regions.scratch(this.scratchBytes(n, rows, cols, copyX, separateY) + stageBytes);
    let p = base;
    at.x = copyX ? p : (xp as { ptr: number }).ptr;
    if (copyX) p += align(4 * n);
    at.maxes = p;
    p += align(4 * rows);
    at.out = p;
    p += align(4 * rows);
    at.work = p;
    p += align(4 * cols);
    at.y = direct ? (op as { ptr: number }).ptr : separateY ? p : at.x;
    if (separateY) p += align(4 * n);
    at.status = 0;
    if (half) {
      const src = this.stage(half.at, p);
      at.status = this.kernels.widen_rows(src, at.x, rows, cols, at.maxes, half.h.dtype === "float16" ? 0 : 1);
      at.maxes |= 1;
    } else if (copyX) this.f32.set(x, at.x >> 2);
    return at;
  }

  /** After a kernel: on success, the result into `out` unless the kernel wrote it there. */
  private finish(status: number, out: Float32Array, y: number, n: number): number {
    if (status !== 0 || y === this.outPtr) return status;
    const result = this.viewOf(y, n);
    // A view of this memory taken before the call is detached if the call grew it: write through
    // a fresh view at the same address (TypedArray.set copies correctly even when they overlap).
    const target = this.outPtr >= 0 ? new Float32Array(this.kernels.memory.buffer, this.outPtr, n) : out;
    target.set(result);
    return status;
  }

  /** A view of n floats at p, cached so that a steady stream of same-sized calls allocates nothing. */
  private viewOf(p: number, n: number): Float32Array {
    const v = this.view;
    if (v === undefined || v.length !== n || v.byteOffset !== p || v.buffer !== this.kernels.memory.buffer) {
      this.view = new Float32Array(this.kernels.memory.buffer, p, n);
    }
    return this.view!;
  }

  private remap(): void {
    this.f32 = new Float32Array(this.kernels.memory.buffer);
    this.i32 = new Int32Array(this.kernels.memory.buffer);
    this.view = undefined;
  }
}
