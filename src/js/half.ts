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

/** dst[i] = the float32 value of the float16 bits src[i]. */
export function f16ToF32(src: Uint16Array, dst: Float32Array): void {
  if (!table) {
    table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = f16Bits(h);
  }
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
}

/** dst[i] = the float32 value of the bfloat16 bits src[i]: the upper half of a float32. */
export function bf16ToF32(src: Uint16Array, dst: Float32Array): void {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
}
