// Sampling: the chain against an independent float64 reference, boundary goldens, the random
// stream, the draw's distribution, determinism across backends, and option validation.

import { describe, expect, it } from "vitest";
import { createSampler, logSoftmax, sample, type SampleResult, type SamplerOptions } from "../src/index.js";
import { emptyState, keptTokens, type RowState } from "../src/sample/chain.js";
import { PRESETS, resolveOptions, type StageName } from "../src/sample/options.js";
import { backend } from "../src/runtime.js";
import { next32, nextUniform, seedState } from "../src/js/rng.js";
import { WasmBackend } from "../src/wasm/backend.js";
import { embeddedBytes, embeddedScalarBytes } from "../src/wasm/load.js";
import { BACKENDS, f32, llmLogits, rng, withBackend } from "./helpers.js";

// ---------- an independent float64 reference of every stage ----------

/** ambiguous: a top-p/typical-p/min-p boundary fell within 1e-6 of its threshold, where the
 * float32 library and this float64 reference may legitimately decide differently. */
interface Ref { kept: number[]; probs: Map<number, number>; ambiguous: boolean }

function refChain(x: Float32Array, o: SamplerOptions, history: number[] = []): Ref {
  const w = Array.from(x);
  const counts = new Map<number, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  const chain: readonly StageName[] = Array.isArray(o.order) ? o.order : PRESETS[(o.order as keyof typeof PRESETS) ?? "hf"];
  const T = o.temperature ?? 1;
  let invT = 1;
  let kept = w.map((v, i) => i).filter((i) => w[i] !== -Infinity);
  let ambiguous = false;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  const probs = (ids: number[]) => {
    const m = Math.max(...ids.map((i) => w[i]));
    const e = ids.map((i) => (invT === 0 ? 1 : Math.exp((w[i] - m) * invT)));
    const z = e.reduce((a, b) => a + b, 0);
    return new Map(ids.map((id, j) => [id, e[j] / z]));
  };
  const byDesc = (val: (i: number) => number) => (a: number, b: number) => val(b) - val(a) || a - b;
  for (const stage of chain) {
    if (stage === "bias") {
      const entries = o.logitBias instanceof Map ? [...o.logitBias] : Object.entries(o.logitBias ?? {}).map(([k, v]) => [Number(k), v]);
      for (const [id, b] of entries) w[id as number] = f32(w[id as number] + (b as number));
      kept = kept.filter((i) => w[i] !== -Infinity);
    } else if (stage === "penalties") {
      for (const [id, c] of counts) {
        let l = w[id];
        const r = o.repetitionPenalty ?? 1;
        if (r !== 1) l = l > 0 ? f32(l / r) : f32(l * r);
        w[id] = f32(l - (c * (o.frequencyPenalty ?? 0) + (c > 0 ? (o.presencePenalty ?? 0) : 0)));
      }
    } else if (stage === "temperature") {
      if (T === 0) return { kept: [kept.slice().sort(byDesc((i) => w[i]))[0]], probs: new Map(), ambiguous };
      invT = 1 / T;
    } else if (stage === "topK" && (o.topK ?? 0) > 0) {
      kept = kept.slice().sort(byDesc((i) => w[i])).slice(0, o.topK);
    } else if (stage === "topP" && (o.topP ?? 1) < 1) {
      const p = probs(kept);
      const order = kept.slice().sort(byDesc((i) => p.get(i)!));
      let run = 0, j = 0;
      while (j < order.length && run < o.topP!) {
        const before = run;
        run += p.get(order[j++])!;
        if (near(before, o.topP!) || near(run, o.topP!)) ambiguous = true;
      }
      kept = order.slice(0, Math.max(1, j));
    } else if (stage === "minP" && (o.minP ?? 0) > 0) {
      const p = probs(kept);
      const pmax = Math.max(...p.values());
      for (const i of kept) if (Math.abs(p.get(i)! - o.minP! * pmax) <= 1e-6 * o.minP! * pmax) ambiguous = true;
      kept = kept.filter((i) => p.get(i)! >= o.minP! * pmax);
    } else if (stage === "typicalP" && (o.typicalP ?? 1) < 1) {
      const p = probs(kept);
      let h = 0;
      for (const v of p.values()) if (v > 0) h -= v * Math.log(v);
      const score = (i: number) => Math.abs(-Math.log(p.get(i)!) - h);
      const order = kept.slice().sort((a, b) => score(a) - score(b) || a - b);
      let run = 0, j = 0;
      while (j < order.length && run < o.typicalP!) {
        const before = run;
        run += p.get(order[j++])!;
        if (near(before, o.typicalP!) || near(run, o.typicalP!)) ambiguous = true;
      }
      const cutScore = score(order[j - 1]); // HF: every token scoring no more than the cut stays
      while (j < order.length && score(order[j]) <= cutScore) j++;
      const gap = j < order.length ? Math.abs(score(order[j - 1]) - score(order[j])) : Infinity;
      if (gap > 0 && gap <= 1e-6 * score(order[j])) ambiguous = true; // nearly tied scores straddle the cut
      kept = order.slice(0, Math.max(1, j));
    }
  }
  if (T === 0) return { kept: [kept.slice().sort(byDesc((i) => w[i]))[0]], probs: new Map(), ambiguous };
  kept.sort((a, b) => a - b);
  return { kept, probs: probs(kept), ambiguous };
}

