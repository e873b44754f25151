// The TypeScript twin of assembly/rng.ts (xoshiro128**), plus seeding.
//
// Seeding (here only; WASM receives the state): a seed is an integer in [0, 2^53). With lo and hi
// its low and high 32-bit halves, SplitMix32 starts from x = lo XOR rotl(hi, 16) and its first
// four outputs are the state words (an all-zero state, which xoshiro cannot leave, becomes
// [1, 0, 0, 0]). Tests pin the first outputs for several seeds.

/** Four u32 words of xoshiro128** state. */
export type RngState = Uint32Array;

function splitmix32(x: number): [number, number] {
  x = (x + 0x9e3779b9) >>> 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [x, (z ^ (z >>> 16)) >>> 0];
}

/** The state for `seed`, an integer in [0, 2^53). Never all-zero. */
export function seedState(seed: number): RngState {
  const lo = seed >>> 0, hi = Math.floor(seed / 4294967296) >>> 0;
  let x = (lo ^ ((hi << 16) | (hi >>> 16))) >>> 0;
  const s = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    const [nx, z] = splitmix32(x);
    x = nx;
    s[k] = z;
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** Advances `s` and returns the next 32-bit output, as next32 in assembly/rng.ts. */
export function next32(s: RngState): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
  const t = (s[1] << 9) >>> 0;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

/** A uniform double in [0, 1) with 53 random bits, as nextUniform in assembly/rng.ts. */
export function nextUniform(s: RngState): number {
  const a = next32(s) >>> 5, b = next32(s) >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

// xoshiro128**'s jump polynomial (from its authors' reference code): 2^64 steps in one go.
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];

/**
 * A second stream of the same seed: the state 2^64 outputs ahead of `s` (xoshiro128**'s jump),
 * so that it never overlaps the first in any realistic run. XTC's coin comes from it.
 */
export function jumped(s: RngState): RngState {
  const walk = s.slice();
  const out = new Uint32Array(4);
  for (const word of JUMP) {
    for (let b = 0; b < 32; b++) {
      if ((word >>> b) & 1) for (let k = 0; k < 4; k++) out[k] ^= walk[k];
      next32(walk);
    }
  }
  return out;
}
