// The TypeScript twin of assembly/mask.ts.

/** w[i] = −Infinity wherever src[i] < bound (src may be w itself, or the row's exps). */
export function maskBelow(w: Float32Array, src: Float32Array, n: number, bound: number): void {
  for (let i = 0; i < n; i++) if (src[i] < bound) w[i] = -Infinity;
}

/** Σ x[i] over the finite x[i], four float64 slots i mod 4 combined as (s0 + s1) + (s2 + s3). */
export function sumFinite(x: Float32Array, n: number): number {
  return sums(x, n, 0, false);
}

/** Σ (x[i] − mean)² over the finite x[i], in the same order as sumFinite. */
export function sumSquaredDeviations(x: Float32Array, n: number, mean: number): number {
  return sums(x, n, mean, true);
}

function sums(x: Float32Array, n: number, mean: number, square: boolean): number {
  const s = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === -Infinity) continue;
    s[i & 3] += square ? (v - mean) * (v - mean) : v;
  }
  return s[0] + s[1] + (s[2] + s[3]);
}

const fr = Math.fround;

/** w[i] = −Infinity and e[i] = 0 wherever e[i] < bound (see assembly/mask.ts). */
export function maskExpsBelow(w: Float32Array, e: Float32Array, n: number, bound: number): void {
  for (let i = 0; i < n; i++) {
    if (e[i] < bound) {
      w[i] = -Infinity;
      e[i] = 0;
    }
  }
}

/** Σ e[i] in the exp pass's documented order (see sumExps in assembly/mask.ts). */
export function sumExps(e: Float32Array, n: number): number {
  let total = 0;
  for (let b = 0; b < n; b += 64) {
    const a = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 64 && b + j < n; j++) a[j & 7] = fr(a[j & 7] + e[b + j]);
    total += fr(a[0] + a[4]) + fr(a[1] + a[5]) + (fr(a[2] + a[6]) + fr(a[3] + a[7]));
  }
  return total;
}
