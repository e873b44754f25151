// DRY, "don't repeat yourself" (koboldcpp, then llama.cpp): a token that would continue a repeat
// of the history's tail is penalised, exponentially in the repeat's length. Computed once per call
// from the history, in O(history) with a Z-function, so a 100,000-token history costs one pass.

import type { Resolved } from "./options.js";

const F32_MAX = 3.4028234663852886e38;

/**
 * The DRY penalty of each token that would extend a repeat: for every earlier position j in the
 * last `dryLastN` tokens whose run h[j−L+1..j] equals the tail h[n−L..n−1] with L ≥ allowedLength,
 * the token h[j+1] gets multiplier · base^(L − allowedLength), the largest L winning. A repeat
 * never spans a breaker, so L is capped by the tail's run since its last breaker. Penalties
 * beyond the float32 range clamp to it.
 */
export function dryPenalties(history: ArrayLike<number>, o: Resolved): Map<number, number> {
  const penalties = new Map<number, number>();
  const total = history.length;
  const n = o.dryLastN > 0 ? Math.min(o.dryLastN, total) : total;
  if (n < 2) return penalties;
  const start = total - n;
  // rev[i] = h[n − 1 − i]: a common prefix of rev and rev[i..] is a common suffix of the whole
  // window and of the window cut to end at j = n − 1 − i.
  if (revScratch.length < n) {
    revScratch = new Float64Array(n);
    zScratch = new Int32Array(n);
  }
  const rev = revScratch;
  for (let i = 0; i < n; i++) rev[i] = history[start + n - 1 - i];
  // Tokens at the tail before the last breaker. With no breakers that is the whole window, and
  // asking the empty Set about each token first cost 28–40 µs for 4,096 tokens (V8 hashes each
  // float64 key): most of a step's DRY time.
  let limit = o.dryBreakers.size === 0 ? n : 0;
  while (limit < n && !o.dryBreakers.has(rev[limit])) limit++;
  if (limit < o.dryAllowedLength) return penalties;

  const z = zInto(rev, n, zScratch);
  // The longest repeat each token would extend, in a scratch array by token id (a Map per
  // position was most of this function's time), read back for the tokens met, in that order.
  const tokens: number[] = [];
  for (let j = 0; j + 1 < n; j++) {
    const length = Math.min(z[n - 1 - j], limit);
    if (length < o.dryAllowedLength) continue;
    const next = history[start + j + 1];
    if (next >= longest.length) longest = grow(longest, next + 1);
    if (length > longest[next]) {
      if (longest[next] === 0) tokens.push(next);
      longest[next] = length;
    }
  }
  for (const token of tokens) {
    const p = o.dryMultiplier * Math.pow(o.dryBase, longest[token] - o.dryAllowedLength);
    penalties.set(token, Math.min(p, F32_MAX));
    longest[token] = 0;
  }
  return penalties;
}

let longest = new Int32Array(0);

const grow = (a: Int32Array, n: number) => {
  const b = new Int32Array(Math.max(n, 2 * a.length));
  b.set(a);
  return b;
};

// The reversed window and its Z-array, reused from call to call: allocating them (32 and 16 KB
// for a 4,096-token history, off-heap and zeroed) was a third of this function's time.
let revScratch = new Float64Array(0);
let zScratch = new Int32Array(0);

/** z[i] = the length of the longest common prefix of a and a[i..] (z[0] = a.length), in O(n). */
export function zFunction(a: ArrayLike<number>): Int32Array {
  return zInto(a, a.length, new Int32Array(a.length));
}

/** zFunction over a[0..n), into z[0..n). */
function zInto(a: ArrayLike<number>, n: number, z: Int32Array): Int32Array {
  if (n === 0) return z;
  z[0] = n;
  let l = 0, r = 0; // [l, r) is the rightmost segment known to match a prefix
  for (let i = 1; i < n; i++) {
    let k = i < r ? Math.min(r - i, z[i - l]) : 0;
    while (i + k < n && a[k] === a[i + k]) k++;
    z[i] = k;
    if (i + k > r) {
      l = i;
      r = i + k;
    }
  }
  return z;
}
