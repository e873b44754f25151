// The TypeScript twin of assembly/mask.ts.

/** w[i] = −Infinity wherever src[i] < bound (src may be w itself, or the row's exps). */
export function maskBelow(w: Float32Array, src: Float32Array, n: number, bound: number): void {
  for (let i = 0; i < n; i++) if (src[i] < bound) w[i] = -Infinity;
}

/** Set by moments: how many x[i] it added (the finite ones). */
export let finiteCount = 0;

/** Set by moments: Σ d² over the same terms. */
export let momentSquares = 0;

const slots = new Float64Array(16);

/**
 * Σ d and (into momentSquares) Σ d² over the finite x[i], d = x[i] − shift in float64: eight
 * slots i mod 8 per sum, combined by combine8 (assembly/mask.ts).
 */
export function moments(x: Float32Array, n: number, shift: number): number {
  slots.fill(0);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === -Infinity) continue;
    count++;
    const d = v - shift;
    slots[i & 7] += d;
    slots[8 + (i & 7)] += d * d;
  }
  finiteCount = count;
  momentSquares = combine8(slots, 8);
  return combine8(slots, 0);
}

/** Eight slots s[o..o+8) in the kernels' fixed pairwise tree (combine8 in assembly/mask.ts). */
export function combine8(s: ArrayLike<number>, o: number): number {
  return ((s[o] + s[o + 1]) + (s[o + 2] + s[o + 3])) + ((s[o + 4] + s[o + 5]) + (s[o + 6] + s[o + 7]));
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
  for (let b = 0; b < n; b += 64) total += blockSum(e, b, Math.min(64, n - b));
  return total;
}

/** One block's sum in the documented order (e[o..o+n), n ≤ 64), as blockSum in assembly/mask.ts. */
export function blockSum(e: Float32Array, o: number, n: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const p = o + j;
    a0 = fr(a0 + e[p]); a1 = fr(a1 + e[p + 1]); a2 = fr(a2 + e[p + 2]); a3 = fr(a3 + e[p + 3]);
    a4 = fr(a4 + e[p + 4]); a5 = fr(a5 + e[p + 5]); a6 = fr(a6 + e[p + 6]); a7 = fr(a7 + e[p + 7]);
  }
  const a = [a0, a1, a2, a3, a4, a5, a6, a7];
  for (let k = 0; j + k < n; k++) a[k] = fr(a[k] + e[o + j + k]);
  return fr(a[0] + a[4]) + fr(a[1] + a[5]) + (fr(a[2] + a[6]) + fr(a[3] + a[7]));
}
