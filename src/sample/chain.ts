// One row through the sampling chain. The O(V) passes run in the backend's kernels (RowKernels);
// this file only decides which passes to run and orders the (small) candidate sets, so every
// backend runs the same algorithm and returns the same token.
//
// The kept set is either "every unmasked token" (kept === null) or an explicit list of ids.
// Probabilities over a kept set K at scale s are p_i = e_i / Z with e_i = exp(f32((w_i − m_K)·s))
// from the kernels' exp (m_K the max over K). Over the whole vocabulary Z is the kernels' ordered
// sum; over an explicit list it is the f64 sum in ascending id order.

import type { RowKernels } from "../backend.js";
import { expLane } from "../js/exp.js";
import { scaleOf } from "../js/softmax.js";
import { ln64 } from "../js/log.js";
import type { Resolved } from "./options.js";

const fr = Math.fround;
const F32_MAX = 3.4028234663852886e38;

/** Token, and the logprobs when asked for. */
export interface SampleResult {
  token: number;
  logprob?: number;
  topLogprobs?: { token: number; logprob: number }[];
}

/** Thrown by sampleRow for invalid logits; the caller turns it into a RangeError with context. */
export class RowError {
  constructor(readonly kind: "nan" | "inf" | "masked" | "banned", readonly index: number) {}
}

/** A float32 value's bits mapped so that unsigned integer order is float order (−0 read as +0). */
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
function orderKey(v: number): number {
  f32buf[0] = v === 0 ? 0 : v;
  const b = u32buf[0];
  return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}

/** Sorts ids by a float32 value descending, ties by lower id, with one numeric key each (ids < 2^21). */
export function sortDesc(ids: ArrayLike<number>, value: (id: number) => number): Int32Array {
  const keys = new Float64Array(ids.length);
  for (let j = 0; j < ids.length; j++) keys[j] = (0xffffffff - orderKey(value(ids[j]))) * 2097152 + ids[j];
  keys.sort();
  const out = new Int32Array(ids.length);
  for (let j = 0; j < ids.length; j++) out[j] = keys[j] % 2097152;
  return out;
}

/** Per-row context: the kernels' buffers and the row's current max over the kept set. */
interface Row {
  k: RowKernels;
  w: Float32Array;
  e: Float32Array;
  idx: Int32Array;
  V: number;
  /** Max of w over the kept set. */
  m: number;
  /** Scale of the exps currently in e (NaN when e is stale), for the whole vocabulary. */
  eScale: number;
  /** Σe for that scale. */
  eSum: number;
}

function expAll(r: Row, s: number): number {
  if (r.eScale !== s) {
    r.eSum = r.k.expSum(r.V, r.m, s);
    r.eScale = s;
  }
  return r.eSum;
}

/**
 * The k highest-w unmasked tokens (ties to lower ids). One O(V) collect pass at a threshold
 * estimated from a strided sample of w usually suffices; a bracketing search handles the rest.
 */
function topOfAll(r: Row, k: number): Int32Array {
  if (k === 1) return Int32Array.of(r.k.firstIndex(r.V, r.m)); // the first maximum
  const cap = Math.max(1024, 4 * k);
  let lo = sampledThreshold(r, 2 * k);
  let count = r.k.collect("w", r.V, lo, Infinity, cap);
  if (count < k || count > cap) {
    let delta = Math.max(1, r.m - lo), below = 0, above = Infinity; // count(m − below) < k < cap < count(m − above)
    for (;;) {
      lo = Math.max(fr(r.m - delta), -F32_MAX);
      count = r.k.collect("w", r.V, lo, Infinity, cap);
      if (count >= k && count <= cap) break;
      if (count < k) {
        if (lo === -F32_MAX) break; // every unmasked token is in: fewer than k of them
        below = delta;
        delta = above === Infinity ? delta * 4 : (delta + above) / 2;
      } else {
        above = delta;
        const next = (below + delta) / 2;
        if (fr(r.m - next) === fr(r.m - delta) || fr(r.m - next) === fr(r.m - below)) {
          count = r.k.collect("w", r.V, lo, Infinity, count); // exact ties straddle the cap: take them all
          break;
        }
        delta = next;
      }
    }
  }
  return sortDesc(r.idx.slice(0, count), (i) => r.w[i]).subarray(0, Math.min(k, count));
}

