// Sampling options: their types, defaults ("off"), validation and the stage orders.

import { isMap, mapEntries, readOptions } from "../input.js";
import { show } from "../validate.js";

/** A stage of the sampling chain. */
export type StageName = "bias" | "penalties" | "temperature" | "topK" | "topP" | "minP" | "typicalP";

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
}

export const PRESETS: Record<OrderPreset, readonly StageName[]> = {
  hf: ["bias", "penalties", "temperature", "topK", "topP", "minP", "typicalP"],
  "llama.cpp": ["bias", "penalties", "topK", "typicalP", "topP", "minP", "temperature"],
  vllm: ["bias", "penalties", "temperature", "minP", "topK", "topP"],
};

const STAGES: readonly StageName[] = PRESETS.hf;
const KEYS = [
  "temperature", "topK", "topP", "minP", "typicalP", "repetitionPenalty", "frequencyPenalty",
  "presencePenalty", "logitBias", "seed", "order", "logprobs", "logprobsMode", "rows",
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

  const bias = readBias(fn, o.logitBias);
  const order = readOrder(fn, o.order);

  // Keep only the stages that do something; a stage set to a non-default value but missing from
  // the order would be silently ignored, so that is an error.
  const active: Record<StageName, boolean> = {
    bias: bias.length > 0,
    penalties: repetitionPenalty !== 1 || frequencyPenalty !== 0 || presencePenalty !== 0,
    temperature: temperature !== 1,
    topK: topK !== 0,
    topP: topP !== 1,
    minP: minP !== 0,
    typicalP: typicalP !== 1,
  };
  for (const stage of STAGES) {
    if (active[stage] && !order.includes(stage)) {
      throw new RangeError(`${fn}: ${stage} is set but the order ${JSON.stringify(o.order ?? "hf")} has no "${stage}" stage`);
    }
  }
  return {
    temperature, topK, topP, minP, typicalP, repetitionPenalty, frequencyPenalty, presencePenalty,
    bias, seed, chain: order.filter((s) => active[s]), logprobs, processed: mode === "processed", rows,
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
