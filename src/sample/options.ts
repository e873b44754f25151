// Sampling options: their types, defaults ("off"), validation and the stage orders.

import { isMap, mapEntries, readDtype, readNumbers, readOptions, type Dtype } from "../input.js";
import { show } from "../validate.js";

/** A stage of the sampling chain. */
export type StageName =
  | "bias" | "penalties" | "dry" | "temperature" | "topK" | "topP" | "minP" | "typicalP"
  | "topNSigma" | "xtc" | "epsilon" | "eta" | "mirostat";

/** Named chain orders, as llama.cpp, HF transformers and vLLM apply them. */
export type OrderPreset = "hf" | "llama.cpp" | "vllm";

/** Options of sample() and createSampler(); every one defaults to "off". */
export interface SamplerOptions {
  /** Divide logits by T (default 1). 0 = greedy (argmax after bias and penalties). */
  temperature?: number;
  /** Keep the k highest logits, ties to the lowest ids (default 0 = off). */
  topK?: number;
  /** Keep the smallest most-probable set with mass ≥ p, the crossing token included (default 1 = off). */
  topP?: number;
  /** Keep tokens with p ≥ minP · p_max (default 0 = off). */
  minP?: number;
  /** Locally typical sampling, HF semantics (default 1 = off). */
  typicalP?: number;
  /** CTRL penalty on tokens in the history: l > 0 ? l / r : l · r (default 1 = off). */
  repetitionPenalty?: number;
  /** l −= count · frequencyPenalty (default 0 = off). */
  frequencyPenalty?: number;
  /** l −= presencePenalty when count > 0 (default 0 = off). */
  presencePenalty?: number;
  /** Added to the logits by token id; −Infinity bans a token. */
  logitBias?: Record<number, number> | Map<number, number>;
  /** Seed of the xoshiro128** stream: an integer in [0, 2^53) (default: random). */
  seed?: number;
  /** Stage order: a preset (default "hf") or an explicit array of stage names. */
  order?: OrderPreset | readonly StageName[];
  /** Return the chosen token's logprob and this many top logprobs (0..20; default off). */
  logprobs?: number;
  /** "raw": log-softmax of the logits as given (default); "processed": of the distribution drawn from. */
  logprobsMode?: "raw" | "processed";
  /** Rows in the input, one token sampled per row (default 1). */
  rows?: number;
  /** What a Uint16Array of logits holds: "float16" or "bfloat16" bits (a Float16Array says it itself). */
  dtype?: "float32" | "float16" | "bfloat16";
  /** Top-n-σ (llama.cpp): keep l ≥ max − n·σ over the finite kept logits (default 0 = off). */
  topNSigma?: number;
  /** XTC: the chance, per sampled row, of excluding the top choices (default 0 = off; [0, 1]). */
  xtcProbability?: number;
  /** XTC: the probability a token must reach to count as a top choice (default 0.1; (0, 0.5]). */
  xtcThreshold?: number;
  /** DRY: the penalty multiplier (default 0 = off). */
  dryMultiplier?: number;
  /** DRY: the base of the penalty's exponential growth (default 1.75; > 1). */
  dryBase?: number;
  /** DRY: repeats shorter than this are not penalised (default 2; an integer ≥ 1). */
  dryAllowedLength?: number;
  /** DRY: how many of the latest history tokens to search (default 0 = all). */
  dryLastN?: number;
  /** DRY: token ids that no repeat may span (default none). */
  dryBreakers?: ArrayLike<number>;
  /** Mirostat version: 0 (off), 1 or 2 (default 0). */
  mirostat?: 0 | 1 | 2;
  /** Mirostat: the target surprise τ in bits (default 5); μ starts at 2τ. */
  mirostatTau?: number;
  /** Mirostat: the learning rate η of μ (default 0.1). */
  mirostatEta?: number;
  /** Mirostat v1: how many top tokens estimate the Zipf exponent (default 100). */
  mirostatM?: number;
  /** Dynamic temperature: T ranges over [max(0, T − range), T + range] by entropy (default 0 = off). */
  dynatempRange?: number;
  /** Dynamic temperature: the exponent on the normalised entropy (default 1; > 0). */
  dynatempExponent?: number;
  /** Epsilon sampling (HF): remove tokens with p < ε, keeping the most probable (default 0 = off; (0, 1)). */
  epsilonCutoff?: number;
  /** Eta sampling (HF): remove tokens with p < min(ε, √ε·e^(−H)) (default 0 = off; (0, 1)). */
  etaCutoff?: number;
}

export const PRESETS: Record<OrderPreset, readonly StageName[]> = {
  hf: ["bias", "penalties", "temperature", "topK", "topP", "minP", "typicalP", "epsilon", "eta"],
  "llama.cpp": ["bias", "penalties", "dry", "topNSigma", "topK", "typicalP", "topP", "minP", "xtc", "temperature"],
  vllm: ["bias", "penalties", "temperature", "minP", "topK", "topP"],
};

