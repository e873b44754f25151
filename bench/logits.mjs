// Built-in LLM-like logits for the benchmarks (synthetic, seeded).

/** Normal(0, 2.5) logits with 20 boosted tokens, from a fixed seed (mulberry32). */
export function llmLogits(n, seed = 0x5eed1234) {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 2.5 * Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  for (let k = 0; k < 20; k++) x[Math.floor(r() * n)] += 8 + 7 * r();
  return x;
}
