// The bodies of sample() (stateless) and createSampler() (owns its random stream), on the backend
// that getBackend() returns at each call. src/index.ts and src/js.ts bind and document them.

import type { Backend } from "../backend.js";
import { jumped, nextUniform, seedState, type RngState } from "../js/rng.js";
import { readDtype, readLogits, readNumbers, readOptions, type Dtype } from "../input.js";
import { show } from "../validate.js";
import { RowError, sampleRow, type RowState, type SampleResult } from "./chain.js";
import { dryPenalties } from "./dry.js";
import { resolveOptions, type Resolved } from "./options.js";

export type { SampleResult } from "./chain.js";

/** Per-call input of Sampler.sample. */
export interface SampleCall {
  /** Previous token ids, for the repetition, frequency and presence penalties and DRY (read once per call). */
  history?: ArrayLike<number>;
  /** One history per row instead (with `rows` > 1): row i's penalties and DRY read `histories[i]`. */
  histories?: readonly ArrayLike<number>[];
}

/** A sampler with its own seeded random stream: one uniform per sampled token. */
export interface Sampler {
  /** Samples one token per row: a SampleResult when rows = 1, else one per row. */
  sample(logits: Float32Array | Float64Array | number[], call?: SampleCall): SampleResult | SampleResult[];
  /** Puts the streams back to their seeded start and mirostat's μ back to 2τ for every row. */
  reset(): void;
}

/**
 * What a sampler carries from call to call: the token stream, XTC's stream (the token stream
 * jumped 2^64 ahead), and mirostat's μ per row. A call works on a copy and commits it only when
 * every row succeeded.
 */
interface Streams {
  tokens: RngState;
  xtc: RngState;
  mu: Float64Array;
}

function startStreams(o: Resolved, seed: number): Streams {
  const tokens = seedState(seed);
  // The jump costs 128 steps: only a sampler with XTC on draws from that stream.
  const xtc = o.xtcProbability > 0 ? jumped(tokens) : new Uint32Array(4);
  return { tokens, xtc, mu: new Float64Array(o.rows).fill(2 * o.mirostatTau) };
}

function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) {
    const [a, b] = c.getRandomValues(new Uint32Array(2));
    return (a & 0x1fffff) * 4294967296 + b;
  }
  return Math.floor(Math.random() * 2 ** 53);
}

// counts() tallies into this array indexed by token id, then reads it back for the distinct ids
// only (and zeroes those): a Map updated per history token cost about 50 ns a token here, most of
// a step with a long history. Every id is checked before the tally starts, so a bad id throws
// with the array still all zeros.
let tally = new Int32Array(0);

/** Token counts of a history already read (readNumbers), each id checked against the vocabulary. */
function counts(fn: string, history: Float64Array | undefined, vocab: number, name: string, wanted: boolean): Map<number, number> {
  const c = new Map<number, number>();
  if (history === undefined) return c;
  for (let i = 0; i < history.length; i++) {
    const id = history[i];
    // (id | 0) === id: an integer in int32 range (vocab ≤ 2^21), a third faster here than
    // Number.isInteger, on a loop that runs over the whole history every call.
    if ((id | 0) !== id || id < 0 || id >= vocab) {
      throw new RangeError(`${fn}: ${name}[${i}] is ${show(id)}, not a token id in 0..${vocab - 1}`);
    }
  }
  if (!wanted) return c;
  if (tally.length < vocab) tally = new Int32Array(vocab);
  const distinct: number[] = [];
  for (let i = 0; i < history.length; i++) if (tally[history[i]]++ === 0) distinct.push(history[i]);
  for (const id of distinct) {
    c.set(id, tally[id]); // first-occurrence order, as the Map had it
    tally[id] = 0;
  }
  return c;
}

