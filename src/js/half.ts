// The TypeScript twin of assembly/half.ts: float16 and bfloat16 bits widened to float32 exactly.
// Written through a Uint32Array view, so NaN payloads reach the float32 row unchanged, as in WASM.

const REBIAS_BITS = 112 << 23; // the exponent bias 127 − 15, in float32 position
const SUBNORMAL_UNIT = 5.960464477539063e-8; // 2^-24
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 bits of the float16 bits h (the formula of f16Bits in assembly/half.ts). */
export function f16Bits(h: number): number {
  const m = h & 0x7fff;
  const s = (h & 0x8000) << 16;
  const e = h & 0x7c00;
  if (e === 0x7c00) return (s | 0x7f800000 | (m << 13)) >>> 0;
  if (e === 0) {
    f32[0] = (h & 0x3ff) * SUBNORMAL_UNIT; // exact: an integer below 2^10 times 2^-24
    return (s | u32[0]) >>> 0;
  }
  return (s | ((m << 13) + REBIAS_BITS)) >>> 0;
}

let table: Uint32Array | undefined; // all 65,536 float16 values, built on first use (256 KB)

function f16Table(): Uint32Array {
  if (!table) {
    table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = f16Bits(h);
  }
  return table;
}

/** dst[i] = the float32 value of the float16 bits src[i]. */
export function f16ToF32(src: Uint16Array, dst: Float32Array): void {
  const t = f16Table();
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
}

// The fused first pass (f16RowMax, bf16RowMax in assembly/half.ts): the max is found on the bits'
// order keys, a for a ≥ 0 and −1 − a for a negative value with magnitude bits a, which order as
// the values do (−0 just below +0, pinned to +0 at the end); a NaN by the largest magnitude.

/** The float32 bits of the value whose order key is k (the inverse of the key). */
function unkey(k: number): number {
  return k >= 0 ? k : (-1 - k) | 0x8000;
}

/**
 * out[o + i] = the float32 bits of the float16 bits src[so + i], i < n (out: a Uint32Array view);
 * returns their max (−Infinity for n = 0, ±0 as +0), or NaN if one is NaN.
 */
export function f16RowMax(src: Uint16Array, so: number, out: Uint32Array, o: number, n: number): number {
  const t = f16Table();
  let kmax = -1 - 0x7c00, amax = 0;
  for (let i = 0; i < n; i++) {
    const h = src[so + i];
    out[o + i] = t[h];
    const a = h & 0x7fff, k = a ^ -(h >> 15); // −1 − a for a negative value: no branch on the sign
    if (k > kmax) kmax = k;
    if (a > amax) amax = a;
  }
  if (amax > 0x7c00) return NaN;
  u32[0] = t[unkey(kmax)];
  return f32[0] === 0 ? 0 : f32[0];
}

/** As f16RowMax, for bfloat16 bits. */
export function bf16RowMax(src: Uint16Array, so: number, out: Uint32Array, o: number, n: number): number {
  let kmax = -1 - 0x7f80, amax = 0;
  for (let i = 0; i < n; i++) {
    const h = src[so + i];
    out[o + i] = h << 16;
    const a = h & 0x7fff, k = a ^ -(h >> 15); // −1 − a for a negative value: no branch on the sign
    if (k > kmax) kmax = k;
    if (a > amax) amax = a;
  }
  if (amax > 0x7f80) return NaN;
  u32[0] = unkey(kmax) << 16;
  return f32[0] === 0 ? 0 : f32[0];
}

/** dst[i] = the float32 value of the bfloat16 bits src[i]: the upper half of a float32. */
export function bf16ToF32(src: Uint16Array, dst: Float32Array): void {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
}
