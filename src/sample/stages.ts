// The filters beyond the core chain (SPEC §4): top-n-σ and XTC (llama.cpp), ε- and η-sampling
// (HF), dynamic temperature (llama.cpp temp-ext) and mirostat v1/v2 (llama.cpp). Each takes the
// kept set (null = every unmasked token) at scale s and returns the new one; the O(V) work runs in
// the kernels through row.ts, the rest is on the (small) kept sets, in float64.

import { ln64 } from "../js/log.js";
import { combine8 } from "../js/mask.js";
import { ascending, collect, countUnmasked, expAll, expsOf, f32AtLeast, keepTopByMask, listsTopK, maskBelow, scaled, sortDesc, stale, topOfAll, type Row } from "./row.js";

/**
 * Entropy H (nats) of the distribution over `kept` at scale s, and its number of tokens when
 * `counted` (over the whole vocabulary that costs a counting pass, which η does not need).
 */
export function entropyOf(r: Row, kept: Int32Array | null, s: number, counted = false): { h: number; count: number } {
  if (kept) {
    const { ids, e, z, m } = expsOf(r, kept, s);
    if (s === 0) return { h: ln64(ids.length), count: ids.length };
    let dot = 0;
    for (let j = 0; j < ids.length; j++) if (e[j] > 0) dot += e[j] * scaled(r.w[ids[j]], m, s);
    return { h: ln64(z) - dot / z, count: ids.length };
  }
  const count = counted || s === 0 ? countUnmasked(r) : NaN;
  if (s === 0) return { h: ln64(count), count };
  const z = expAll(r, s);
  return { h: ln64(z) - r.k.dotExpArg(r.V, r.m, s) / z, count };
}

/**
 * Keep l ≥ max − n·σ, max and σ (population) over the finite kept logits. Computed on the
 * unscaled logits, so the kept set is exactly the same at every T > 0. One pass in float64 over
 * d = l − max (Σd and Σd², the kernels' documented order), σ² = Σd²/N − (Σd/N)²: shifted by the
 * max, the two terms stay within a few σ² of each other on logits, so the difference keeps its
 * digits. The result is exact to the bit on every backend.
 */
export function topNSigma(r: Row, kept: Int32Array | null, n: number): Int32Array | null {
  const { w } = r;
  if (kept) {
    // The kernels' moments over just the kept ids: slot id mod 8, ascending ids, so that an
    // explicit set and the whole vocabulary give the same bits.
    const ids = ascending(kept);
    let max = -Infinity;
    for (const i of ids) if (w[i] > max) max = w[i];
    const s = new Array<number>(16).fill(0);
    let count = 0;
    for (const i of ids) {
      if (w[i] === -Infinity) continue;
      count++;
      const d = w[i] - max;
      s[i & 7] += d;
      s[8 + (i & 7)] += d * d;
    }
    const threshold = max - n * sigma(combine8(s, 0), combine8(s, 8), count);
    return ids.filter((i) => w[i] >= threshold);
  }
  const { sum, squares, count } = r.k.moments(r.V, r.m); // count: the finite ones, every unmasked token
  return maskBelow(r, "w", r.m - n * sigma(sum, squares, count));
}

/** σ from Σd, Σd² over N values (population); rounding may leave σ² a hair below 0 for N equal values. */
function sigma(sum: number, squares: number, count: number): number {
  const mean = sum / count;
  return Math.sqrt(Math.max(0, squares / count - mean * mean));
}

/** The ids of the kept set (or of every unmasked token) with p ≥ q at scale s, and its exps. */
function atLeast(r: Row, kept: Int32Array | null, q: number, s: number): { ids: Int32Array; p: (id: number) => number } {
  if (kept) {
    const { ids, e, z } = expsOf(r, kept, s);
    const byId = new Map<number, number>();
    ids.forEach((id, j) => byId.set(id, e[j] / z));
    return { ids: ids.filter((_, j) => e[j] >= q * z), p: (id) => byId.get(id)! };
  }
  const z = expAll(r, s);
  const c = collect(r, "e", q * z, Infinity, r.V);
  return { ids: r.idx.slice(0, c), p: (id) => r.e[id] / z };
}

/**
 * XTC: when the coin comes up (coin < probability), remove every token with p ≥ threshold but
 * the least probable of them (ties: the highest id stays), if at least two reach it. Over the
 * whole vocabulary the removed tokens are masked in w, which keeps the set implicit.
 */
export function xtc(r: Row, kept: Int32Array | null, s: number, threshold: number, coin: number, probability: number): Int32Array | null {
  if (!(coin < probability)) return kept;
  const top = atLeast(r, kept, threshold, s);
  if (top.ids.length < 2) return kept;
  const order = sortDesc(top.ids, top.p);
  const removed = new Set(order.subarray(0, order.length - 1));
  if (kept) return kept.filter((i) => !removed.has(i));
  for (const i of removed) r.w[i] = -Infinity;
  // The new max, without a pass: the one token kept of those at p ≥ threshold. Every other token
  // has a smaller exp, so a smaller logit.
  const m = r.w[order[order.length - 1]];
  r.m = m === 0 ? 0 : m;
  stale(r);
  r.top = undefined;
  return null;
}