/** A w threshold expected to let about `want` tokens through, from every stride-th value of w. */
function sampledThreshold(r: Row, want: number): number {
  const stride = Math.max(1, Math.floor(r.V / 4096));
  const j = Math.min(Math.ceil(want / stride) + 2, 256); // rank wanted within the sample
  const top = new Float32Array(j).fill(-Infinity); // the j largest sampled values, descending
  // Locals, not r.w / r.V / top[j − 1] in the loop: V8 reloaded them on every one of the ~4096
  // iterations, which took as long as copying the whole row.
  const w = r.w, V = r.V;
  let least = -Infinity; // top[j − 1]
  for (let i = 0; i < V; i += stride) {
    const v = w[i];
    if (v > least) {
      let p = j - 1;
      while (p > 0 && top[p - 1] < v) {
        top[p] = top[p - 1];
        p--;
      }
      top[p] = v;
      least = top[j - 1];
    }
  }
  return Math.max(top[j - 1], -F32_MAX);
}

/** The kept ids of the explicit set with their exps at scale s (max-shifted) and Σ in id order. */
function expsOf(r: Row, kept: Int32Array, s: number): { ids: Int32Array; e: Float64Array; z: number; m: number } {
  const ids = kept.slice().sort();
  let m = -Infinity;
  for (const i of ids) if (r.w[i] > m) m = r.w[i];
  const e = new Float64Array(ids.length);
  let z = 0;
  for (let j = 0; j < ids.length; j++) {
    e[j] = s === 0 ? 1 : expLane(fr(fr(r.w[ids[j]] - m) * s));
    z += e[j];
  }
  return { ids, e, z, m };
}

/** Walks ids sorted by priority, accumulating weight(id), until the sum reaches target. */
function prefix(sorted: Int32Array, weight: (id: number) => number, target: number): Int32Array | undefined {
  let run = 0;
  for (let j = 0; j < sorted.length; j++) {
    run += weight(sorted[j]);
    if (run >= target) return sorted.subarray(0, j + 1);
  }
  return undefined;
}

function topP(r: Row, kept: Int32Array | null, p: number, s: number): Int32Array {
  if (kept) {
    const { ids, e, z } = expsOf(r, kept, s);
    const w = new Map<number, number>();
    ids.forEach((id, j) => w.set(id, e[j]));
    const order = sortDesc(ids, (id) => w.get(id)!);
    return prefix(order, (id) => w.get(id)!, p * z) ?? order;
  }
  if (s === 0) return topP(r, allUnmasked(r), p, s);
  const z = expAll(r, s);
  const target = p * z;
  // Collect every token with e ≥ τ, lowering τ until their mass reaches the target: the top-p
  // set is then a prefix of them in sorted order, so only they are sorted.
  for (let tau = 2 ** -12; ; tau /= 256) {
    const lo = tau < 2 ** -140 ? Number.MIN_VALUE : tau;
    const count = r.k.collect("e", r.V, lo, Infinity, r.V);
    let mass = 0;
    for (let j = 0; j < count; j++) mass += r.e[r.idx[j]];
    if (mass >= target || lo === Number.MIN_VALUE) {
      const order = sortDesc(r.idx.slice(0, count), (i) => r.e[i]);
      return prefix(order, (i) => r.e[i], target) ?? order;
    }
  }
}

function minP(r: Row, kept: Int32Array | null, q: number, s: number): Int32Array {
  // p_i ≥ q·p_max ⇔ e_i ≥ q, since the max of the kept set has e = exp(0) = 1.
  if (kept) {
    const { ids, e } = expsOf(r, kept, s);
    return ids.filter((_, j) => e[j] >= q);
  }
  if (s === 0) return allUnmasked(r);
  expAll(r, s);
  let lo = fr(q);
  if (lo < q) lo = nextUp(lo);
  if (lo === 0) lo = Number.MIN_VALUE;
  const count = r.k.collect("e", r.V, lo, Infinity, r.V);
  return r.idx.slice(0, count);
}

