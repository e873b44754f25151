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

/** The numeric options, read as one kind: the option's name, the field of Resolved it fills. */
type NumberKey = {
  [K in keyof Resolved & keyof SamplerOptions]: Resolved[K] extends number | undefined ? (SamplerOptions[K] extends number | undefined ? K : never) : never;
}[keyof Resolved & keyof SamplerOptions];

/**
 * A numeric option: its name, its "off" value (undefined: it stays undefined when not given), its
 * range, and that range in words for the error. One table rather than a call per option: each
 * name is written once (the bundle is 26 KB gzipped; issue #14).
 */
type NumberOption = readonly [key: NumberKey, dflt: number | undefined, ok: (v: number) => boolean, want: string];

const isInt = Number.isInteger;
const finiteAtLeast0 = (v: number) => v >= 0 && v < Infinity;
const inOpen0To1 = (v: number) => v === 0 || (v > 0 && v < 1);

// In the order they are checked (with two bad options, the error names the first), in three
// groups: logprobsMode is checked after the first, dryBreakers after the second.
const NUMBERS: readonly (readonly NumberOption[])[] = [[
  ["temperature", 1, (v) => v >= 0, "≥ 0 (0 = greedy)"],
  ["topK", 0, (v) => isInt(v) && v >= 0, "a non-negative integer (0 = off)"],
  ["topP", 1, (v) => v > 0 && v <= 1, "in (0, 1] (1 = off)"],
  ["minP", 0, (v) => v >= 0 && v <= 1, "in [0, 1] (0 = off)"],
  ["typicalP", 1, (v) => v > 0 && v <= 1, "in (0, 1] (1 = off)"],
  ["repetitionPenalty", 1, (v) => v > 0 && v < Infinity, "a finite number > 0 (1 = off)"],
  ["frequencyPenalty", 0, Number.isFinite, "finite (0 = off)"],
  ["presencePenalty", 0, Number.isFinite, "finite (0 = off)"],
  ["seed", undefined, (v) => isInt(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER, "an integer in [0, 2^53)"],
  ["logprobs", undefined, (v) => isInt(v) && v >= 0 && v <= 20, "an integer in 0..20"],
], [
  ["rows", 1, (v) => isInt(v) && v >= 1, "a positive integer"],
  ["topNSigma", 0, finiteAtLeast0, "a finite number ≥ 0 (0 = off)"],
  ["xtcProbability", 0, (v) => v >= 0 && v <= 1, "in [0, 1] (0 = off)"],
  ["xtcThreshold", 0.1, (v) => v > 0 && v <= 0.5, "in (0, 0.5]"],
  ["dryMultiplier", 0, finiteAtLeast0, "a finite number ≥ 0 (0 = off)"],
  ["dryBase", 1.75, (v) => v > 1 && v < Infinity, "a finite number > 1"],
  ["dryAllowedLength", 2, (v) => isInt(v) && v >= 1, "an integer ≥ 1"],
  ["dryLastN", 0, (v) => isInt(v) && v >= 0, "an integer ≥ 0 (0 = the whole history)"],
], [
  ["mirostat", 0, (v) => v === 0 || v === 1 || v === 2, "0 (off), 1 or 2"],
  ["mirostatTau", 5, finiteAtLeast0, "a finite number ≥ 0"],
  ["mirostatEta", 0.1, finiteAtLeast0, "a finite number ≥ 0"],
  ["mirostatM", 100, (v) => isInt(v) && v >= 2, "an integer ≥ 2"],
  ["dynatempRange", 0, finiteAtLeast0, "a finite number ≥ 0 (0 = off)"],
  ["dynatempExponent", 1, (v) => v > 0 && v < Infinity, "a finite number > 0"],
  ["epsilonCutoff", 0, inOpen0To1, "in (0, 1) (0 = off)"],
  ["etaCutoff", 0, inOpen0To1, "in (0, 1) (0 = off)"],
]];

/** Validates sampler options; every failure names the option and the value. */
export function resolveOptions(fn: string, options: unknown): Resolved {
  // Own properties only, each read once: an inherited Object.prototype.temperature is ignored.
  const o = readOptions(fn, options, KEYS);
  const r = {} as Resolved;
  /** Reads and checks a group of NUMBERS into r. */
  const numbers = (group: readonly NumberOption[]) => {
    for (const [key, dflt, ok, want] of group) {
      const v = o[key];
      if (v === undefined) {
        (r as Record<NumberKey, number | undefined>)[key] = dflt;
        continue;
      }
      if (typeof v !== "number") throw new TypeError(`${fn}: ${key} must be a number; got ${show(v)}`);
      if (Number.isNaN(v)) throw new RangeError(`${fn}: ${key} must not be NaN`);
      if (!ok(v)) throw new RangeError(`${fn}: ${key} must be ${want}; got ${show(v)}`);
      (r as Record<NumberKey, number | undefined>)[key] = v;
    }
  };
  numbers(NUMBERS[0]);
  const mode = o.logprobsMode === undefined ? "raw" : o.logprobsMode;
  if (mode !== "raw" && mode !== "processed") {
    throw new RangeError(`${fn}: logprobsMode must be "raw" or "processed"; got ${show(mode)}`);
  }
  numbers(NUMBERS[1]);
  const dryBreakers = new Set<number>();
  const breakers = readNumbers(fn, "dryBreakers", o.dryBreakers);
  if (breakers) {
    for (let i = 0; i < breakers.length; i++) {
      const id = breakers[i];
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`${fn}: dryBreakers[${i}] is ${show(id)}, not a token id`);
      dryBreakers.add(id);
    }
  }
  numbers(NUMBERS[2]);
  const { temperature, mirostat, dynatempRange } = r;

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
    penalties: r.repetitionPenalty !== 1 || r.frequencyPenalty !== 0 || r.presencePenalty !== 0,
    dry: r.dryMultiplier > 0,
    temperature: temperature !== 1 || dynatempRange > 0,
    topK: r.topK !== 0,
    topP: r.topP !== 1,
    minP: r.minP !== 0,
    typicalP: r.typicalP !== 1,
    topNSigma: r.topNSigma > 0,
    xtc: r.xtcProbability > 0,
    epsilon: r.epsilonCutoff > 0,
    eta: r.etaCutoff > 0,
    mirostat: mirostat !== 0,
  };
  for (const stage of STAGES) {
    if (active[stage] && !order.includes(stage)) {
      const name = mirostat !== 0 && preset ? `${JSON.stringify(o.order ?? "hf")} with mirostat on (${MIROSTAT_CHAIN.join(" → ")})` : JSON.stringify(o.order ?? "hf");
      throw new RangeError(`${fn}: ${stage} is set but the order ${name} has no "${stage}" stage`);
    }
  }
  r.bias = bias;
  r.dryBreakers = dryBreakers;
  r.processed = mode === "processed";
  r.dtype = readDtype(fn, o.dtype);
  r.greedy = temperature === 0 && dynatempRange === 0;
  r.chain = order.filter((s) => active[s]);
  // A copy: built by keyed stores, an object of this many fields is in V8's dictionary mode, where
  // every read is a hash lookup (DRY's step, which reads its options in its loops, was 25 µs slower).
  return { ...r };
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