function randomCase(seed: number): { x: Float32Array; o: SamplerOptions; history: number[] } {
  const r = rng(seed);
  const V = 2 + Math.floor(r() ** 2 * 4999);
  const x = llmLogits(V, seed);
  const style = seed % 4;
  for (let i = 0; i < V; i++) {
    if (style === 1) x[i] = Math.round(x[i]); // many exact ties
    if (style === 2 && r() < 0.3) x[i] = -Infinity; // masked
  }
  x[Math.floor(r() * V)] = 3; // at least one finite logit
  const pick = <T>(...v: T[]) => v[Math.floor(r() * v.length)];
  const o: SamplerOptions = {
    order: pick("hf", "llama.cpp", "vllm"),
    temperature: pick(1, 0.7, 1.3, 0.2, 2.5),
    topK: pick(0, 0, 1, 5, 40, 200),
    topP: pick(1, 1, 0.9, 0.5, 0.99),
    minP: pick(0, 0, 0.05, 0.2),
  };
  if (o.order !== "vllm") o.typicalP = pick(1, 1, 0.9, 0.5);
  const history = Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * V));
  if (r() < 0.5) Object.assign(o, { repetitionPenalty: pick(1.1, 1.5, 0.8), frequencyPenalty: pick(0, 0.5), presencePenalty: pick(0, 0.3) });
  if (r() < 0.3) o.logitBias = { [Math.floor(r() * V)]: pick(-Infinity, 2, -3) };
  return { x, o, history };
}

function counts(history: number[]): RowState {
  const c = new Map<number, number>();
  for (const id of history) c.set(id, (c.get(id) ?? 0) + 1);
  return { ...emptyState(resolveOptions("test", {})), counts: c };
}

describe.each(BACKENDS)("the chain on %s", (name) => {
  it("keeps exactly the reference's tokens in 400 seeded cases (V 2–5000, all three presets, ties, masks, penalties, bias), except ≤ 1% of cases whose boundary is within 1e-6 of its threshold", () => {
    withBackend(name, () => {
      let ambiguous = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const { x, o, history } = randomCase(seed);
        const ref = refChain(x, o, history);
        const got = keptTokens(backend().rowKernels(), x, resolveOptions("test", o), counts(history));
        if (ref.ambiguous) ambiguous++;
        else expect(Array.from(got.kept), `seed ${seed} ${JSON.stringify(o)} V=${x.length}`).toEqual(ref.kept);
      }
      expect(ambiguous).toBeLessThanOrEqual(4);
    });
  });

  it("the renormalised probabilities of the kept set match the float64 reference within 1e-6 relative (processed logprobs)", () => {
    withBackend(name, () => {
      for (let seed = 1; seed <= 150; seed++) {
        const { x, o, history } = randomCase(seed);
        if (o.temperature === 0) continue;
        const ref = refChain(x, o, history);
        if (ref.kept.length > 20) continue;
        const res = createSampler({ ...o, seed, logprobs: 20, logprobsMode: "processed" }).sample(x, { history }) as SampleResult;
        expect(ref.kept).toContain(res.token);
        for (const { token, logprob } of res.topLogprobs!) {
          const p = ref.probs.get(token);
          if (p === undefined) expect(logprob, `seed ${seed}: token ${token} is outside the kept set`).toBe(-Infinity);
          else expect(Math.abs(Math.exp(logprob) - p) / p, `seed ${seed} token ${token}`).toBeLessThan(1e-6 + 2e-7 / p);
        }
        expect(res.topLogprobs!.length).toBe(Math.min(20, x.length));
        expect(res.topLogprobs!.filter((t) => t.logprob > -Infinity).length).toBe(ref.kept.length);
      }
    });
  });
});