/** With mirostat on, a preset becomes this chain (as llama.cpp builds it, penalties kept). */
export const MIROSTAT_CHAIN: readonly StageName[] = ["bias", "penalties", "temperature", "mirostat"];

const STAGES: readonly StageName[] = [
  "bias", "penalties", "dry", "temperature", "topK", "topP", "minP", "typicalP", "topNSigma", "xtc", "epsilon", "eta", "mirostat",
];
const KEYS = [
  "temperature", "topK", "topP", "minP", "typicalP", "repetitionPenalty", "frequencyPenalty",
  "presencePenalty", "logitBias", "seed", "order", "logprobs", "logprobsMode", "rows",
  "topNSigma", "xtcProbability", "xtcThreshold", "dryMultiplier", "dryBase", "dryAllowedLength",
  "dryLastN", "dryBreakers", "mirostat", "mirostatTau", "mirostatEta", "mirostatM", "dynatempRange",
  "dynatempExponent", "epsilonCutoff", "etaCutoff", "dtype",
] as const;

/** Validated options: numbers filled with their "off" values, the chain reduced to active stages. */
export interface Resolved {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  typicalP: number;
  repetitionPenalty: number;
  frequencyPenalty: number;
  presencePenalty: number;
  bias: [number, number][];
  seed: number | undefined;
  topNSigma: number;
  xtcProbability: number;
  xtcThreshold: number;
  dryMultiplier: number;
  dryBase: number;
  dryAllowedLength: number;
  dryLastN: number;
  dryBreakers: Set<number>;
  mirostat: 0 | 1 | 2;
  mirostatTau: number;
  mirostatEta: number;
  mirostatM: number;
  dynatempRange: number;
  dynatempExponent: number;
  epsilonCutoff: number;
  etaCutoff: number;
  dtype: Dtype | undefined;
  /** T = 0 without dynamic temperature: the argmax after the logit-editing stages. */
  greedy: boolean;
  /** The stages that do something, in order. */
  chain: StageName[];
  logprobs: number | undefined;
  processed: boolean;
  rows: number;
}

function num(fn: string, key: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number") throw new TypeError(`${fn}: ${key} must be a number; got ${show(v)}`);
  if (Number.isNaN(v)) throw new RangeError(`${fn}: ${key} must not be NaN`);
  return v;
}

function check(ok: boolean, fn: string, key: string, v: number, want: string): void {
  if (!ok) throw new RangeError(`${fn}: ${key} must be ${want}; got ${show(v)}`);
}

