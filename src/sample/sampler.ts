// The bodies of sample() (stateless) and createSampler() (owns its random stream), on the backend
// that getBackend() returns at each call. src/index.ts and src/js.ts bind and document them.

import type { Backend } from "../backend.js";
import { jumped, nextUniform, seedState, type RngState } from "../js/rng.js";
import { readLogits, readNumbers, readOptions } from "../input.js";
import { show } from "../validate.js";
import { RowError, sampleRow, type RowState, type SampleResult } from "./chain.js";
import { dryPenalties } from "./dry.js";
import { resolveOptions, type Resolved, type SamplerOptions } from "./options.js";

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
  return { tokens, xtc: jumped(tokens), mu: new Float64Array(o.rows).fill(2 * o.mirostatTau) };
}

function randomSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) {
    const [a, b] = c.getRandomValues(new Uint32Array(2));
    return (a & 0x1fffff) * 4294967296 + b;
  }
  return Math.floor(Math.random() * 2 ** 53);
}

/** Token counts of a history already read (readNumbers), each id checked against the vocabulary. */
function counts(fn: string, history: Float64Array | undefined, vocab: number, name = "history"): Map<number, number> {
  const c = new Map<number, number>();
  if (history === undefined) return c;
  for (let i = 0; i < history.length; i++) {
    const id = history[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new RangeError(`${fn}: ${name}[${i}] is ${show(id)}, not a token id in 0..${vocab - 1}`);
    }
    c.set(id, (c.get(id) ?? 0) + 1);
  }
  return c;
}

/**
 * Samples every row. The arguments are read once, first; the random stream advances only when
 * the whole call succeeds (a call that throws leaves it where it was).
 */
/** The per-row histories of a call: `history` for every row, or `histories[i]` for row i. */
function readHistories(fn: string, history: unknown, histories: unknown, rows: number): (Float64Array | undefined)[] {
  if (histories === undefined) return new Array<Float64Array | undefined>(rows).fill(readNumbers(fn, "history", history));
  if (history !== undefined) throw new TypeError(`${fn}: give history or histories, not both`);
  if (!Array.isArray(histories)) throw new TypeError(`${fn}: histories must be an array of one history per row; got ${show(histories)}`);
  const n = histories.length;
  if (n !== rows) throw new RangeError(`${fn}: histories has ${n} entries but there are ${rows} rows`);
  return Array.from({ length: n }, (_, i) => readNumbers(fn, `histories[${i}]`, histories[i]) ?? new Float64Array(0));
}

function run(b: Backend, fn: string, logits: unknown, o: Resolved, streams: Streams, history: unknown, histories?: unknown): SampleResult[] {
  const hs = readHistories(fn, history, histories, o.rows);
  const x = readLogits(fn, logits);
  const n = x.f32.length;
  if (n % o.rows !== 0) {
    throw new RangeError(`${fn}: rows = ${o.rows} does not divide the input length ${n} into equal rows`);
  }
  const V = n / o.rows;
  if (V > 2 ** 21) throw new RangeError(`${fn}: a vocabulary of ${V} is more than the 2,097,152 tokens sampling supports`);
  for (const [id] of o.bias) {
    if (id >= V) throw new RangeError(`${fn}: logitBias has token id ${id}, beyond the vocabulary of ${V}`);
  }
  // Rows sharing one history share its counts and DRY penalties.
  const perHistory = new Map<Float64Array | undefined, { counts: Map<number, number>; dry: Map<number, number> }>();
  const rowInputs = hs.map((h, row) => {
    let v = perHistory.get(h);
    if (!v) {
      const name = histories === undefined ? "history" : `histories[${row}]`;
      v = { counts: counts(fn, h, V, name), dry: o.dryMultiplier > 0 && h ? dryPenalties(h, o) : new Map<number, number>() };
      perHistory.set(h, v);
    }
    return v;
  });
  const k = b.rowKernels();
  const f = k.prepare(x.f32, V);
  const tokens = streams.tokens.slice(), xtcStream = streams.xtc.slice(), mu = streams.mu.slice();
  const out: SampleResult[] = [];
  for (let row = 0; row < o.rows; row++) {
    const u = nextUniform(tokens);
    const st: RowState = { counts: rowInputs[row].counts, dry: rowInputs[row].dry, xtcCoin: o.xtcProbability > 0 ? nextUniform(xtcStream) : NaN, mu: mu[row] };
    try {
      out.push(sampleRow(k, f.subarray(row * V, (row + 1) * V), o, st, u));
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      throw rowError(fn, e, row, V, x.given);
    }
    mu[row] = st.mu;
  }
  streams.tokens.set(tokens);
  streams.xtc.set(xtcStream);
  streams.mu.set(mu);
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

export function sampleOn(getBackend: () => Backend, logits: unknown, options: unknown): number | Int32Array {
  const o = resolveOptions("sample", options);
  const results = run(getBackend(), "sample", logits, o, startStreams(o, o.seed ?? randomSeed()), undefined);
  return o.rows === 1 ? results[0].token : Int32Array.from(results, (r) => r.token);
}

export function createSamplerOn(getBackend: () => Backend, options: unknown): Sampler {
  const o = resolveOptions("createSampler", options);
  const seed = o.seed ?? randomSeed();
  const streams = startStreams(o, seed);
  return {
    sample(logits, call) {
      const c = readOptions("sampler.sample", call, ["history", "histories"] as const);
      const results = run(getBackend(), "sampler.sample", logits, o, streams, c.history, c.histories);
      return o.rows === 1 ? results[0] : results;
    },
    reset() {
      const fresh = startStreams(o, seed);
      streams.tokens.set(fresh.tokens);
      streams.xtc.set(fresh.xtc);
      streams.mu.set(fresh.mu);
    },
  };
}