describe("goldens at the boundaries", () => {
  const kept = (x: number[], o: SamplerOptions, history: number[] = []) =>
    Array.from(keptTokens(backend().rowKernels(), Float32Array.from(x), resolveOptions("test", o), counts(history)).kept);

  it.each(BACKENDS)("%s: top-p exactly reached stops at the crossing token; just past it takes the next (ties → lowest ids)", (name) => {
    withBackend(name, () => {
      expect(kept([0, 0, 0, 0], { topP: 0.5 })).toEqual([0, 1]);
      expect(kept([0, 0, 0, 0], { topP: 0.5000001 })).toEqual([0, 1, 2]);
      expect(kept([0, 0, 0, 0], { topP: 0.25 })).toEqual([0]);
      expect(kept([0, 0, 0, 0], { topP: 1e-9 })).toEqual([0]); // at least one token
    });
  });

  it.each(BACKENDS)("%s: top-k keeps exactly k, ties at the k-th place going to the lowest ids", (name) => {
    withBackend(name, () => {
      expect(kept([1, 3, 2, 2, 2], { topK: 2 })).toEqual([1, 2]);
      expect(kept([1, 3, 2, 2, 2], { topK: 3 })).toEqual([1, 2, 3]);
      expect(kept([5, 5, 5], { topK: 10 })).toEqual([0, 1, 2]);
      expect(kept([1, -Infinity, 2], { topK: 3 })).toEqual([0, 2]);
    });
  });

  it.each(BACKENDS)("%s: min-p keeps a token exactly at the ratio (p = minP·p_max)", (name) => {
    withBackend(name, () => {
      expect(kept([0, 0, -1], { minP: 1 })).toEqual([0, 1]);
      expect(kept([0, -0.5, -3], { minP: 0.5 })).toEqual([0, 1]);
    });
  });

  it.each(BACKENDS)("%s: typical-p keeps every token whose score equals the score at the cut (HF's rule)", (name) => {
    withBackend(name, () => {
      expect(kept([0, 0, 0], { typicalP: 0.5 })).toEqual([0, 1, 2]); // equal scores stay together
      expect(kept([2, 2, 2, 2], { typicalP: 0.75 })).toEqual([0, 1, 2, 3]);
      // Integer (quantised) logits: p ≈ [0.687, 0.093, 0.093, 0.093, 0.034], scores ≈ [0.660, 1.340 ×3, 2.340].
      // The mass reaches 0.7 at token 1, whose score tokens 2 and 3 share: all three are kept.
      expect(kept([3, 1, 1, 1, 0], { typicalP: 0.7 })).toEqual([0, 1, 2, 3]);
    });
  });

  it.each(BACKENDS)("%s: with every token banned but one, that token is always sampled", (name) => {
    withBackend(name, () => {
      const bias = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [i + (i >= 57 ? 1 : 0), -Infinity]));
      const s = createSampler({ logitBias: bias, seed: 3 });
      const x = llmLogits(100, 9);
      for (let i = 0; i < 50; i++) expect((s.sample(x) as SampleResult).token).toBe(57);
    });
  });

  it.each(BACKENDS)("%s: greedy (T = 0) is the argmax after bias and penalties, lowest id on ties, whatever the filters", (name) => {
    withBackend(name, () => {
      const x = [1, 4, 4, 2];
      expect(sample(x, { temperature: 0, topK: 1, topP: 0.1, minP: 0.5 })).toBe(1);
      expect(sample(x, { temperature: 0, logitBias: { 1: -1 } })).toBe(2);
      const r = createSampler({ temperature: 0, repetitionPenalty: 2, logprobs: 2, logprobsMode: "processed" }).sample(x, { history: [1] }) as SampleResult;
      expect(r.token).toBe(2);
      expect(r.logprob).toBe(0);
    });
  });

  it.each(BACKENDS)("%s: penalties lower both positive and negative logits (no sign bug)", (name) => {
    withBackend(name, () => {
      const o = resolveOptions("test", { repetitionPenalty: 2, frequencyPenalty: 0.5, presencePenalty: 0.25 });
      const { w } = keptTokens(backend().rowKernels(), Float32Array.from([2, -2, 1, 0]), o, counts([0, 1, 1]));
      expect(Array.from(w)).toEqual([2 / 2 - 0.5 - 0.25, -2 * 2 - 1 - 0.25, 1, 0]);
    });
  });
});

