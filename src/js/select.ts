// The TypeScript twin of assembly/select.ts: which element is the largest (ties to the lowest
// index), the first invalid logit, and the sampler's candidate filter.

/** Lowest i with x[o + i] == v, or −1 (−0 and +0 are equal here, as everywhere in IEEE). */
export function firstIndexOf(x: Float32Array, o: number, n: number, v: number): number {
  for (let i = 0; i < n; i++) if (x[o + i] === v) return i;
  return -1;
}

/** First index of an invalid logit (NaN or +Infinity) in x[o..o+n), or −1. Slow path for errors. */
export function firstInvalid(x: Float32Array, o: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const v = x[o + i];
    if (v !== v || v === Infinity) return i;
  }
  return -1;
}

/** Indices (ascending) of lo ≤ x[i] ≤ hi into idx, at most cap written; returns the full count. */
export function collectRange(x: Float32Array, n: number, lo: number, hi: number, idx: Int32Array, cap: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v >= lo && v <= hi) {
      if (count < cap) idx[count] = i;
      count++;
    }
  }
  return count;
}