/** Validates sampler options; every failure names the option and the value. */
export function resolveOptions(fn: string, options: unknown): Resolved {
  // Own properties only, each read once: an inherited Object.prototype.temperature is ignored.
  const o = readOptions(fn, options, KEYS);
  const temperature = num(fn, "temperature", o.temperature, 1);
  check(temperature >= 0, fn, "temperature", temperature, "≥ 0 (0 = greedy)");
  const topK = num(fn, "topK", o.topK, 0);
  check(Number.isInteger(topK) && topK >= 0, fn, "topK", topK, "a non-negative integer (0 = off)");
  const topP = num(fn, "topP", o.topP, 1);
  check(topP > 0 && topP <= 1, fn, "topP", topP, "in (0, 1] (1 = off)");
  const minP = num(fn, "minP", o.minP, 0);
  check(minP >= 0 && minP <= 1, fn, "minP", minP, "in [0, 1] (0 = off)");
  const typicalP = num(fn, "typicalP", o.typicalP, 1);
  check(typicalP > 0 && typicalP <= 1, fn, "typicalP", typicalP, "in (0, 1] (1 = off)");
  const repetitionPenalty = num(fn, "repetitionPenalty", o.repetitionPenalty, 1);
  check(repetitionPenalty > 0 && repetitionPenalty < Infinity, fn, "repetitionPenalty", repetitionPenalty, "a finite number > 0 (1 = off)");
  const frequencyPenalty = num(fn, "frequencyPenalty", o.frequencyPenalty, 0);
  check(Number.isFinite(frequencyPenalty), fn, "frequencyPenalty", frequencyPenalty, "finite (0 = off)");
  const presencePenalty = num(fn, "presencePenalty", o.presencePenalty, 0);
  check(Number.isFinite(presencePenalty), fn, "presencePenalty", presencePenalty, "finite (0 = off)");

  let seed: number | undefined;
  if (o.seed !== undefined) {
    seed = num(fn, "seed", o.seed, 0);
    check(Number.isInteger(seed) && seed >= 0 && seed <= Number.MAX_SAFE_INTEGER, fn, "seed", seed, "an integer in [0, 2^53)");
  }

  let logprobs: number | undefined;
  if (o.logprobs !== undefined) {
    logprobs = num(fn, "logprobs", o.logprobs, 0);
    check(Number.isInteger(logprobs) && logprobs >= 0 && logprobs <= 20, fn, "logprobs", logprobs, "an integer in 0..20");
  }
  const mode = o.logprobsMode === undefined ? "raw" : o.logprobsMode;
  if (mode !== "raw" && mode !== "processed") {
    throw new RangeError(`${fn}: logprobsMode must be "raw" or "processed"; got ${show(mode)}`);
  }

  const rows = num(fn, "rows", o.rows, 1);
  check(Number.isInteger(rows) && rows >= 1, fn, "rows", rows, "a positive integer");

  const topNSigma = num(fn, "topNSigma", o.topNSigma, 0);
  check(topNSigma >= 0 && topNSigma < Infinity, fn, "topNSigma", topNSigma, "a finite number ≥ 0 (0 = off)");
  const xtcProbability = num(fn, "xtcProbability", o.xtcProbability, 0);
  check(xtcProbability >= 0 && xtcProbability <= 1, fn, "xtcProbability", xtcProbability, "in [0, 1] (0 = off)");
  const xtcThreshold = num(fn, "xtcThreshold", o.xtcThreshold, 0.1);
  check(xtcThreshold > 0 && xtcThreshold <= 0.5, fn, "xtcThreshold", xtcThreshold, "in (0, 0.5]");
  const dryMultiplier = num(fn, "dryMultiplier", o.dryMultiplier, 0);
  check(dryMultiplier >= 0 && dryMultiplier < Infinity, fn, "dryMultiplier", dryMultiplier, "a finite number ≥ 0 (0 = off)");
  const dryBase = num(fn, "dryBase", o.dryBase, 1.75);
  check(dryBase > 1 && dryBase < Infinity, fn, "dryBase", dryBase, "a finite number > 1");
  const dryAllowedLength = num(fn, "dryAllowedLength", o.dryAllowedLength, 2);
  check(Number.isInteger(dryAllowedLength) && dryAllowedLength >= 1, fn, "dryAllowedLength", dryAllowedLength, "an integer ≥ 1");
  const dryLastN = num(fn, "dryLastN", o.dryLastN, 0);
  check(Number.isInteger(dryLastN) && dryLastN >= 0, fn, "dryLastN", dryLastN, "an integer ≥ 0 (0 = the whole history)");
  const dryBreakers = new Set<number>();
  const breakers = readNumbers(fn, "dryBreakers", o.dryBreakers);
  if (breakers) {
    for (let i = 0; i < breakers.length; i++) {
      const id = breakers[i];
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`${fn}: dryBreakers[${i}] is ${show(id)}, not a token id`);
      dryBreakers.add(id);
    }
  }
  const mirostat = num(fn, "mirostat", o.mirostat, 0);
  if (mirostat !== 0 && mirostat !== 1 && mirostat !== 2) throw new RangeError(`${fn}: mirostat must be 0 (off), 1 or 2; got ${show(mirostat)}`);
  const mirostatTau = num(fn, "mirostatTau", o.mirostatTau, 5);
  check(mirostatTau >= 0 && mirostatTau < Infinity, fn, "mirostatTau", mirostatTau, "a finite number ≥ 0");
  const mirostatEta = num(fn, "mirostatEta", o.mirostatEta, 0.1);
  check(mirostatEta >= 0 && mirostatEta < Infinity, fn, "mirostatEta", mirostatEta, "a finite number ≥ 0");
  const mirostatM = num(fn, "mirostatM", o.mirostatM, 100);
  check(Number.isInteger(mirostatM) && mirostatM >= 2, fn, "mirostatM", mirostatM, "an integer ≥ 2");
  const dynatempRange = num(fn, "dynatempRange", o.dynatempRange, 0);
  check(dynatempRange >= 0 && dynatempRange < Infinity, fn, "dynatempRange", dynatempRange, "a finite number ≥ 0 (0 = off)");
  const dynatempExponent = num(fn, "dynatempExponent", o.dynatempExponent, 1);
  check(dynatempExponent > 0 && dynatempExponent < Infinity, fn, "dynatempExponent", dynatempExponent, "a finite number > 0");
  const epsilonCutoff = num(fn, "epsilonCutoff", o.epsilonCutoff, 0);
  check(epsilonCutoff === 0 || (epsilonCutoff > 0 && epsilonCutoff < 1), fn, "epsilonCutoff", epsilonCutoff, "in (0, 1) (0 = off)");
  const etaCutoff = num(fn, "etaCutoff", o.etaCutoff, 0);
  check(etaCutoff === 0 || (etaCutoff > 0 && etaCutoff < 1), fn, "etaCutoff", etaCutoff, "in (0, 1) (0 = off)");

  const bias = readBias(fn, o.logitBias);
  const preset = o.order === undefined || typeof o.order === "string";
  let order = readOrder(fn, o.order);
  if (mirostat !== 0 && preset) order = MIROSTAT_CHAIN;
  if (mirostat !== 0 && order.includes("mirostat") && order.indexOf("mirostat") !== order.length - 1) {
    throw new RangeError(`${fn}: "mirostat" must be the last stage of the order; got ${JSON.stringify(order)}`);
  }

  // Keep only the stages that do something; a stage set to a non-default value but missing from
  // the order would be silently ignored, so that is an error.
  const active: Record<StageName, boolean> = {
    bias: bias.length > 0,
    penalties: repetitionPenalty !== 1 || frequencyPenalty !== 0 || presencePenalty !== 0,
    dry: dryMultiplier > 0,
    temperature: temperature !== 1 || dynatempRange > 0,
    topK: topK !== 0,
    topP: topP !== 1,
    minP: minP !== 0,
    typicalP: typicalP !== 1,
    topNSigma: topNSigma > 0,
    xtc: xtcProbability > 0,
    epsilon: epsilonCutoff > 0,
    eta: etaCutoff > 0,
    mirostat: mirostat !== 0,
  };
  for (const stage of STAGES) {
    if (active[stage] && !order.includes(stage)) {
      const name = mirostat !== 0 && preset ? `${JSON.stringify(o.order ?? "hf")} with mirostat on (${MIROSTAT_CHAIN.join(" → ")})` : JSON.stringify(o.order ?? "hf");
      throw new RangeError(`${fn}: ${stage} is set but the order ${name} has no "${stage}" stage`);
    }
  }
  return {
    temperature, topK, topP, minP, typicalP, repetitionPenalty, frequencyPenalty, presencePenalty,
    bias, seed, logprobs, processed: mode === "processed", rows,
    topNSigma, xtcProbability, xtcThreshold, dryMultiplier, dryBase, dryAllowedLength, dryLastN, dryBreakers,
    mirostat, mirostatTau, mirostatEta, mirostatM, dynatempRange, dynatempExponent, epsilonCutoff, etaCutoff,
    dtype: readDtype(fn, o.dtype),
    greedy: temperature === 0 && dynatempRange === 0,
    chain: order.filter((s) => active[s]),
  };
}