describe("the random stream", () => {
  it("xoshiro128** from state [1, 2, 3, 4] gives the reference outputs 11520, 0, 5927040", () => {
    const s = Uint32Array.of(1, 2, 3, 4);
    expect([next32(s), next32(s), next32(s)]).toEqual([11520, 0, 5927040]);
  });

  it("seeding is pinned: first outputs for seeds 0, 1, 42 and 2^53 − 1 never change", () => {
    const first = (seed: number) => { const s = seedState(seed); return [next32(s), next32(s), next32(s)]; };
    const pinned = [0, 1, 42, Number.MAX_SAFE_INTEGER].map(first);
    expect(pinned).toMatchInlineSnapshot(`
      [
        [
          3809008728,
          1133695204,
          53579671,
        ],
        [
          2442144158,
          3238099751,
          3819917871,
        ],
        [
          2837322924,
          544945897,
          479756282,
        ],
        [
          3368358275,
          587923902,
          2539869062,
        ],
      ]
    `);
    expect(new Set(pinned.map(String)).size).toBe(4);
  });

  it("the AssemblyScript generator (SIMD and scalar builds) gives the same 100,000 outputs and uniforms as the TS twin", () => {
    for (const bytes of [embeddedBytes().bytes, embeddedScalarBytes()]) {
      const k = new WasmBackend(new WebAssembly.Module(bytes)).kernels;
      const p = k.heap_base() + 64;
      for (const seed of [0, 7, 123456789]) {
        const ts = seedState(seed);
        new Uint32Array(k.memory.buffer, p, 4).set(ts);
        for (let i = 0; i < 50_000; i++) {
          expect(k.rng_next32(p) >>> 0).toBe(next32(ts));
          expect(k.rng_uniform(p)).toBe(nextUniform(ts));
        }
      }
    }
  });

  it("uniforms lie in [0, 1) with mean ≈ 1/2 (100,000 draws, within 0.005)", () => {
    const s = seedState(99);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = nextUniform(s);
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });
});