/** The per-row histories of a call: `history` for every row, or `histories[i]` for row i. */
function readHistories(fn: string, history: unknown, histories: unknown, rows: number): (Float64Array | undefined)[] {
  if (histories === undefined) return new Array<Float64Array | undefined>(rows).fill(readNumbers(fn, "history", history));
  if (history !== undefined) throw new TypeError(`${fn}: give history or histories, not both`);
  if (!Array.isArray(histories)) throw new TypeError(`${fn}: histories must be an array of one history per row; got ${show(histories)}`);
  const n = histories.length;
  if (n !== rows) throw new RangeError(`${fn}: histories has ${n} entries but there are ${rows} rows`);
  return Array.from({ length: n }, (_, i) => readNumbers(fn, `histories[${i}]`, histories[i]) ?? new Float64Array(0));
}

/** One row of a call: the options it is sampled with, the streams it draws from, its μ slot. */
interface RowPlan {
  o: Resolved;
  streams: Streams;
  slot: number;
}

/**
 * Samples every row of `logits` by its plan. The arguments are read once, first; the streams and
 * μ advance only when every row succeeded (a call that throws leaves them where they were). Rows
 * drawing from the same streams draw in row order.
 */
function run(b: Backend, fn: string, logits: unknown, plans: RowPlan[], hs: (Float64Array | undefined)[], perRowNames: boolean, dtype: Dtype | undefined): SampleResult[] {
  const x = readLogits(fn, logits, dtype);
  const n = x.length, rows = plans.length;
  if (n % rows !== 0) {
    throw new RangeError(`${fn}: rows = ${rows} does not divide the input length ${n} into equal rows`);
  }
  const V = n / rows;
  if (V > 2 ** 21) throw new RangeError(`${fn}: a vocabulary of ${V} is more than the 2,097,152 tokens sampling supports`);
  for (const { o } of new Set(plans)) {
    for (const [id] of o.bias) {
      if (id >= V) throw new RangeError(`${fn}: logitBias has token id ${id}, beyond the vocabulary of ${V}`);
    }
  }
  // Rows sharing one history (and one set of options) share its counts and DRY penalties.
  const cache = new Map<Float64Array | undefined, { counts: Map<number, number>; dry: Map<Resolved, Map<number, number>> }>();
  const inputs = hs.map((h, row) => {
    let v = cache.get(h);
    if (!v) {
      // The ids are checked whatever the options; the counts are built only for the penalties.
      const name = perRowNames ? `histories[${row}]` : "history";
      const c = counts(fn, h, V, name, plans.some((p) => p.o.chain.includes("penalties")));
      v = { counts: c, dry: new Map() };
      cache.set(h, v);
    }
    const o = plans[row].o;
    let dry = v.dry.get(o);
    if (!dry) v.dry.set(o, (dry = o.dryMultiplier > 0 && h ? dryPenalties(h, o) : new Map<number, number>()));
    return { counts: v.counts, dry };
  });
  const k = b.rowKernels();
  // Raw logprobs reread the logits as given after the chain has edited the working row.
  const f = k.prepare(x.data, V, plans.some(({ o }) => o.logprobs !== undefined && !o.processed));
  const work = new Map<Streams, Streams>();
  for (const { streams } of plans) {
    if (!work.has(streams)) work.set(streams, { tokens: streams.tokens.slice(), xtc: streams.xtc.slice(), mu: streams.mu.slice() });
  }
  const out: SampleResult[] = [];
  for (let row = 0; row < rows; row++) {
    const { o, slot } = plans[row];
    const w = work.get(plans[row].streams)!;
    const u = nextUniform(w.tokens);
    const { counts, dry } = inputs[row];
    const st: RowState = { counts, dry, xtcCoin: o.xtcProbability > 0 ? nextUniform(w.xtc) : NaN, mu: w.mu[slot] };
    try {
      out.push(sampleRow(k, f.subarray(row * V, (row + 1) * V), o, st, u));
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      throw rowError(fn, e, row, V, x.given);
    }
    w.mu[slot] = st.mu;
  }
  for (const [streams, w] of work) {
    streams.tokens.set(w.tokens);
    streams.xtc.set(w.xtc);
    streams.mu.set(w.mu);
  }
  return out;
}