function readOrder(fn: string, order: unknown): readonly StageName[] {
  if (order === undefined) return PRESETS.hf;
  if (typeof order === "string") {
    if (Object.prototype.hasOwnProperty.call(PRESETS, order)) return PRESETS[order as OrderPreset];
    throw new RangeError(`${fn}: order must be "hf", "llama.cpp", "vllm" or an array of stage names; got ${show(order)}`);
  }
  if (!Array.isArray(order)) throw new TypeError(`${fn}: order must be a preset name or an array; got ${show(order)}`);
  const copy: StageName[] = []; // read once, by index: no iterator, getters asked once
  for (let i = 0; i < order.length; i++) {
    const stage: unknown = order[i];
    if (typeof stage !== "string" || !(STAGES as readonly string[]).includes(stage)) {
      throw new RangeError(`${fn}: unknown stage ${show(stage)} in order; stages are ${STAGES.join(", ")}`);
    }
    copy.push(stage as StageName);
  }
  return copy;
}

function readBias(fn: string, bias: unknown): [number, number][] {
  if (bias === undefined) return [];
  let entries: [unknown, unknown][];
  // A Map of any realm (an iframe's, node:vm's) is read as a Map; anything else object-like by its
  // own enumerable keys.
  if (isMap(bias)) entries = mapEntries(bias);
  else if (bias !== null && typeof bias === "object" && !Array.isArray(bias)) entries = Object.entries(bias);
  else throw new TypeError(`${fn}: logitBias must be a Record<number, number> or a Map; got ${show(bias)}`);
  const seen = new Set<number>();
  return entries.map(([k, v]) => {
    // Only canonical integer keys ("1", not "01" or "1.0"), so that no token is biased twice.
    const id = typeof k === "string" && /^(0|[1-9]\d*)$/.test(k) ? Number(k) : k;
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      throw new RangeError(`${fn}: logitBias key ${show(k)} is not a token id (a non-negative integer)`);
    }
    if (seen.has(id)) throw new RangeError(`${fn}: logitBias has token id ${id} twice`);
    seen.add(id);
    if (typeof v !== "number") throw new TypeError(`${fn}: logitBias[${id}] must be a number; got ${show(v)}`);
    if (Number.isNaN(v) || v === Infinity) {
      throw new RangeError(`${fn}: logitBias[${id}] must be finite or -Infinity (a ban); got ${show(v)}`);
    }
    return [id, v] as [number, number];
  });
}