describe("draws", () => {
  it.each(BACKENDS)("%s: 40,000 seeded draws match a known distribution (chi-square, 3 dof, p > 0.001) and never leave the kept set", (name) => {
    withBackend(name, () => {
      const p = [0.1, 0.2, 0.3, 0.4, 0.05];
      const x = Float32Array.from(p, Math.log);
      const s = createSampler({ topK: 4, seed: 2024 });
      const n = 40_000;
      const seen = new Array(5).fill(0);
      for (let i = 0; i < n; i++) seen[(s.sample(x) as SampleResult).token]++;
      expect(seen[4]).toBe(0); // topK 4 drops the 0.05 token
      const z = 0.1 + 0.2 + 0.3 + 0.4;
      let chi2 = 0;
      for (let i = 0; i < 4; i++) chi2 += (seen[i] - (n * p[i]) / z) ** 2 / ((n * p[i]) / z);
      expect(chi2).toBeLessThan(16.27); // chi-square 3 dof, p = 0.001
    });
  });

  it("the same seed gives the same 200-token sequence on simd, wasm and js; different seeds differ", () => {
    const x = llmLogits(32000, 77);
    const seq = (seed: number, name: (typeof BACKENDS)[number], o: SamplerOptions) =>
      withBackend(name, () => {
        const s = createSampler({ ...o, seed });
        return Array.from({ length: 200 }, () => (s.sample(x, { history: [1, 2, 3] }) as SampleResult).token);
      });
    for (const o of [{ temperature: 0.9 }, { temperature: 0.7, topK: 40, topP: 0.95 }, { order: "llama.cpp" as const, topK: 40, topP: 0.9, minP: 0.02, typicalP: 0.95, temperature: 1.2 }, { temperature: 1.5, topP: 0.9, repetitionPenalty: 1.3 }]) {
      const [a, b, c] = BACKENDS.map((n) => seq(5, n, o));
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(seq(6, "simd", o)).not.toEqual(a);
    }
  });

  it("raw logprobs equal logSoftmax of the logits as given, and top logprobs are sorted by logprob then id", () => {
    const x = llmLogits(5000, 4);
    x[10] = x[11] = 30; // a tie at the top
    const ls = logSoftmax(x);
    const r = createSampler({ temperature: 0.5, topK: 3, seed: 1, logprobs: 5 }).sample(x) as SampleResult;
    expect(r.logprob).toBe(ls[r.token]);
    expect(r.topLogprobs![0]).toEqual({ token: 10, logprob: ls[10] });
    expect(r.topLogprobs![1]).toEqual({ token: 11, logprob: ls[11] });
    for (let i = 1; i < 5; i++) expect(r.topLogprobs![i].logprob).toBeLessThanOrEqual(r.topLogprobs![i - 1].logprob);
    expect(r.topLogprobs!.length).toBe(5);
    const off = createSampler({ seed: 1 }).sample(x) as SampleResult;
    expect(off).toEqual({ token: off.token });
  });

  it("rows: one token per row, each as if sampled alone with the stream's next uniform", () => {
    const a = llmLogits(1000, 1), b = llmLogits(1000, 2);
    const both = new Float32Array(2000);
    both.set(a);
    both.set(b, 1000);
    const batch = sample(both, { rows: 2, seed: 11, temperature: 0.8 }) as Int32Array;
    const s = createSampler({ seed: 11, temperature: 0.8 });
    expect(Array.from(batch)).toEqual([(s.sample(a) as SampleResult).token, (s.sample(b) as SampleResult).token]);
  });
});

describe("option validation", () => {
  const x = [1, 2, 3];
  it.each([
    [{ topP: 0 }, RangeError, /topP/],
    [{ topP: 1.5 }, RangeError, /topP/],
    [{ topK: -1 }, RangeError, /topK/],
    [{ topK: 2.5 }, RangeError, /topK/],
    [{ topK: "5" }, TypeError, /topK/],
    [{ minP: 2 }, RangeError, /minP/],
    [{ typicalP: 0 }, RangeError, /typicalP/],
    [{ repetitionPenalty: 0 }, RangeError, /repetitionPenalty/],
    [{ repetitionPenalty: -1 }, RangeError, /repetitionPenalty/],
    [{ temperature: -0.5 }, RangeError, /temperature/],
    [{ top_p: 0.9 }, TypeError, /top_p/],
    [{ order: "openai" }, RangeError, /order/],
    [{ order: ["topK", "nucleus"] }, RangeError, /nucleus/],
    [{ logitBias: { 5: 1 } }, RangeError, /token id 5/],
    [{ logitBias: { "-1": 1 } }, RangeError, /logitBias key/],
    [{ logitBias: { 1: NaN } }, RangeError, /logitBias\[1\]/],
    [{ logprobs: 21 }, RangeError, /logprobs/],
    [{ logprobsMode: "final" }, RangeError, /logprobsMode/],
    [{ seed: 1.5 }, RangeError, /seed/],
    [{ order: "vllm", typicalP: 0.9 }, RangeError, /typicalP.*vllm/],
  ] as [SamplerOptions, ErrorConstructor, RegExp][])("%j throws %s naming the option", (o, type, msg) => {
    let err: unknown;
    try {
      sample(x, { seed: 1, ...o });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(msg);
  });

  it("invalid logits and histories throw RangeErrors naming the index", () => {
    expect(() => sample([1, NaN, 2])).toThrow(/logits\[1\] is NaN/);
    expect(() => sample([1, Infinity])).toThrow(/logits\[1\] is Infinity/);
    expect(() => sample([-Infinity, -Infinity])).toThrow(/every logit/);
    expect(() => sample([1, 2], { logitBias: { 0: -Infinity, 1: -Infinity } })).toThrow(/bans every token/);
    expect(() => createSampler({ repetitionPenalty: 1.2 }).sample([1, 2], { history: [0, 7] })).toThrow(/history\[1\] is 7/);
    expect(() => createSampler().sample([1, 2], { hist: [0] } as never)).toThrow(TypeError);
  });
});
