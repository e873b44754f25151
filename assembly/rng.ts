// xoshiro128** (Blackman & Vigna), 32-bit integer arithmetic only, so WASM and the TypeScript twin
// (src/js/rng.ts) produce the same stream on every engine. The state is four u32 words at `state`
// in linear memory, owned by the caller; seeding happens once, on the TypeScript side.

// @ts-ignore: decorator
@inline
function rotl(x: u32, k: u32): u32 {
  return (x << k) | (x >>> (32 - k));
}

/** Advances the generator and returns the next 32-bit output. */
export function next32(state: usize): u32 {
  let s0 = load<u32>(state, 0), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const result = rotl(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  store<u32>(state, s0, 0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
  return result;
}

/** A uniform double in [0, 1) with 53 random bits, from two outputs: (a >>> 5)·2^26 + (b >>> 6), over 2^53. */
export function nextUniform(state: usize): f64 {
  const a = next32(state) >>> 5, b = next32(state) >>> 6;
  return (<f64>a * 67108864.0 + <f64>b) * (1.0 / 9007199254740992.0);
}
