// The memory model of the WASM backends: who owns which bytes of linear memory, and when a
// JavaScript view of them goes stale. This file is the only place that places anything.
//
//   [0, heap_base)   the module's static data: its constants (written by nobody), and four
//                    scratches that the kernels own, dead between calls: 256 bytes
//                    (assembly/reduce.ts) for the staged tail of a row and the exps of sum-only
//                    passes, 48 bytes (assembly/half.ts) for the staged tail of a
//                    half-precision row being widened, 128 bytes (SLOTS, assembly/mask.ts)
//                    for top-n-σ's sixteen float64 slots (both builds), and 32
//                    bytes (BLOCK_SUMS, assembly/mask.ts) for four block sums at a time.
//   above heap_base  blocks handed out by one first-fit allocator (Arena below), of two kinds:
//
//   caller regions   one per wasmInput() buffer. Owned by the caller from wasmInput() until
//                    free()/dispose, or until the returned view is garbage-collected (a
//                    FinalizationRegistry backstop). Nothing writes into a caller region except
//                    a call that was handed a view into it as `out` (which asked for it). No
//                    other call, sampler, or later wasmInput() ever gets those bytes while the
//                    region lives.
//   scratch          one block for the call in progress: its input copy (or half-precision bits
//                    staged and widened), row maxima, results, the sampler's working rows. Its
//                    contents mean nothing between calls. It is replaced by a larger block when a
//                    call needs more (the old one is freed). src/wasm/backend.ts lays it out.
//
// Any other view into this memory (a view the caller built over `buffer` by hand, or one into a
// freed region) is foreign: calls treat it as an ordinary Float32Array, copying it out first.
//
// Views go stale when memory grows, which detaches every view of the old ArrayBuffer (length 0).
// Memory grows only when the allocator has no free block large enough: a wasmInput() call, or
// a call on an input larger than the scratch has room for. wasmInput(n) makes the scratch large
// enough for every call on n floats first, so that calls on its buffer never grow memory. The
// bytes of a caller region survive growth; only the JavaScript view object goes stale.

const PAGE = 65536;
/** Every block starts on a 64-byte boundary (a cache line; four v128 lanes). */
export const ALIGN = 64;
/** n rounded up to a multiple of ALIGN. */
export const up = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** A first-fit allocator over [base, memory end), with coalescing frees and growth on demand. */
export class Arena {
  /** Free blocks [start, end), sorted by start, never adjacent (coalesced). */
  private free: { start: number; end: number }[] = [];
  /** Live blocks: start → size in bytes. */
  private readonly live = new Map<number, number>();

  constructor(private readonly memory: WebAssembly.Memory, base: number, private readonly onGrow: () => void) {
    const start = up(base);
    const end = memory.buffer.byteLength;
    if (end > start) this.free.push({ start, end });
  }

  /** Reserves `bytes` (rounded up to 64) and returns the block's start. May grow memory. */
  alloc(bytes: number): number {
    const size = up(Math.max(bytes, 1));
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      if (f.end - f.start >= size) {
        const start = f.start;
        f.start += size;
        if (f.start === f.end) this.free.splice(i, 1);
        this.live.set(start, size);
        return start;
      }
    }
    this.grow(size);
    return this.alloc(bytes);
  }

  /** Returns a block to the free list; a start that is not live is ignored (double free). */
  release(start: number): void {
    const size = this.live.get(start);
    if (size === undefined) return;
    this.live.delete(start);
    this.insertFree(start, start + size);
  }

  /** Bytes of the live block at `start`, or 0. */
  sizeOf(start: number): number {
    return this.live.get(start) ?? 0;
  }

  /** Grows memory so that the top free block (extended to the new end) holds `size` bytes. */
  private grow(size: number): void {
    const have = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tail = last && last.end === have ? have - last.start : 0;
    const pages = Math.ceil((size - tail) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new RangeError(
        `softmax-wasm: this needs ${size} more bytes of WebAssembly memory and the engine refused to grow it ` +
          `from ${have} bytes; split the input into smaller calls, free wasmInput() buffers, or use the js backend`,
      );
    }
    this.insertFree(have, this.memory.buffer.byteLength);
    this.onGrow();
  }

  private insertFree(start: number, end: number): void {
    const list = this.free;
    let i = 0;
    while (i < list.length && list[i].start < start) i++;
    list.splice(i, 0, { start, end });
    // Coalesce with the neighbours.
    if (i + 1 < list.length && list[i].end === list[i + 1].start) {
      list[i].end = list[i + 1].end;
      list.splice(i + 1, 1);
    }
    if (i > 0 && list[i - 1].end === list[i].start) {
      list[i - 1].end = list[i].end;
      list.splice(i, 1);
    }
  }
}

/** A caller region: the bytes of one wasmInput() buffer. */
export interface Region {
  start: number;
  bytes: number;
  live: boolean;
  /** How many view objects of it the caller holds (refresh() makes more). */
  views?: number;
}

/**
 * The caller regions and the scratch, over one Arena. Regions are found by address, so a
 * subarray of a wasmInput() buffer is recognised as lying in its region.
 */
export class Regions {
  private readonly list: Region[] = [];
  private scratchStart = 0;
  private scratchBytes = 0;
  private readonly registry =
    typeof FinalizationRegistry === "function"
      ? new FinalizationRegistry<Region>((r) => {
          r.views = (r.views ?? 1) - 1;
          if (r.views === 0) this.free(r);
        })
      : undefined;

  constructor(private readonly arena: Arena) {}

  /** A new caller region of `bytes`, tied to `view` (freed when `view` is collected, at the latest). */
  open(bytes: number): Region {
    const start = this.arena.alloc(bytes);
    const region = { start, bytes, live: true };
    this.list.push(region);
    return region;
  }

  /**
   * Ties a region to a view object handed to the caller. The region is freed when every such
   * view has been collected (a FinalizationRegistry backstop), or by free().
   */
  bind(view: object, region: Region): void {
    region.views = (region.views ?? 0) + 1;
    this.registry?.register(view, region, view);
  }

  free(region: Region): void {
    if (!region.live) return;
    region.live = false;
    this.list.splice(this.list.indexOf(region), 1);
    this.arena.release(region.start);
  }

  /** Whether the byte range [start, end) lies inside one live caller region. */
  inRegion(start: number, end: number): boolean {
    for (const r of this.list) if (start >= r.start && end <= r.start + r.bytes) return true;
    return false;
  }

  /** The scratch's start, after making it at least `bytes` long (this may grow memory). */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      if (this.scratchBytes > 0) this.arena.release(this.scratchStart);
      this.scratchBytes = 0;
      this.scratchStart = this.arena.alloc(bytes);
      this.scratchBytes = this.arena.sizeOf(this.scratchStart);
    }
    return this.scratchStart;
  }
}