function rowError(fn: string, e: RowError, row: number, V: number, x: ArrayLike<number>): RangeError {
  const rowText = row > 0 || x.length > V ? ` (row ${row})` : "";
  const at = row * V + e.index;
  switch (e.kind) {
    case "nan":
      return new RangeError(`${fn}: logits[${at}] is NaN${rowText}`);
    case "inf":
      return x[at] === Infinity || x[at] > 3.4028234663852886e38
        ? new RangeError(`${fn}: logits[${at}] is ${show(x[at])}${rowText}; only -Infinity (masked) may be infinite`)
        : new RangeError(`${fn}: the logit of token ${e.index}${rowText} overflowed float32 after logitBias or penalties`);
    case "masked":
      return new RangeError(`${fn}: every logit${rowText} is -Infinity (every token masked), so there is nothing to sample`);
    case "banned":
      return new RangeError(`${fn}: logitBias bans every token${rowText} (all -Infinity), so there is nothing to sample`);
  }
}

/** One sampler's rows as plans: row i draws from its streams with μ slot i. */
function plansOf(o: Resolved, streams: Streams): RowPlan[] {
  const plans: RowPlan[] = [];
  for (let slot = 0; slot < o.rows; slot++) plans.push({ o, streams, slot });
  return plans;
}

export function sampleOn(getBackend: () => Backend, logits: unknown, options: unknown): number | Int32Array {
  const o = resolveOptions("sample", options);
  const streams = startStreams(o, o.seed ?? randomSeed());
  const results = run(getBackend(), "sample", logits, plansOf(o, streams), readHistories("sample", undefined, undefined, o.rows), false, o.dtype);
  return o.rows === 1 ? results[0].token : Int32Array.from(results, (r) => r.token);
}

/** The options and streams behind each sampler this package made, for sampleBatch. */
const internals = new WeakMap<object, { o: Resolved; streams: Streams }>();

export function createSamplerOn(getBackend: () => Backend, options: unknown): Sampler {
  const fn = "sampler.sample";
  const o = resolveOptions("createSampler", options);
  const seed = o.seed ?? randomSeed();
  const streams = startStreams(o, seed);
  const sampler: Sampler = {
    sample(logits, call) {
      const c = readOptions(fn, call, ["history", "histories"] as const);
      const hs = readHistories(fn, c.history, c.histories, o.rows);
      const results = run(getBackend(), fn, logits, plansOf(o, streams), hs, c.histories !== undefined, o.dtype);
      return o.rows === 1 ? results[0] : results;
    },
    reset() {
      const fresh = startStreams(o, seed);
      streams.tokens.set(fresh.tokens);
      streams.xtc.set(fresh.xtc);
      streams.mu.set(fresh.mu);
    },
  };
  internals.set(sampler, { o, streams });
  return sampler;
}

/** Per-call input of sampleBatch. */
export interface SampleBatchCall {
  /** One history per row (row i's penalties and DRY read histories[i]). */
  histories?: readonly ArrayLike<number>[];
  /** What a Uint16Array of logits holds: "float16" or "bfloat16" bits. */
  dtype?: "float32" | "float16" | "bfloat16";
}

export function sampleBatchOn(getBackend: () => Backend, logits: unknown, samplers: unknown, call: unknown): SampleResult[] {
  const fn = "sampleBatch";
  const c = readOptions(fn, call, ["histories", "dtype"] as const);
  const dtype = readDtype(fn, c.dtype);
  if (!Array.isArray(samplers)) throw new TypeError(`${fn}: samplers must be an array of samplers from createSampler; got ${show(samplers)}`);
  const list = Array.from({ length: samplers.length }, (_, i) => samplers[i] as unknown); // read once
  if (list.length === 0) throw new RangeError(`${fn}: samplers is empty`);
  const plans = list.map((s, i): RowPlan => {
    const inner = s !== null && typeof s === "object" ? internals.get(s) : undefined;
    if (!inner) throw new TypeError(`${fn}: samplers[${i}] is ${show(s)}, not a sampler from createSampler`);
    if (inner.o.rows !== 1) throw new RangeError(`${fn}: samplers[${i}] was created with rows = ${inner.o.rows}; each batch row needs a sampler of one row`);
    return { o: inner.o, streams: inner.streams, slot: 0 };
  });
  const hs = readHistories(fn, undefined, c.histories, list.length);
  return run(getBackend(), fn, logits, plans, hs, c.histories !== undefined, dtype);
}