/** ε-sampling (HF): remove p < cutoff, keeping at least the most probable token. */
export function epsilon(r: Row, kept: Int32Array | null, s: number, cutoff: number): Int32Array | null {
  return keepAtLeast(r, kept, s, cutoff);
}

/**
 * Keeps the tokens with p ≥ q, or the most probable one if none reaches q. Over the whole
 * vocabulary the others are masked (the most probable is among the kept, so the max stays).
 */
function keepAtLeast(r: Row, kept: Int32Array | null, s: number, q: number): Int32Array | null {
  if (kept) {
    const { ids } = atLeast(r, kept, q, s);
    return ids.length > 0 ? ids : mostProbable(r, kept);
  }
  const z = expAll(r, s);
  // Whether any token reaches q, without a counting pass: the largest exp is the max's, exactly 1
  // (exp(0) in every backend). A NaN bound reaches nothing, as the pass found.
  if (!(f32AtLeast(q * z) <= 1)) return mostProbable(r, null);
  // The most probable token stays, so the max does and the kept tokens' exps are still right:
  // zero the others' and re-add in the exp pass's order instead of running that pass again.
  r.k.maskExpsBelow(r.V, f32AtLeast(q * z));
  r.eSum = r.k.sumExps(r.V);
  return null;
}

/** η-sampling (HF): ε-sampling at min(ε, √ε·e^(−H)), H the entropy of the current distribution. */
export function eta(r: Row, kept: Int32Array | null, s: number, cutoff: number): Int32Array | null {
  const { h } = entropyOf(r, kept, s);
  return epsilon(r, kept, s, Math.min(cutoff, Math.sqrt(cutoff) * Math.exp(-h)));
}

/** The most probable token of the kept set: the highest logit, the lowest id among equals. */
export function mostProbable(r: Row, kept: Int32Array | null): Int32Array {
  return kept ? sortDesc(kept, (i) => r.w[i]).subarray(0, 1) : topOfAll(r, 1);
}

/**
 * Dynamic temperature (llama.cpp temp-ext): T_dyn = T_min + (T_max − T_min)·(H / ln N)^exponent
 * over the kept set at T = 1, with H / ln N = 0 for a single token.
 */
export function dynamicTemperature(r: Row, kept: Int32Array | null, t: number, range: number, exponent: number): number {
  const { h, count } = entropyOf(r, kept, 1, true);
  const ratio = count <= 1 ? 0 : h / ln64(count);
  const lo = Math.max(0, t - range), hi = t + range;
  return lo + (hi - lo) * Math.pow(ratio, exponent);
}

/** Mirostat's truncation (v1: a top-k from the estimated Zipf exponent; v2: p ≥ 2^−μ). */
export function mirostat(r: Row, kept: Int32Array | null, s: number, version: 1 | 2, mu: number, m: number): Int32Array | null {
  if (version === 2) return keepAtLeast(r, kept, s, Math.pow(2, -mu));
  // v1: ŝ = Σ t_i·b_i / Σ t_i² over the m most probable, t_i = ln((i+2)/(i+1)), b_i = ln(p_i/p_{i+1}).
  const top = kept ? sortDesc(kept, (i) => r.w[i]).subarray(0, m) : topOfAll(r, m);
  const wMax = r.w[top[0]];
  let tb = 0, tt = 0;
  for (let i = 0; i + 1 < top.length; i++) {
    const b = scaled(r.w[top[i]], wMax, s) - scaled(r.w[top[i + 1]], wMax, s); // ln(p_i/p_{i+1})
    if (!Number.isFinite(b)) break; // p_{i+1} = 0: the rest carries no information
    const t = Math.log((i + 2) / (i + 1));
    tb += t * b;
    tt += t * t;
  }
  const sHat = tb / tt;
  const eHat = sHat - 1;
  const k = Math.pow((eHat * Math.pow(2, mu)) / (1 - Math.pow(r.V, -eHat)), 1 / sHat);
  const size = kept ? kept.length : Infinity;
  // A flat distribution (ŝ = 0) or an overflow gives no finite k: keep everything then.
  const keep = Number.isFinite(k) ? Math.max(1, Math.floor(k)) : Number.isNaN(k) ? size : k > 0 ? size : 1;
  if (kept) return keep >= kept.length ? kept : sortDesc(kept, (i) => r.w[i]).subarray(0, keep);
  if (keep === Infinity) return null;
  if (keep <= top.length) return top.slice(0, keep); // the fit's m best, by value then id: no second pass
  // A large set stays implicit. The fit also estimates the k-th logit (ln p_k = ln p_1 − ŝ·ln k),
  // the mask's first guess.
  return listsTopK(keep) ? topOfAll(r, keep) : keepTopByMask(r, keep, wMax - (sHat / s) * Math.log(keep));
}

