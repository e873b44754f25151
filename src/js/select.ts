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

/**
 * Set by topK: whether the row held a NaN. (The kernel sets reduce's sawNaN; an ES module cannot
 * assign a binding it imports, so the twin keeps this flag here.)
 */
export let topKSawNaN = false;

/**
 * The k largest of x[0..n) (ties to the lowest ids) as ascending ids in idx; returns how many (k,
 * or fewer when fewer entries exceed −Infinity). One pass with a rising threshold: entries above it
 * are appended (ids to idx, values to tmp) and cut back to the k best whenever idx holds cap ids.
 * tmp is scratch of 2·cap floats, cap > k.
 */
export function topK(x: Float32Array, n: number, k: number, cap: number, idx: Int32Array, tmp: Float32Array): number {
  let tau = -Infinity;
  let count = 0;
  let nan = false;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) nan = true;
    else if (v > tau) {
      idx[count] = i;
      tmp[count] = v;
      if (++count === cap) {
        tau = cutToBest(idx, tmp, count, k, cap);
        count = k;
      }
    }
  }
  topKSawNaN = nan;
  if (count > k) {
    cutToBest(idx, tmp, count, k, count);
    count = k;
  }
  return count;
}

/**
 * Keeps the k best of the count > k ascending ids in idx, values in tmp (ties to lower ids),
 * ascending; returns the k-th best value. tmp[off..off+count) is the quickselect's scratch.
 */
function cutToBest(idx: Int32Array, tmp: Float32Array, count: number, k: number, off: number): number {
  tmp.copyWithin(off, 0, count);
  const t = kthLargest(tmp.subarray(off, off + count), count, k);
  let above = 0;
  for (let j = 0; j < count; j++) if (tmp[j] > t) above++;
  let ties = k - above;
  let out = 0;
  for (let j = 0; j < count; j++) {
    const v = tmp[j];
    if (v > t || (v === t && ties-- > 0)) {
      idx[out] = idx[j];
      tmp[out] = v;
      out++;
    }
  }
  return t;
}

/**
 * The k-th largest of a[0..n) (1 ≤ k ≤ n, no NaN), by quickselect with a median-of-three pivot and
 * the kernel's branch-free partitions (> pivot, then = pivot); reorders a.
 */
function kthLargest(a: Float32Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  const want = k - 1;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    const a0 = a[lo], a1 = a[mid], a2 = a[hi];
    const pivot = Math.max(Math.min(a0, a1), Math.min(Math.max(a0, a1), a2));
    let i = lo;
    for (let j = lo; j <= hi; j++) {
      const x = a[j];
      a[j] = a[i];
      a[i] = x;
      i += x > pivot ? 1 : 0;
    }
    if (want < i) {
      hi = i - 1;
      continue;
    }
    let e = i;
    for (let j = i; j <= hi; j++) {
      const x = a[j];
      a[j] = a[e];
      a[e] = x;
      e += x === pivot ? 1 : 0;
    }
    if (want < e) return pivot;
    lo = e;
  }
  return a[want];
}
