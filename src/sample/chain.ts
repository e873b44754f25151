// One row through the sampling chain: runChain applies the stages of the order as written, then
// sampleRow draws with one uniform by inverse CDF over the kept tokens in ascending id order. The
// O(V) passes run in the backend's kernels (src/sample/row.ts); this file only decides which to
// run and orders the (small) candidate sets, so every backend returns the same token.

import { topKFits, type RowKernels } from "../backend.js";
import { expLane } from "../js/exp.js";
import { scaleOf } from "../js/softmax.js";
import { ln64 } from "../js/log.js";
import type { Resolved } from "./options.js";
import { dynamicTemperature, epsilon, eta, mirostat, mostProbable, topNSigma, xtc } from "./stages.js";
import {
  F32_TINY, HUGE_T_SCALE, allUnmasked, ascending, collect, expAll, expsOf, fr, full, heaviest, keepTopByMask, listsTopK, prefix, scaled, sortDesc,
  stale, topOfAll, validate, validateWithTop, waiting, type Row,
} from "./row.js";

export { RowError } from "./row.js";

/** Token, and the logprobs when asked for. */
export interface SampleResult {
  token: number;
  logprob?: number;
  topLogprobs?: { token: number; logprob: number }[];
}

function topP(r: Row, kept: Int32Array | null, p: number, s: number): Int32Array {
  if (kept) {
    const all = expsOf(r, kept, s);
    const cut = heaviest(all.ids, all.e, p * all.z);
    if (cut.ids === all.ids) return cut.ids;
    // The cut's exps for the draw (or the next stage): the same values when its max is the set's,
    // which it is unless tied exps of 1 left the max out; Σ again in id order.
    let z = 0, m = -Infinity;
    for (let j = 0; j < cut.ids.length; j++) {
      z += cut.e[j];
      if (r.w[cut.ids[j]] > m) m = r.w[cut.ids[j]];
    }
    if (m === all.m) r.exps = { ids: cut.ids, e: cut.e, z, m, s };
    return cut.ids;
  }
  if (s === 0) return topP(r, allUnmasked(r), p, s);
  const z = expAll(r, s);
  const target = p * z;
  // Collect every token with e ≥ τ, lowering τ until their mass reaches the target: the top-p
  // set is then a prefix of them in sorted order, so only they are sorted.
  for (let tau = 2 ** -12; ; tau /= 256) {
    const lo = tau < 2 ** -140 ? F32_TINY : tau;
    const count = collect(r, "e", lo, Infinity, r.V);
    let mass = 0;
    for (let j = 0; j < count; j++) mass += r.e[r.idx[j]];
    if (mass >= target || lo === F32_TINY) {
      const ids = r.idx.slice(0, count);
      return heaviest(ids, Array.from(ids, (i) => r.e[i]), target).ids;
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
  // q > 0 here; a bound of at least 2^-149 also keeps out exps of exactly 0.
  const count = collect(r, "e", q, Infinity, r.V);
  return r.idx.slice(0, count);
}

/**
 * The first n of `order` (sorted by ascending score) and every later token whose score equals
 * the n-th's: HF's typical-p keeps all tokens whose score is not above the score at the cut.
 */
function withTies(order: Int32Array, n: number, score: (id: number) => number): Int32Array {
  const last = score(order[n - 1]);
  while (n < order.length && score(order[n]) <= last) n++;
  return order.subarray(0, n);
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
    u = (id) => scaled(r.w[id], x.m, s);
    z = x.z;
    dot = 0;
    for (const id of ids) dot += ew(id) * u(id);
  } else {
    z = expAll(r, s);
    dot = r.k.dotExpArg(r.V, r.m, s);
    ids = new Int32Array(0);
    ew = (id) => r.e[id];
    u = (id) => scaled(r.w[id], r.m, s);
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
    const cut = prefix(order, ew, target);
    return cut ? withTies(order, cut.length, score) : order;
  }
  // Whole vocabulary: collect a band of e around exp(c), widening until the prefix by score
  // completes inside the part of the band known to be complete (score ≤ σ).
  for (let sigma = 1; ; sigma *= 2) {
    const wide = sigma * (1 + 1e-6) + 1e-6;
    const loU = c - wide, hiU = c + wide;
    const lo = loU < -87 ? F32_TINY : expLane(fr(loU)) * (1 - 1e-6);
    const hi = hiU >= 0 ? Infinity : expLane(fr(hiU)) * (1 + 1e-6);
    const count = collect(r, "e", lo, hi, r.V);
    const order = byScore(r.idx.slice(0, count));
    const everything = lo === F32_TINY && hi === Infinity;
    let run = 0;
    for (let j = 0; j < order.length; j++) {
      if (!everything && score(order[j]) > sigma) break;
      run += ew(order[j]);
      if (run >= target) return withTies(order, j + 1, score);
    }
    if (everything) return order;
  }
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

/** Per-row inputs beyond the logits: the history's counts and DRY penalties, XTC's coin, mirostat's μ. */
export interface RowState {
  counts: Map<number, number>;
  dry: Map<number, number>;
  /** This row's uniform from the XTC stream (NaN when XTC is off). */
  xtcCoin: number;
  /** Mirostat's μ for this row; sampleRow updates it after the draw. */
  mu: number;
}

/** A RowState with nothing in it: no history, XTC's coin never up, μ at 2τ. */
export function emptyState(o: Resolved): RowState {
  return { counts: new Map(), dry: new Map(), xtcCoin: NaN, mu: 2 * o.mirostatTau };
}

/** The row's state after the chain: the kept set (null = every unmasked token) and the scale. */
export interface ChainState {
  kept: Int32Array | null;
  s: number;
  greedy: boolean;
}

/**
 * Runs the stages of `o.chain` over r.w, in the order given. Logit-editing stages (bias,
 * penalties, DRY) edit w; filters narrow `kept`; temperature sets the scale s. An editing stage
 * after temperature acts on the scaled logits, as written: w is scaled first (w ← w·s, s ← 1).
 */
function runChain(r: Row, x: Float32Array, o: Resolved, st: RowState): ChainState {
  const { w, V } = r;
  let kept: Int32Array | null = null;
  let s = 1;
  // Edits the logit of each [id, value] entry of `changed` to edited(logit, value), ids beyond V
  // skipped, and validates the row again. The new max is found without a pass when it is known
  // where it can be: among the validating pass's top candidates (r.top) and the edited tokens, or,
  // with no candidates, still at r.m when no edited token held it and the row was not rescaled.
  const edit = <T>(changed: Iterable<readonly [number, T]>, edited: (logit: number, value: T) => number) => {
    if (r.lazy) {
      let writes = s !== 1;
      for (const _ of changed) {
        writes = true;
        break;
      }
      if (writes) full(r); // w is read and written beyond the candidates
    }
    const top = s === 1 ? r.top : undefined; // a rescale can make ties: the candidates no longer hold
    r.top = undefined;
    let local = s === 1;
    if (s !== 1) {
      for (let i = 0; i < V; i++) w[i] = s === 0 ? (w[i] === -Infinity ? -Infinity : 0) : fr(w[i] * s);
      s = 1;
    }
    let m = top ? -Infinity : r.m, invalid = false;
    for (const [id, value] of changed) {
      if (id >= V) continue;
      if (w[id] === r.m) local = false;
      w[id] = edited(w[id], value);
      const v = w[id]; // as stored, in float32
      if (v !== v || v === Infinity) invalid = true;
      if (v > m) m = v;
      top?.edited.push(id);
    }
    if (top) {
      for (let j = 0; j < top.count; j++) m = Math.max(m, w[r.idx[j]]);
      local = true;
    }
    // validate() finds and reports the first invalid logit, or that every token is banned.
    if (!local || invalid || m === -Infinity) return validate(r, x, "banned");
    r.m = m === 0 ? 0 : m;
    stale(r);
    r.top = top;
  };

  for (const stage of o.chain) {
    if (o.greedy && stage !== "bias" && stage !== "penalties" && stage !== "dry") continue;
    switch (stage) {
      case "bias":
        edit(o.bias, (l, b) => l + b); // ids checked against V by the caller
        break;
      case "penalties":
        if (st.counts.size === 0 && s === 1) break; // nothing to penalise, nothing to materialise
        edit(st.counts, (l, c) => {
          if (o.repetitionPenalty !== 1) l = l > 0 ? fr(l / o.repetitionPenalty) : fr(l * o.repetitionPenalty);
          return l - (c * o.frequencyPenalty + (c > 0 ? o.presencePenalty : 0));
        });
        break;
      case "dry":
        if (st.dry.size === 0 && s === 1) break;
        edit(st.dry, (l, penalty) => l - penalty);
        break;
      case "temperature": {
        let t = o.temperature;
        if (o.dynatempRange > 0 && t !== Infinity) {
          t = dynamicTemperature(r, kept, t, o.dynatempRange, o.dynatempExponent);
          if (t === 0) {
            kept = mostProbable(r, kept); // T_dyn = 0: greedy over what is kept
            break;
          }
        }
        s = t === Infinity ? 0 : scaleOf(t);
        if (s > 0 && s < HUGE_T_SCALE) {
          // As the kernels do: halve the row (exact for normal floats) and double s, so that
          // w − m cannot overflow float32 where the scaled difference still matters.
          full(r);
          for (let i = 0; i < V; i++) w[i] = fr(w[i] * 0.5);
          r.top = undefined;
          r.m = fr(r.m * 0.5);
          stale(r);
          s = fr(s * 2);
        }
        break;
      }
      case "topK":
        kept = kept ? sortDesc(kept, (i) => w[i]).subarray(0, o.topK) : listsTopK(o.topK) ? topOfAll(r, o.topK, true) : keepTopByMask(r, o.topK);
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
      case "topNSigma":
        kept = topNSigma(r, kept, o.topNSigma);
        break;
      case "xtc":
        kept = xtc(r, kept, s, o.xtcThreshold, st.xtcCoin, o.xtcProbability);
        break;
      case "epsilon":
        kept = epsilon(r, kept, s, o.epsilonCutoff);
        break;
      case "eta":
        kept = eta(r, kept, s, o.etaCutoff);
        break;
      case "mirostat":
        kept = mirostat(r, kept, s, o.mirostat as 1 | 2, st.mu, o.mirostatM);
        break;
    }
  }
  return { kept, s, greedy: o.greedy };
}

/**
 * How many top candidates the pass that validates the row should also find, so that a top-k stage
 * needs no pass of its own, or 0: the stage's k plus one per token that the editing stages before
 * it (bias, penalties, DRY) may change, when nothing before it rescales or filters the row.
 */
function leadingTopK(o: Resolved, st: RowState, V: number): number {
  if (o.greedy) return 0;
  let s = 1, edits = 0;
  for (const stage of o.chain) {
    switch (stage) {
      case "topK": {
        const k = o.topK + edits;
        return o.topK > 1 && listsTopK(k) && topKFits(V, k) ? k : 0;
      }
      case "temperature": {
        if (o.dynatempRange > 0 && o.temperature !== Infinity) return 0;
        s = o.temperature === Infinity ? 0 : scaleOf(o.temperature);
        if (s > 0 && s < HUGE_T_SCALE) return 0; // the row gets halved
        break;
      }
      case "bias":
      case "penalties":
      case "dry": {
        const n = stage === "bias" ? o.bias.length : stage === "penalties" ? st.counts.size : st.dry.size;
        if (n > 0 && s !== 1) return 0; // the edit rescales the row first
        edits += n;
        break;
      }
      default:
        return 0;
    }
  }
  return 0;
}

function startRow(k: RowKernels, x: Float32Array, topK = 0): Row {
  const V = x.length;
  const { w, e, idx } = k.buffers(V);
  const r: Row = { k, w, e, idx, V, m: 0, eScale: NaN, eSum: 0 };
  // Half bits that prepare() left where w goes: with a top-k first, its pass reads the bits and
  // widens only the k it keeps (a step that keeps to them never widens the rest: as fast as
  // float32 input, which the widening was not); else they are widened now, with the max found
  // in the same pass.
  const half = k.takeHalf?.();
  if (half?.topK && topK > 0) {
    waiting(r, k, half.fill);
    validateWithTop(r, x, topK, half.topK(V, topK));
  } else if (half && topK === 0) {
    validate(r, x, "masked", half.fillMax());
  } else {
    if (half) half.fill();
    else if (x.buffer !== w.buffer || x.byteOffset !== w.byteOffset) w.set(x); // prepare() may have put it there
    if (topK > 0) validateWithTop(r, x, topK);
    else validate(r, x, "masked");
  }
  return r;
}

/**
 * The tokens the chain keeps for row `x` (ascending ids), the final scale, and the row after
 * the logit-editing stages: what the draw then samples from. For tests and tools.
 */
export function keptTokens(k: RowKernels, x: Float32Array, o: Resolved, st: RowState): { kept: Int32Array; s: number; w: Float32Array } {
  const r = startRow(k, x, leadingTopK(o, st, x.length)); // as sampleRow does, so tests see that path
  const chain = runChain(r, x, o, st);
  const kept = chain.greedy ? topOfAll(r, 1) : chain.kept ? ascending(chain.kept) : allUnmasked(r);
  full(r);
  return { kept, s: chain.s, w: r.w.slice() };
}

/**
 * Samples one token from `x` (a row of V float32 logits, validated here) with uniform u ∈ [0, 1).
 * With mirostat on, st.mu is updated from the drawn token's surprise.
 */
export function sampleRow(k: RowKernels, x: Float32Array, o: Resolved, st: RowState, u: number): SampleResult {
  const V = x.length;
  // Raw logprobs read the row before the chain with passes of their own: no top-k in the first pass then.
  const r = startRow(k, x, o.logprobs !== undefined && !o.processed ? 0 : leadingTopK(o, st, V));
  const { w } = r;

  // Raw logprobs are of the logits as given: computed before any stage edits w.
  let raw: ((id: number) => number) | undefined;
  let rawTop: SampleResult["topLogprobs"];
  if (o.logprobs !== undefined && !o.processed) {
    const m0 = r.m;
    const l0 = fr(ln64(expAll(r, 1)));
    raw = (id) => fr(fr(x[id] - m0) - l0); // exactly logSoftmax(x)[id]
    if (o.logprobs > 0) rawTop = topLogprobs(topOfAll(r, o.logprobs), raw, o.logprobs, V);
  }

  const { kept, s, greedy } = runChain(r, x, o, st);

  let token: number;
  let p = 1; // the drawn token's probability in the distribution it was drawn from
  let processed: ((id: number) => number) | undefined;
  let pool: ArrayLike<number> = [];
  if (greedy) {
    token = topOfAll(r, 1)[0];
    processed = (id) => (id === token ? 0 : -Infinity);
    pool = [token];
  } else if (kept) {
    const { ids, e: ek, z, m } = expsOf(r, kept, s);
    const target = u * z;
    let run = 0, at = ids.length - 1;
    for (let j = 0; j < ids.length; j++) {
      run += ek[j];
      if (run > target) {
        at = j;
        break;
      }
    }
    token = ids[at];
    p = ek[at] / z;
    if (o.logprobs !== undefined && o.processed) {
      const l = fr(ln64(z));
      const inKept = new Set(ids);
      processed = (id) => (inKept.has(id) ? fr(scaled(w[id], m, s) - l) : -Infinity);
      pool = ids;
    }
  } else if (s === 0) {
    const all = allUnmasked(r);
    token = all[Math.min(all.length - 1, Math.floor(u * all.length))];
    p = 1 / all.length;
    if (o.logprobs !== undefined && o.processed) {
      const l = fr(-ln64(all.length));
      processed = (id) => (w[id] === -Infinity ? -Infinity : l);
      pool = all.subarray(0, Math.min(all.length, o.logprobs));
    }
  } else {
    const z = expAll(r, s);
    token = r.k.walkCdf(V, u * z);
    p = r.e[token] / z;
    if (o.logprobs !== undefined && o.processed) {
      const l = fr(ln64(z));
      processed = (id) => (w[id] === -Infinity ? -Infinity : fr(scaled(w[id], r.m, s) - l));
      pool = o.logprobs > 0 ? topOfAll(r, o.logprobs) : [];
    }
  }
  if (o.mirostat !== 0 && !greedy) st.mu -= o.mirostatEta * (-Math.log2(p) - o.mirostatTau);

  const result: SampleResult = { token };
  if (o.logprobs !== undefined) {
    const lp = o.processed ? processed! : raw!;
    result.logprob = lp(token);
    if (o.logprobs > 0) result.topLogprobs = o.processed ? topLogprobs(pool, lp, o.logprobs, V) : rawTop;
  }
  return result;
}