function typical(r: Row, kept: Int32Array | null, p: number, s: number): Int32Array {
  if (s === 0) return kept ?? allUnmasked(r); // uniform: every score is equal, keep all
  let ids: Int32Array, ew: (id: number) => number, u: (id: number) => number, z: number, dot: number;
  if (kept) {
    const x = expsOf(r, kept, s);
    const byId = new Map<number, number>();
    x.ids.forEach((id, j) => byId.set(id, x.e[j]));
    ids = x.ids;
    ew = (id) => byId.get(id)!;
    u = (id) => fr(fr(r.w[id] - x.m) * s);
    z = x.z;
    dot = 0;
    for (const id of ids) dot += ew(id) * u(id);
  } else {
    z = expAll(r, s);
    dot = r.k.dotExpArg(r.V, r.m, s);
    ids = new Int32Array(0);
    ew = (id) => r.e[id];
    u = (id) => fr(fr(r.w[id] - r.m) * s);
  }
  // H = −Σ p ln p = ln Z − Σ e·u / Z; score_i = |−ln p_i − H| = |c − u_i| with c = ln Z − H.
  const lnZ = ln64(z);
  const h = lnZ - dot / z;
  const c = lnZ - h;
  const target = p * z;
  const score = (id: number) => Math.abs(c - u(id));
  const byScore = (list: Int32Array) => Int32Array.from(list).sort((a, b) => score(a) - score(b) || a - b);
  if (kept) {
    const order = byScore(ids);
    return prefix(order, ew, target) ?? order;
  }
  // Whole vocabulary: collect a band of e around exp(c), widening until the prefix by score
  // completes inside the part of the band known to be complete (score ≤ σ).
  for (let sigma = 1; ; sigma *= 2) {
    const wide = sigma * (1 + 1e-6) + 1e-6;
    const loU = c - wide, hiU = c + wide;
    const lo = loU < -87 ? Number.MIN_VALUE : expLane(fr(loU)) * (1 - 1e-6);
    const hi = hiU >= 0 ? Infinity : expLane(fr(hiU)) * (1 + 1e-6);
    const count = r.k.collect("e", r.V, lo, hi, r.V);
    const order = byScore(r.idx.slice(0, count));
    const everything = lo === Number.MIN_VALUE && hi === Infinity;
    let run = 0;
    for (let j = 0; j < order.length; j++) {
      if (!everything && score(order[j]) > sigma) break;
      run += ew(order[j]);
      if (run >= target) return order.subarray(0, j + 1);
    }
    if (everything) return order;
  }
}

function allUnmasked(r: Row): Int32Array {
  const count = r.k.collect("w", r.V, -F32_MAX, Infinity, r.V);
  return r.idx.slice(0, count);
}

function nextUp(v: number): number {
  f32buf[0] = v;
  u32buf[0] += v >= 0 ? 1 : -1;
  return f32buf[0];
}

/**
 * Top-n (token, logprob) pairs by logprob, ties to lower ids: the candidates `ids` first, then —
 * when they are fewer than n — the lowest other ids, whose logprob is −Infinity.
 */
function topLogprobs(ids: ArrayLike<number>, lp: (id: number) => number, n: number, V: number) {
  const top = Array.from(sortDesc(ids, lp).subarray(0, n), (token) => ({ token, logprob: lp(token) }));
  const seen = new Set(top.map((t) => t.token));
  for (let id = 0; top.length < Math.min(n, V) && id < V; id++) {
    if (!seen.has(id)) top.push({ token: id, logprob: -Infinity });
  }
  return top;
}

/** The row's state after the chain: the kept set (null = every unmasked token) and the scale. */
export interface ChainState {
  kept: Int32Array | null;
  s: number;
  greedy: boolean;
}

/** Runs the stages of `o.chain` over r.w (bias and penalties edit it; filters narrow `kept`). */
function runChain(r: Row, x: Float32Array, o: Resolved, counts: Map<number, number>): ChainState {
  const { w, V } = r;
  let kept: Int32Array | null = null;
  let s = 1;
  const greedy = o.temperature === 0;
  for (const stage of o.chain) {
    if (greedy && stage !== "bias" && stage !== "penalties") continue;
    switch (stage) {
      case "bias":
        for (const [id, b] of o.bias) w[id] = w[id] + b; // ids checked against V by the caller
        validate(r, x, "banned");
        break;
      case "penalties":
        for (const [id, c] of counts) {
          if (id >= V) continue; // ids beyond this vocabulary cannot be penalised
          let l = w[id];
          if (o.repetitionPenalty !== 1) l = l > 0 ? fr(l / o.repetitionPenalty) : fr(l * o.repetitionPenalty);
          w[id] = l - (c * o.frequencyPenalty + (c > 0 ? o.presencePenalty : 0));
        }
        validate(r, x, "banned");
        break;
      case "temperature":
        s = o.temperature === Infinity ? 0 : scaleOf(o.temperature);
        break;
      case "topK":
        kept = kept ? sortDesc(kept, (i) => w[i]).subarray(0, o.topK) : topOfAll(r, o.topK);
        break;
      case "topP":
        kept = topP(r, kept, o.topP, s);
        break;
      case "minP":
        kept = minP(r, kept, o.minP, s);
        break;
      case "typicalP":
        kept = typical(r, kept, o.typicalP, s);
        break;
    }
  }

  return { kept, s, greedy };
}

/**
 * The tokens the chain keeps for row `x` (ascending ids), the final scale, and the row after
 * bias and penalties: what the draw then samples from. For tests and tools.
 */
export function keptTokens(k: RowKernels, x: Float32Array, o: Resolved, counts: Map<number, number>): { kept: Int32Array; s: number; w: Float32Array } {
  const { w, e, idx } = k.buffers(x.length);
  w.set(x);
  const r: Row = { k, w, e, idx, V: x.length, m: 0, eScale: NaN, eSum: 0 };
  validate(r, x, "masked");
  const st = runChain(r, x, o, counts);
  const kept = st.greedy ? Int32Array.of(topOfAll(r, 1)[0]) : st.kept ? st.kept.slice().sort() : allUnmasked(r);
  return { kept, s: st.s, w: w.slice() };
}

/**
 * Samples one token from `x` (a row of V float32 logits, validated here) with uniform u ∈ [0, 1).
 * `counts` holds the history's token counts (for the penalties).
 */
export function sampleRow(k: RowKernels, x: Float32Array, o: Resolved, counts: Map<number, number>, u: number): SampleResult {
  const V = x.length;
  const { w, e, idx } = k.buffers(V);
  w.set(x);
  const r: Row = { k, w, e, idx, V, m: 0, eScale: NaN, eSum: 0 };
  validate(r, x, "masked");

  // Raw logprobs are of the logits as given: computed before any stage edits w.
  let raw: ((id: number) => number) | undefined;
  let rawTop: SampleResult["topLogprobs"];
  if (o.logprobs !== undefined && !o.processed) {
    const m0 = r.m;
    const l0 = fr(ln64(expAll(r, 1)));
    raw = (id) => fr(fr(x[id] - m0) - l0); // exactly logSoftmax(x)[id]
    if (o.logprobs > 0) rawTop = topLogprobs(topOfAll(r, o.logprobs), raw, o.logprobs, V);
  }

  const { kept, s, greedy } = runChain(r, x, o, counts);

  let token: number;
  let processed: ((id: number) => number) | undefined;
  let pool: ArrayLike<number> = [];
  if (greedy) {
    token = topOfAll(r, 1)[0];
    processed = (id) => (id === token ? 0 : -Infinity);
    pool = [token];
  } else if (kept) {
    const { ids, e: ek, z, m } = expsOf(r, kept, s);
    const target = u * z;
    let run = 0;
    token = ids[ids.length - 1];
    for (let j = 0; j < ids.length; j++) {
      run += ek[j];
      if (run > target) {
        token = ids[j];
        break;
      }
    }
    if (o.logprobs !== undefined && o.processed) {
      const l = fr(ln64(z));
      const inKept = new Set(ids);
      processed = (id) => (inKept.has(id) ? fr(fr(fr(w[id] - m) * s) - l) : -Infinity);
      pool = ids;
    }
  } else if (s === 0) {
    const all = allUnmasked(r);
    token = all[Math.min(all.length - 1, Math.floor(u * all.length))];
    if (o.logprobs !== undefined && o.processed) {
      const l = fr(-ln64(all.length));
      processed = (id) => (w[id] === -Infinity ? -Infinity : l);
      pool = all.subarray(0, Math.min(all.length, o.logprobs));
    }
  } else {
    const z = expAll(r, s);
    token = k.walkCdf(V, u * z);
    if (o.logprobs !== undefined && o.processed) {
      const l = fr(ln64(z));
      processed = (id) => (w[id] === -Infinity ? -Infinity : fr(fr(fr(w[id] - r.m) * s) - l));
      pool = o.logprobs > 0 ? topOfAll(r, o.logprobs) : [];
    }
  }

  const result: SampleResult = { token };
  if (o.logprobs !== undefined) {
    const lp = o.processed ? processed! : raw!;
    result.logprob = lp(token);
    if (o.logprobs > 0) result.topLogprobs = o.processed ? topLogprobs(pool, lp, o.logprobs, V) : rawTop;
  }
  return result;
}

/** Checks w's max (NaN, +Infinity, all −Infinity) and stores it in r.m. */
function validate(r: Row, x: Float32Array, allMasked: "masked" | "banned"): void {
  const { max, nan } = r.k.rowMax(r.V);
  if (nan || max === Infinity) {
    let i = 0;
    while (!(r.w[i] !== r.w[i] || r.w[i] === Infinity)) i++;
    // NaN or +Infinity in the caller's logits, or an overflow that a bias or penalty caused.
    throw new RowError(x[i] !== x[i] ? "nan" : "inf", i);
  }
  if (max === -Infinity) throw new RowError(allMasked, -1);
  r.m = max;
  r.eScale = NaN;
}
