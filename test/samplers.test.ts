// The samplers of SPEC §4 (top-n-σ, XTC, DRY, mirostat, dynamic temperature, ε/η) and the order
// honoured as written: an independent float64 reference of every stage against all three
// backends, hand-checked goldens, chi-square tests of XTC's coin and mirostat, determinism, reset
// and validation.

import { describe, expect, it } from "vitest";
import { createSampler, sample, sampleBatch, type SampleResult, type SamplerOptions } from "../src/index.js";
import { emptyState, keptTokens, sampleRow, type RowState } from "../src/sample/chain.js";
import { resolveOptions, type StageName } from "../src/sample/options.js";
import { backend } from "../src/runtime.js";
import { dryPenalties } from "../src/sample/dry.js";
import { BACKENDS, f32, llmLogits, rng, withBackend } from "./helpers.js";

const F32_MAX = 3.4028234663852886e38;

// ---------- an independent float64 reference ----------

interface Ref { kept: number[]; ambiguous: boolean }

/** DRY penalties by brute force (O(n²)): independent of the library's Z-function. */
function refDry(history: number[], o: SamplerOptions): Map<number, number> {
  const lastN = o.dryLastN ?? 0;
  const h = lastN > 0 ? history.slice(-lastN) : history;
  const n = h.length;
  const breakers = new Set(Array.from(o.dryBreakers ?? []));
  const allowed = o.dryAllowedLength ?? 2, base = o.dryBase ?? 1.75, mult = o.dryMultiplier ?? 0;
  const best = new Map<number, number>();
  for (let j = 0; j + 1 < n; j++) {
    let L = 0;
    while (L <= j && h[j - L] === h[n - 1 - L] && !breakers.has(h[n - 1 - L])) L++;
    if (L >= allowed) best.set(h[j + 1], Math.max(best.get(h[j + 1]) ?? 0, L));
  }
  return new Map([...best].map(([t, L]) => [t, Math.min(mult * base ** (L - allowed), F32_MAX)]));
}

/** The chain in float64, stage by stage as SPEC §4 words it. `coin` is XTC's uniform, `mu` mirostat's μ. */
function refChain(x: Float32Array, o: SamplerOptions, history: number[], coin: number, mu: number): Ref {
  const w = Array.from(x);
  const V = w.length;
  const chain: StageName[] = o.order as StageName[];
  let invT = 1; // the scale: f32(1/T), as documented
  let kept = w.map((_, i) => i).filter((i) => w[i] !== -Infinity);
  let ambiguous = false;
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1e-30, Math.abs(b));
  const probs = (ids: number[], scale = invT) => {
    const m = Math.max(...ids.map((i) => w[i]));
    const e = ids.map((i) => (scale === 0 ? 1 : Math.exp((w[i] - m) * scale)));
    const z = e.reduce((a, b) => a + b, 0);
    return new Map(ids.map((id, j) => [id, e[j] / z]));
  };
  const entropy = (p: Map<number, number>) => {
    let h = 0;
    for (const v of p.values()) if (v > 0) h -= v * Math.log(v);
    return h;
  };
  const byDesc = (val: (i: number) => number) => (a: number, b: number) => val(b) - val(a) || a - b;
  const top1 = () => [kept.slice().sort(byDesc((i) => w[i]))[0]];
  const keepAtLeast = (q: number) => {
    const p = probs(kept);
    for (const i of kept) if (near(p.get(i)!, q)) ambiguous = true;
    const k = kept.filter((i) => p.get(i)! >= q);
    return k.length ? k : top1();
  };
  const scaleOf = (t: number) => (t === Infinity ? 0 : Math.min(f32(1 / t), F32_MAX));
  // An editing stage after temperature acts on the scaled logits.
  const edit = (apply: () => void) => {
    if (invT !== 1) {
      for (let i = 0; i < V; i++) w[i] = w[i] === -Infinity ? -Infinity : f32(w[i] * invT);
      invT = 1;
    }
    apply();
    kept = kept.filter((i) => w[i] !== -Infinity);
  };
  const counts = new Map<number, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const stage of chain) {
    switch (stage) {
      case "bias":
        edit(() => {
          for (const [id, b] of Object.entries(o.logitBias ?? {})) w[Number(id)] = f32(w[Number(id)] + b);
        });
        break;
      case "penalties":
        edit(() => {
          for (const [id, c] of counts) {
            let l = w[id];
            const r = o.repetitionPenalty ?? 1;
            if (r !== 1) l = l > 0 ? f32(l / r) : f32(l * r);
            w[id] = f32(l - (c * (o.frequencyPenalty ?? 0) + (c > 0 ? (o.presencePenalty ?? 0) : 0)));
          }
        });
        break;
      case "dry":
        edit(() => {
          for (const [id, pen] of refDry(history, o)) w[id] = f32(w[id] - pen);
        });
        break;
      case "temperature": {
        let t = o.temperature ?? 1;
        const range = o.dynatempRange ?? 0;
        if (range > 0) {
          const p = probs(kept, 1);
          const ratio = kept.length <= 1 ? 0 : entropy(p) / Math.log(kept.length);
          const lo = Math.max(0, t - range), hi = t + range;
          t = lo + (hi - lo) * ratio ** (o.dynatempExponent ?? 1);
          if (t === 0) {
            kept = top1();
            break;
          }
        }
        invT = scaleOf(t);
        break;
      }
      case "topK":
        kept = kept.slice().sort(byDesc((i) => w[i])).slice(0, o.topK);
        break;
      case "topP": {
        const p = probs(kept);
        const order = kept.slice().sort(byDesc((i) => p.get(i)!));
        let run = 0, j = 0;
        while (j < order.length && run < o.topP!) {
          const before = run;
          run += p.get(order[j++])!;
          if (near(before, o.topP!) || near(run, o.topP!)) ambiguous = true;
        }
        kept = order.slice(0, Math.max(1, j));
        break;
      }
      case "minP": {
        const p = probs(kept);
        const pmax = Math.max(...p.values());
        for (const i of kept) if (near(p.get(i)!, o.minP! * pmax)) ambiguous = true;
        kept = kept.filter((i) => p.get(i)! >= o.minP! * pmax);
        break;
      }
      case "typicalP": {
        const p = probs(kept);
        const h = entropy(p);
        const score = (i: number) => Math.abs(-Math.log(p.get(i)!) - h);
        const order = kept.slice().sort((a, b) => score(a) - score(b) || a - b);
        let run = 0, j = 0;
        while (j < order.length && run < o.typicalP!) {
          const before = run;
          run += p.get(order[j++])!;
          if (near(before, o.typicalP!) || near(run, o.typicalP!)) ambiguous = true;
        }
        const cut = score(order[j - 1]);
        while (j < order.length && score(order[j]) <= cut) j++;
        if (j < order.length && near(score(order[j]), cut)) ambiguous = true;
        kept = order.slice(0, j);
        break;
      }
      case "topNSigma": {
        // Two passes in float64, four slots by id mod 4 (the documented order), so float64 agrees exactly.
        const finite = kept.filter((i) => Number.isFinite(w[i])).sort((a, b) => a - b);
        const slots = (f: (v: number) => number) => {
          const s = [0, 0, 0, 0];
          for (const i of finite) s[i % 4] += f(w[i]);
          return s[0] + s[1] + (s[2] + s[3]);
        };
        const mean = slots((v) => v) / finite.length;
        const sigma = Math.sqrt(slots((v) => (v - mean) * (v - mean)) / finite.length);
        const thr = Math.max(...finite.map((i) => w[i])) - o.topNSigma! * sigma;
        kept = kept.filter((i) => w[i] >= thr);
        break;
      }
      case "xtc": {
        if (!(coin < o.xtcProbability!)) break;
        const p = probs(kept);
        const thr = o.xtcThreshold ?? 0.1;
        for (const i of kept) if (near(p.get(i)!, thr)) ambiguous = true;
        const tops = kept.filter((i) => p.get(i)! >= thr).sort(byDesc((i) => p.get(i)!));
        if (tops.length >= 2) {
          const removed = new Set(tops.slice(0, -1));
          kept = kept.filter((i) => !removed.has(i));
        }
        break;
      }
      case "epsilon":
        kept = keepAtLeast(o.epsilonCutoff!);
        break;
      case "eta": {
        const h = entropy(probs(kept));
        kept = keepAtLeast(Math.min(o.etaCutoff!, Math.sqrt(o.etaCutoff!) * Math.exp(-h)));
        break;
      }
      case "mirostat": {
        if (o.mirostat === 2) {
          kept = keepAtLeast(2 ** -mu);
          break;
        }
        const p = probs(kept);
        const sorted = kept.slice().sort(byDesc((i) => w[i]));
        const m = o.mirostatM ?? 100;
        let tb = 0, tt = 0;
        for (let i = 0; i + 1 < Math.min(m, sorted.length); i++) {
          const b = Math.log(p.get(sorted[i])! / p.get(sorted[i + 1])!);
          if (!Number.isFinite(b)) break;
          const t = Math.log((i + 2) / (i + 1));
          tb += t * b;
          tt += t * t;
        }
        const sHat = tb / tt, eHat = sHat - 1;
        const k = ((eHat * 2 ** mu) / (1 - V ** -eHat)) ** (1 / sHat);
        const floorAt = (v: number) => Math.max(1, Math.floor(v));
        if (Number.isFinite(k) && floorAt(k * (1 - 1e-5)) !== floorAt(k * (1 + 1e-5))) ambiguous = true;
        const keep = Number.isFinite(k) ? Math.max(1, Math.floor(k)) : Number.isNaN(k) || k > 0 ? sorted.length : 1;
        kept = sorted.slice(0, keep);
        break;
      }
    }
  }
  if (o.temperature === 0 && !(o.dynatempRange! > 0)) return { kept: top1(), ambiguous };
  return { kept: kept.sort((a, b) => a - b), ambiguous };
}

// ---------- random cases per stage combination ----------

const NEW_STAGES = ["topNSigma", "xtc", "epsilon", "eta", "dynatemp", "mirostat1", "mirostat2", "dry", "editsAfterTemperature"] as const;
type Combo = (typeof NEW_STAGES)[number] | "mixed";

function randomCase(combo: Combo, seed: number) {
  const r = rng(seed * 7919 + NEW_STAGES.indexOf(combo as never) * 104729);
  const pick = <T>(...v: T[]) => v[Math.floor(r() * v.length)];
  const V = 2 + Math.floor(r() ** 2 * 1999);
  const x = llmLogits(V, seed);
  const style = seed % 4;
  for (let i = 0; i < V; i++) {
    if (style === 1) x[i] = Math.round(x[i]); // many exact ties
    if (style === 2 && r() < 0.3) x[i] = -Infinity; // masked
  }
  x[Math.floor(r() * V)] = 3;
  const history = Array.from({ length: Math.floor(r() * 60) }, () => Math.floor(r() * Math.min(V, 12)));
  const o: SamplerOptions = { temperature: pick(1, 0.7, 1.3, 0.3, 2.5) };
  const chain: StageName[] = [];
  const add = (combo: Combo) => {
    switch (combo) {
      case "topNSigma": o.topNSigma = pick(0.5, 1, 2, 3); chain.push("topNSigma"); break;
      case "xtc": o.xtcProbability = pick(0.5, 1); o.xtcThreshold = pick(0.05, 0.1, 0.3, 0.5); chain.push("xtc"); break;
      case "epsilon": o.epsilonCutoff = pick(1e-4, 3e-3, 0.02, 0.2); chain.push("epsilon"); break;
      case "eta": o.etaCutoff = pick(1e-4, 3e-3, 0.02, 0.2); chain.push("eta"); break;
      case "dynatemp": o.dynatempRange = pick(0.2, 0.5, 1.5); o.dynatempExponent = pick(0.5, 1, 2); break;
      case "mirostat1": case "mirostat2": o.mirostat = combo === "mirostat1" ? 1 : 2; o.mirostatTau = pick(1, 3, 5); o.mirostatM = pick(2, 10, 100); break;
      case "dry": o.dryMultiplier = pick(0.5, 0.8, 3); o.dryBase = pick(1.2, 1.75); o.dryAllowedLength = pick(1, 2, 3); o.dryLastN = pick(0, 0, 16); o.dryBreakers = pick([], [0], [1, 2]); chain.push("dry"); break;
      case "editsAfterTemperature": o.repetitionPenalty = pick(1.2, 0.8); o.frequencyPenalty = pick(0, -0.5, 0.5); o.logitBias = { [Math.floor(r() * V)]: pick(2, -3) }; chain.push("penalties", "bias"); break;
    }
  };
  if (combo === "mixed") for (const c of NEW_STAGES) { if (r() < 0.4 && !c.startsWith("mirostat")) add(c); }
  else add(combo);
  if (r() < 0.5) { o.topK = pick(5, 40, 300); chain.push("topK"); }
  if (r() < 0.3) { o.minP = pick(0.01, 0.1); chain.push("minP"); }
  // An unusual order: the stages shuffled, temperature anywhere; mirostat last.
  chain.push("temperature");
  for (let i = chain.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [chain[i], chain[j]] = [chain[j], chain[i]];
  }
  if (o.mirostat) chain.push("mirostat");
  o.order = chain;
  return { x, o, history, coin: r(), mu: pick(2, 4, 6, 10) };
}

function stateFor(o: SamplerOptions, history: number[], coin: number, mu: number): RowState {
  const counts = new Map<number, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  const resolved = resolveOptions("test", o);
  return { ...emptyState(resolved), counts, dry: dryPenalties(Float64Array.from(history), resolved), xtcCoin: coin, mu };
}

describe.each(BACKENDS)("every new stage on %s against the float64 reference", (name) => {
  it.each([...NEW_STAGES, "mixed"] as Combo[])("%s: 400 seeded cases (ties, masks, unusual orders) keep exactly the reference's tokens, ≤ 1% ambiguous boundaries excepted", (combo) => {
    withBackend(name, () => {
      let ambiguous = 0;
      for (let seed = 1; seed <= 400; seed++) {
        const { x, o, history, coin, mu } = randomCase(combo, seed);
        const ref = refChain(x, o, history, coin, mu);
        const st = stateFor(o, history, coin, mu);
        const got = keptTokens(backend().rowKernels(), x, resolveOptions("test", o), st);
        if (ref.ambiguous) ambiguous++;
        else expect(Array.from(got.kept), `${combo} seed ${seed} ${JSON.stringify(o)} V=${x.length}`).toEqual(ref.kept);
      }
      expect(ambiguous).toBeLessThanOrEqual(4);
    });
  });
});

describe("DRY in O(history)", () => {
  it("the Z-function penalties equal the brute-force reference on 2,000 random histories (breakers, lastN, allowed lengths)", () => {
    const r = rng(5);
    for (let c = 0; c < 2000; c++) {
      const n = Math.floor(r() * 80);
      const alphabet = 1 + Math.floor(r() * 5);
      const history = Array.from({ length: n }, () => Math.floor(r() * alphabet));
      const o: SamplerOptions = { order: ["dry"], dryMultiplier: 0.8, dryBase: 1.75, dryAllowedLength: 1 + Math.floor(r() * 3), dryLastN: [0, 5, 20][c % 3], dryBreakers: r() < 0.5 ? [0] : [] };
      expect(dryPenalties(Float64Array.from(history), resolveOptions("test", o)), JSON.stringify({ history, o })).toEqual(refDry(history, o));
    }
  });

  it("a 100,000-token history with long repeats takes one pass (a period-7 history: the penalty saturates at float32 max)", () => {
    const history = Float64Array.from({ length: 100_000 }, (_, i) => i % 7);
    const p = dryPenalties(history, resolveOptions("test", { order: ["dry"], dryMultiplier: 1, dryBase: 1.75 }));
    expect([...p]).toEqual([[5, F32_MAX]]); // the tail ends …, 3, 4 (99,999 mod 7 = 4), always followed by 5
  });
});

// ---------- goldens ----------

describe.each(BACKENDS)("hand-checked goldens on %s", (name) => {
  const kept = (x: number[], o: SamplerOptions, st?: Partial<RowState>) =>
    withBackend(name, () => {
      const r = resolveOptions("test", o);
      return Array.from(keptTokens(backend().rowKernels(), Float32Array.from(x), r, { ...emptyState(r), ...st }).kept);
    });

  it("top-n-σ: [0, 1, 2, 3, 10] has mean 3.2, σ = √12.56 ≈ 3.544: n = 1 keeps {4}, n = 2 keeps {3, 4}, n = 3 keeps all — at every T", () => {
    for (const temperature of [1, 0.5, 2, 100, 1e-3]) {
      const o = (n: number): SamplerOptions => ({ order: ["topNSigma", "temperature"], topNSigma: n, temperature });
      expect(kept([0, 1, 2, 3, 10], o(1))).toEqual([4]);
      expect(kept([0, 1, 2, 3, 10], o(2))).toEqual([3, 4]);
      expect(kept([0, 1, 2, 3, 10], o(3))).toEqual([0, 1, 2, 3, 4]);
      // after temperature too: computed on the unscaled logits, so exactly the same set
      expect(kept([0, 1, 2, 3, 10], { ...o(2), order: ["temperature", "topNSigma"] })).toEqual([3, 4]);
    }
  });

  it("XTC: p = [0.4, 0.3, 0.2, 0.1], threshold 0.15 and the coin up removes 0 and 1 (the least probable above it, 2, stays); coin down or one above: nothing", () => {
    const x = [0.4, 0.3, 0.2, 0.1].map(Math.log);
    const o: SamplerOptions = { order: ["xtc"], xtcProbability: 0.5, xtcThreshold: 0.15 };
    expect(kept(x, o, { xtcCoin: 0.2 })).toEqual([2, 3]);
    expect(kept(x, o, { xtcCoin: 0.7 })).toEqual([0, 1, 2, 3]);
    expect(kept(x, { ...o, xtcThreshold: 0.35 }, { xtcCoin: 0 })).toEqual([0, 1, 2, 3]);
  });

  it("ε: p = [0.5, 0.3, 0.15, 0.05]: ε = 0.1 keeps {0, 1, 2}; ε = 0.9 keeps the most probable; η: H ≈ 1.1421, ε = 0.2 → η ≈ 0.1427 keeps {0, 1, 2}; ε = 0.3 → η ≈ 0.1748 keeps {0, 1}", () => {
    const x = [0.5, 0.3, 0.15, 0.05].map(Math.log);
    expect(kept(x, { order: ["epsilon"], epsilonCutoff: 0.1 })).toEqual([0, 1, 2]);
    expect(kept(x, { order: ["epsilon"], epsilonCutoff: 0.9 })).toEqual([0]);
    expect(kept(x, { order: ["eta"], etaCutoff: 0.2 })).toEqual([0, 1, 2]);
    expect(kept(x, { order: ["eta"], etaCutoff: 0.3 })).toEqual([0, 1]);
  });

  it("DRY: history 7 1 2 3 4 5 9 1 2 3 4 repeats 1 2 3 4 (L = 4): token 5 loses 0.8·1.75^(4−2) = 2.45; a breaker 3 in the tail stops it", () => {
    withBackend(name, () => {
      const history = [7, 1, 2, 3, 4, 5, 9, 1, 2, 3, 4];
      const x = new Float32Array(10);
      const s = createSampler({ order: ["dry"], dryMultiplier: 0.8, logprobs: 10, logprobsMode: "processed", seed: 1 });
      const lp = (s.sample(x, { history }) as SampleResult).topLogprobs!;
      const l5 = lp.find((t) => t.token === 5)!.logprob, l0 = lp.find((t) => t.token === 0)!.logprob;
      expect(l0 - l5).toBeCloseTo(2.45, 5);
      const b = createSampler({ order: ["dry"], dryMultiplier: 0.8, dryBreakers: [3], logprobs: 10, logprobsMode: "processed", seed: 1 });
      const lb = (b.sample(x, { history }) as SampleResult).topLogprobs!;
      expect(new Set(lb.map((t) => t.logprob)).size).toBe(1); // no penalty at all
    });
  });

  it("dynamic temperature: [2, 0] at T = 1 ± 0.5 has H ≈ 0.365334, H/ln 2 ≈ 0.527064, so T_dyn ≈ 1.027064 and p0 ≈ 0.875152; one token kept means T_min", () => {
    withBackend(name, () => {
      const r = createSampler({ dynatempRange: 0.5, logprobs: 2, logprobsMode: "processed", seed: 1 }).sample([2, 0]) as SampleResult;
      const p0 = Math.exp(r.topLogprobs!.find((t) => t.token === 0)!.logprob);
      expect(p0).toBeCloseTo(0.875152, 5);
      // T = 0.3 ± 0.3 with one token kept (top-k 1): T_dyn = T_min = 0, greedy over what is kept.
      expect(kept([1, 5, 3], { order: ["topK", "temperature"], topK: 1, temperature: 0.3, dynatempRange: 0.3 })).toEqual([1]);
    });
  });

  it("mirostat v2: p = [0.6, 0.3, 0.1], τ = 0.5, η = 1: μ goes 1 → 1.5 → 2 (one token kept, surprise 0), then keeps {0, 1}; drawing 0 gives μ = 2.5 − log2 1.5 ≈ 1.9150375", () => {
    withBackend(name, () => {
      const o = resolveOptions("test", { mirostat: 2, mirostatTau: 0.5, mirostatEta: 1 });
      const x = Float32Array.from([0.6, 0.3, 0.1], Math.log);
      const st: RowState = { ...emptyState(o) };
      expect(st.mu).toBe(1); // 2τ
      const mus: number[] = [], tokens: number[] = [];
      for (const u of [0.9, 0.9, 0.1]) {
        tokens.push(sampleRow(backend().rowKernels(), x, o, st, u).token);
        mus.push(st.mu);
      }
      expect(tokens).toEqual([0, 0, 0]);
      expect(mus[0]).toBe(1.5);
      expect(mus[1]).toBe(2);
      expect(mus[2]).toBeCloseTo(2.5 - Math.log2(1.5), 6);
      expect(Array.from(keptTokens(backend().rowKernels(), x, o, { ...emptyState(o), mu: 2 }).kept)).toEqual([0, 1]);
    });
  });

  it("mirostat v1: Zipf logits −2·ln(i+1) give ŝ = 2 (ε̂ = 1), so k = √(2^μ / (1 − 1/V)): V = 100 keeps 32 at μ = 10 (τ 5) and 8 at μ = 6 (τ 3)", () => {
    const x = Array.from({ length: 100 }, (_, i) => -2 * Math.log(i + 1));
    expect(kept(x, { mirostat: 1 })).toEqual(Array.from({ length: 32 }, (_, i) => i)); // √(1024/0.99) ≈ 32.16
    expect(kept(x, { mirostat: 1, mirostatTau: 3 })).toEqual(Array.from({ length: 8 }, (_, i) => i)); // √(64/0.99) ≈ 8.04
  });

  it("the order as written: penalties after temperature act on the scaled logits (not moved before it)", () => {
    withBackend(name, () => {
      const x = Float32Array.from([2, 1, 0.5, -1]);
      const lp = (order: StageName[]) =>
        (createSampler({ order, temperature: 1.3, frequencyPenalty: -0.5, logprobs: 4, logprobsMode: "processed", seed: 1 }).sample(x, { history: [3, 3] }) as SampleResult)
          .topLogprobs!.find((t) => t.token === 3)!.logprob;
      const s = f32(1 / 1.3);
      // temperature first: l3 = f32(−1·s) + 1 (two counts × −0.5); penalties first: (−1 + 1)·s.
      const after = [2, 1, 0.5, -1].map((v, i) => f32(v * s) + (i === 3 ? 1 : 0));
      const before = [2, 1, 0.5, -1].map((v, i) => (v + (i === 3 ? 1 : 0)) * s);
      const lse = (l: number[]) => Math.log(l.reduce((a, v) => a + Math.exp(v), 0));
      expect(lp(["temperature", "penalties"])).toBeCloseTo(after[3] - lse(after), 5);
      expect(lp(["penalties", "temperature"])).toBeCloseTo(before[3] - lse(before), 5);
      expect(lp(["temperature", "penalties"])).not.toBeCloseTo(lp(["penalties", "temperature"]), 3);
    });
  });
});

// ---------- distributions ----------

const chi2 = (seen: number[], p: number[], n: number) => seen.reduce((a, s, i) => a + (s - n * p[i]) ** 2 / (n * p[i]), 0);

describe.each(BACKENDS)("distributions on %s", (name) => {
  it("XTC's coin: p = [0.5, 0.3, 0.2], threshold 0.1, probability 0.3 gives P = [0.35, 0.21, 0.44] (20,000 draws, chi-square 2 dof, p > 0.001)", () => {
    withBackend(name, () => {
      const x = Float32Array.from([0.5, 0.3, 0.2], Math.log);
      const s = createSampler({ order: ["xtc"], xtcProbability: 0.3, xtcThreshold: 0.1, seed: 77 });
      const seen = [0, 0, 0];
      for (let i = 0; i < 20_000; i++) seen[(s.sample(x) as SampleResult).token]++;
      expect(chi2(seen, [0.35, 0.21, 0.44], 20_000)).toBeLessThan(13.82);
    });
  });

  it("mirostat v2 with η = 0 keeps μ: τ = 0.25 keeps only the top token, τ = 0.9 (keep p ≥ 2^-1.8 ≈ 0.287) draws [0.6, 0.3]/0.9, τ = 10 the softmax (chi-square, p > 0.001)", () => {
    withBackend(name, () => {
      const p = [0.6, 0.3, 0.1];
      const x = Float32Array.from(p, Math.log);
      const draw = (tau: number) => {
        const s = createSampler({ mirostat: 2, mirostatTau: tau, mirostatEta: 0, seed: 3 });
        const seen = [0, 0, 0];
        for (let i = 0; i < 20_000; i++) seen[(s.sample(x) as SampleResult).token]++;
        return seen;
      };
      const narrow = draw(0.25); // μ = 0.5: keep p ≥ 2^-0.5 ≈ 0.707: only token 0
      expect(narrow).toEqual([20_000, 0, 0]);
      const two = draw(0.9); // μ = 1.8: keep p ≥ 0.287: tokens 0 and 1
      expect(two[2]).toBe(0);
      expect(chi2(two.slice(0, 2), [2 / 3, 1 / 3], 20_000)).toBeLessThan(10.83);
      expect(chi2(draw(10), p, 20_000)).toBeLessThan(13.82);
    });
  });
});

// ---------- determinism, reset, validation ----------

const EVERYTHING: SamplerOptions = {
  order: ["bias", "penalties", "dry", "topNSigma", "topK", "typicalP", "topP", "minP", "xtc", "temperature", "epsilon", "eta", "mirostat"],
  temperature: 0.9, dynatempRange: 0.3, topK: 200, topP: 0.97, minP: 0.01, typicalP: 0.99, topNSigma: 3,
  xtcProbability: 0.5, xtcThreshold: 0.05, dryMultiplier: 0.8, dryAllowedLength: 2, dryBreakers: [0],
  repetitionPenalty: 1.1, frequencyPenalty: 0.1, presencePenalty: 0.1, epsilonCutoff: 1e-4, etaCutoff: 1e-4,
  mirostat: 2, mirostatTau: 4, logitBias: { 5: 1 }, logprobs: 3, logprobsMode: "processed",
};

describe("determinism and state", () => {
  it("a 200-token sequence with every stage on is identical on simd, wasm and js", () => {
    const x = llmLogits(32000, 12);
    const run = (n: (typeof BACKENDS)[number]) =>
      withBackend(n, () => {
        const s = createSampler({ ...EVERYTHING, seed: 8 });
        const history: number[] = [];
        const out: SampleResult[] = [];
        for (let i = 0; i < 200; i++) {
          const r = s.sample(x, { history }) as SampleResult;
          out.push(r);
          history.push(r.token % 50); // small ids, so that DRY finds repeats
        }
        return out;
      });
    const [a, b, c] = BACKENDS.map(run);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(new Set(a.map((r) => r.token)).size).toBeGreaterThan(1);
  });

  it("reset() puts the streams and μ back: the same sequence again; enabling XTC never shifts the token stream", () => {
    const x = llmLogits(500, 3);
    const s = createSampler({ mirostat: 2, xtcProbability: 0.5, order: ["xtc", "temperature", "mirostat"], seed: 4 });
    const first = Array.from({ length: 30 }, () => (s.sample(x) as SampleResult).token);
    s.reset();
    expect(Array.from({ length: 30 }, () => (s.sample(x) as SampleResult).token)).toEqual(first);
    // XTC that never removes anything (threshold above every p) leaves the token sequence as without XTC.
    const flat = new Float32Array(50);
    const withXtc = createSampler({ xtcProbability: 1, xtcThreshold: 0.5, order: ["xtc"], seed: 9 });
    const without = createSampler({ seed: 9 });
    for (let i = 0; i < 50; i++) expect((withXtc.sample(flat) as SampleResult).token).toBe((without.sample(flat) as SampleResult).token);
  });

  it("mirostat's μ is per row: row 1's tokens depend only on row 1's draws, whatever row 0 holds", () => {
    const a = llmLogits(300, 1), b = llmLogits(300, 2), c = llmLogits(300, 3);
    const rows = (first: Float32Array) => {
      const both = new Float32Array(600);
      both.set(first);
      both.set(b, 300);
      return both;
    };
    const run = (first: Float32Array) => {
      const s = createSampler({ mirostat: 2, mirostatEta: 0.5, mirostatTau: 3, rows: 2, seed: 5 });
      return Array.from({ length: 40 }, () => (s.sample(rows(first)) as SampleResult[]).map((r) => r.token));
    };
    const withA = run(a), withC = run(c);
    expect(withA.map((t) => t[1])).toEqual(withC.map((t) => t[1]));
    expect(withA.map((t) => t[0])).not.toEqual(withC.map((t) => t[0]));
  });

  it("presets: llama.cpp and hf gain the new stages; mirostat on makes a preset bias → penalties → temperature → mirostat", () => {
    expect(resolveOptions("t", { order: "llama.cpp", dryMultiplier: 1, topNSigma: 1, xtcProbability: 0.5, topK: 5 }).chain).toEqual(["dry", "topNSigma", "topK", "xtc"]);
    expect(resolveOptions("t", { epsilonCutoff: 0.01, etaCutoff: 0.01, temperature: 0.5 }).chain).toEqual(["temperature", "epsilon", "eta"]);
    expect(resolveOptions("t", { mirostat: 2, repetitionPenalty: 1.1, temperature: 0.7 }).chain).toEqual(["penalties", "temperature", "mirostat"]);
    expect(() => resolveOptions("t", { mirostat: 2, topK: 40 })).toThrow(/topK is set but the order "hf" with mirostat on/);
    expect(() => resolveOptions("t", { dryMultiplier: 1 })).toThrow(/dry is set but the order "hf" has no "dry" stage/);
  });
});

describe("validation of the new options", () => {
  it.each([
    [{ topNSigma: -1 }, RangeError, /topNSigma/],
    [{ xtcProbability: 1.5 }, RangeError, /xtcProbability/],
    [{ xtcThreshold: 0.6 }, RangeError, /xtcThreshold/],
    [{ xtcThreshold: 0 }, RangeError, /xtcThreshold/],
    [{ dryMultiplier: -1 }, RangeError, /dryMultiplier/],
    [{ dryBase: 1 }, RangeError, /dryBase/],
    [{ dryAllowedLength: 0 }, RangeError, /dryAllowedLength/],
    [{ dryAllowedLength: 1.5 }, RangeError, /dryAllowedLength/],
    [{ dryLastN: -3 }, RangeError, /dryLastN/],
    [{ dryBreakers: [1, -2] }, RangeError, /dryBreakers\[1\]/],
    [{ dryBreakers: "ab" }, TypeError, /dryBreakers/],
    [{ mirostat: 3 }, RangeError, /mirostat must be 0/],
    [{ mirostat: "2" }, TypeError, /mirostat/],
    [{ mirostatTau: -1 }, RangeError, /mirostatTau/],
    [{ mirostatEta: Infinity }, RangeError, /mirostatEta/],
    [{ mirostatM: 1 }, RangeError, /mirostatM/],
    [{ dynatempRange: -0.1 }, RangeError, /dynatempRange/],
    [{ dynatempExponent: 0 }, RangeError, /dynatempExponent/],
    [{ epsilonCutoff: 1 }, RangeError, /epsilonCutoff/],
    [{ etaCutoff: -0.1 }, RangeError, /etaCutoff/],
    [{ mirostat: 2, order: ["mirostat", "temperature"] }, RangeError, /mirostat" must be the last stage/],
    [{ order: ["topK", "sigma"] }, RangeError, /unknown stage "sigma"/],
  ] as [SamplerOptions, ErrorConstructor, RegExp][])("%j throws %s naming the option", (o, type, msg) => {
    let err: unknown;
    try {
      sample([1, 2, 3], { seed: 1, ...o });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(msg);
  });
});

describe("the sampler's new kernels (assembly/mask.ts and its twin src/js/mask.ts)", () => {
  it("moments (Σd, Σd² with d = w − shift, and the finite count) and mask_below give the same bits on simd, wasm and js for 300 random rows (−Infinity, odd lengths), the sums exactly the documented order (8 slots i mod 8 each, fixed pairwise tree)", () => {
    // The documented order, written out independently of the kernels and the twin.
    const slotted = (x: Float32Array, f: (v: number) => number) => {
      const s = new Array<number>(8).fill(0);
      x.forEach((v, i) => { if (v !== -Infinity) s[i % 8] += f(v); });
      const pair = (a: number, b: number) => s[a] + s[b];
      return (pair(0, 1) + pair(2, 3)) + (pair(4, 5) + pair(6, 7));
    };
    const r = rng(31);
    for (let c = 0; c < 300; c++) {
      const n = 1 + Math.floor(r() * 300);
      const x = llmLogits(n, c);
      for (let i = 0; i < n; i++) if (r() < 0.2) x[i] = -Infinity;
      if (x.every((v) => v === -Infinity)) x[0] = 1;
      const bound = f32((r() - 0.5) * 6);
      const shift = Math.max(...x);
      const results = BACKENDS.map((name) =>
        withBackend(name, () => {
          const k = backend().rowKernels();
          k.prepare(x, n);
          const { w } = k.buffers(n);
          w.set(x);
          const m = k.moments(n, shift);
          k.maskBelow("w", n, bound);
          return { ...m, masked: Array.from(k.buffers(n).w) };
        }),
      );
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
      const finite = x.filter((v) => v !== -Infinity).length;
      expect(results[0].count).toBe(finite);
      expect(results[0].sum).toBe(slotted(x, (v) => v - shift));
      expect(results[0].squares).toBe(slotted(x, (v) => (v - shift) * (v - shift)));
      expect(results[0].masked.every((v, i) => (x[i] < bound ? v === -Infinity : v === x[i]))).toBe(true);
    }
  });
});

describe("the sparse exp pass (exp_sum_sparse, after a filter masked most of the row)", () => {
  it("gives exp_sum's bits, sum and every exp, on every backend, for 300 rows with runs of all −Infinity blocks (whole blocks, partial tails, a lone token, none masked)", () => {
    const r = rng(47);
    for (let c = 0; c < 300; c++) {
      const n = 1 + Math.floor(r() * 1200);
      const x = llmLogits(n, c);
      const density = [0, 0.002, 0.05, 1][c % 4]; // share of tokens kept
      for (let i = 0; i < n; i++) if (r() >= density) x[i] = -Infinity;
      // Runs of whole masked blocks next to kept ones: mask some 64-blocks outright.
      for (let b = 0; b < n; b += 64) if (r() < 0.3) x.fill(-Infinity, b, Math.min(n, b + 64));
      x[Math.floor(r() * n)] = 2; // one token at least
      const m = Math.max(...x);
      const s = f32(0.5 + r() * 2);
      const runs = BACKENDS.map((name) =>
        withBackend(name, () => {
          const k = backend().rowKernels();
          k.prepare(x, n);
          const { w } = k.buffers(n);
          w.set(x);
          const out = (sparse: boolean) => {
            k.buffers(n).e.fill(NaN);
            const sum = k.expSum(n, m, s, sparse);
            return { sum, e: Array.from(k.buffers(n).e) };
          };
          return { dense: out(false), sparse: out(true) };
        }),
      );
      for (const run of runs) {
        expect(run.sparse.sum).toBe(runs[0].dense.sum);
        expect(run.sparse.e).toEqual(runs[0].dense.e);
        expect(run.dense).toEqual(runs[0].dense);
      }
    }
  });
});

describe("per-row histories", () => {
  it("histories[i] feeds row i's penalties and DRY: the same tokens as one rows: 1 sampler fed row by row", () => {
    for (const name of BACKENDS) {
      withBackend(name, () => {
        const a = llmLogits(400, 1), b = llmLogits(400, 2);
        const both = new Float32Array(800);
        both.set(a);
        both.set(b, 400);
        const o: SamplerOptions = { order: ["penalties", "dry", "temperature"], repetitionPenalty: 3, dryMultiplier: 2, temperature: 0.3, seed: 6 };
        const ha = [1, 2, 3, 1, 2], hb = [7, 8, 7, 8, 7];
        const batch = createSampler({ ...o, rows: 2 });
        const single = createSampler(o);
        for (let i = 0; i < 10; i++) {
          const r = (batch.sample(both, { histories: [ha, hb] }) as SampleResult[]).map((t) => t.token);
          expect(r).toEqual([(single.sample(a, { history: ha }) as SampleResult).token, (single.sample(b, { history: hb }) as SampleResult).token]);
        }
      });
    }
  });

  it("histories: the wrong count is a RangeError, with history too a TypeError, a bad id names its row", () => {
    const s = createSampler({ rows: 2, repetitionPenalty: 1.2, seed: 1 });
    const x = new Float32Array(20);
    expect(() => s.sample(x, { histories: [[1]] })).toThrow(/histories has 1 entries but there are 2 rows/);
    expect(() => s.sample(x, { histories: [[1], [2]], history: [1] })).toThrow(TypeError);
    expect(() => s.sample(x, { histories: [[1], [2, 10]] })).toThrow(/histories\[1\]\[1\] is 10/);
  });
});

describe("sampleBatch", () => {
  it("row i sampled by samplers[i] with histories[i] gives the tokens and logprobs of each sampler on its row alone, on every backend", () => {
    for (const name of BACKENDS) {
      withBackend(name, () => {
        const V = 500;
        const optionsPerRow: SamplerOptions[] = [
          { temperature: 0.7, topP: 0.9, seed: 1, logprobs: 2 },
          { temperature: 1.3, topK: 5, repetitionPenalty: 1.5, seed: 2, logprobs: 2, logprobsMode: "processed" },
          { mirostat: 2, seed: 3 },
          { order: "llama.cpp", dryMultiplier: 1, xtcProbability: 0.5, topK: 40, seed: 4 },
        ];
        const histories = [[], [1, 2, 3], [4], [5, 6, 7, 5, 6]];
        const batch = optionsPerRow.map((o) => createSampler(o));
        const alone = optionsPerRow.map((o) => createSampler(o));
        for (let step = 0; step < 8; step++) {
          const logits = llmLogits(4 * V, 100 + step);
          const got = sampleBatch(logits, batch, { histories });
          const want = alone.map((s, i) => s.sample(logits.subarray(i * V, (i + 1) * V), { history: histories[i] }) as SampleResult);
          expect(got).toEqual(want);
        }
      });
    }
  });

  it("is atomic: a NaN in row 2 throws naming the row, and no sampler's stream moves", () => {
    const a = createSampler({ seed: 1 }), b = createSampler({ seed: 2 }), ref = createSampler({ seed: 1 });
    const x = llmLogits(20, 1);
    x[2 * 10 - 3] = NaN; // row 1 of 2, column 7
    expect(() => sampleBatch(x, [a, b])).toThrow(/logits\[17\] is NaN \(row 1\)/);
    const ok = llmLogits(10, 2);
    expect((a.sample(ok) as SampleResult).token).toBe((ref.sample(ok) as SampleResult).token);
  });

  it("rejects what is not a batch of one-row samplers with typed errors", () => {
    const x = new Float32Array(6);
    expect(() => sampleBatch(x, {} as never)).toThrow(TypeError);
    expect(() => sampleBatch(x, [])).toThrow(/samplers is empty/);
    expect(() => sampleBatch(x, [{ sample() {}, reset() {} } as never])).toThrow(/samplers\[0\] is .*not a sampler from createSampler/);
    expect(() => sampleBatch(x, [createSampler({ rows: 2 })])).toThrow(/rows = 2/);
    expect(() => sampleBatch(new Float32Array(7), [createSampler(), createSampler()])).toThrow(/does not divide/);
    expect(() => sampleBatch(x, [createSampler(), createSampler()], { histories: [[1]] })).toThrow(/histories has 1 entries/);
  });
});

describe("top-k by mask (k above 4,096: the counting search)", () => {
  /** The k highest logits (ties to the lowest ids), as ascending ids: the definition, by a full sort. */
  const topIds = (x: Float32Array, k: number) =>
    Array.from(x.keys()).filter((i) => x[i] !== -Infinity).sort((a, b) => x[b] - x[a] || a - b).slice(0, k).sort((a, b) => a - b);
  const rows: [string, (v: number, i: number, r: () => number) => number][] = [
    ["integer logits: many ties, so the bracket closes on the k-th value and the ties are settled", (v) => Math.round(v)],
    ["distinct logits: the bracket ends on a band that is sorted, or on an exact count", (v) => v],
    ["heavy tails (Cauchy): interpolation stalls and the search bisects", (_, __, r) => Math.tan(Math.PI * (r() - 0.5))],
    ["magnitudes near 1e30 and a crowd of near-equal values (1 + 1e-6·u): far from the widening's 1, 4, 16, 64", (v, i, r) => (i % 2 ? 1e30 * v : 1 + 1e-6 * r())],
    ["zeros of both signs among a few values", (_, i) => [0, -0, 1, -1, 0.5][i % 5]],
  ];
  it.each(rows)("keeps exactly the k highest logits, ties at the k-th place to the lowest ids, on every backend (%s)", (_, make) => {
    for (const name of BACKENDS) {
      withBackend(name, () => {
        for (let seed = 1; seed <= 6; seed++) {
          const V = 20000, r = rng(seed);
          const x = llmLogits(V, seed).map((v, i) => (i % 13 === 0 ? -Infinity : make(v, i, r)));
          for (const k of [4097, 5000, 9000, 12345, 18000, 18461, 18462, 19999]) {
            const o = resolveOptions("test", { topK: k });
            expect(Array.from(keptTokens(backend().rowKernels(), x, o, emptyState(o)).kept), `seed ${seed} k ${k}`).toEqual(topIds(x, k));
          }
        }
      });
    }
  });
  it("mirostat v1 (whose fit gives the search its first guess) keeps exactly a top-k set, the same on every backend, over μ from 2 to 40", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const V = 30000;
      const x = llmLogits(V, seed).map((v, i) => (seed % 2 === 0 ? Math.round(4 * v) / 4 : v) - (i % 17 === 0 ? Infinity : 0));
      for (const mu of [2, 6, 8, 9, 10, 11, 12, 14, 20, 40]) {
        const o = resolveOptions("test", { mirostat: 1, temperature: [0.5, 1, 1.7][seed % 3] });
        const kept = BACKENDS.map((name) => withBackend(name, () => Array.from(keptTokens(backend().rowKernels(), x, o, { ...emptyState(o), mu }).kept)));
        expect(kept[1]).toEqual(kept[0]);
        expect(kept[2]).toEqual(kept[0]);
        expect(kept[0], `seed ${seed} μ ${mu}`).toEqual(topIds(x, kept[0].length));
      }
    }
  });
});

describe("sum_exps and mask_exps_below (a probability filter without a second exp pass)", () => {
  it("Σe in the documented order equals what the exp pass returned, and after masking equals the exp pass over the masked row, on every backend (300 rows, partial blocks)", () => {
    const r = rng(77);
    for (let c = 0; c < 300; c++) {
      const n = 1 + Math.floor(r() * 700);
      const x = llmLogits(n, c);
      for (let i = 0; i < n; i++) if (r() < 0.1) x[i] = -Infinity;
      let top = 0;
      for (let i = 1; i < n; i++) if (x[i] > x[top]) top = i;
      if (x[top] === -Infinity) x[top] = 0;
      const s = f32([1, 0.7, 2.5][c % 3]);
      const results = BACKENDS.map((name) =>
        withBackend(name, () => {
          const k = backend().rowKernels();
          k.prepare(x, n);
          const { w, e } = k.buffers(n);
          w.set(x);
          const m = k.rowMax(n).max;
          const z = k.expSum(n, m, s);
          expect(k.sumExps(n)).toBe(z);
          const bound = f32(z * [1e-4, 1e-2, 0.2][c % 3]);
          k.maskExpsBelow(n, bound);
          const masked = k.sumExps(n);
          const after = Array.from(e);
          const again = k.expSum(n, m, s); // the exp pass over the masked row
          expect(masked).toBe(again);
          expect(Array.from(e)).toEqual(after);
          return masked;
        }),
      );
      expect(results[1]).toBe(results[0]);
      expect(results[2]).toBe(results[0]);
    }
  });
});

describe("the draw's block-wise inverse CDF (walk_cdf)", () => {
  it("every backend draws the same index for 2,000 random rows and targets; it is a nonzero e, in the block where the running block sums cross the target", () => {
    const r = rng(123);
    for (let c = 0; c < 2000; c++) {
      const n = 1 + Math.floor(r() * 500);
      const e = Float32Array.from({ length: n }, () => (r() < 0.3 ? 0 : f32(r() ** 4)));
      if (e.every((v) => v === 0)) e[Math.floor(r() * n)] = 0.5;
      const fraction = [0, r(), 1 - 2 ** -40, 0.999999][c % 4];
      const picks = BACKENDS.map((name) =>
        withBackend(name, () => {
          const k = backend().rowKernels();
          k.prepare(e, n);
          k.buffers(n).e.set(e);
          const z = k.sumExps(n);
          const target = fraction * z;
          return { at: k.walkCdf(n, target), z, target };
        }),
      );
      expect(picks[1].z).toBe(picks[0].z);
      expect(picks[2].z).toBe(picks[0].z);
      expect(picks[1].at).toBe(picks[0].at);
      expect(picks[2].at).toBe(picks[0].at);
      const { at, target } = picks[0];
      expect(e[at]).toBeGreaterThan(0);
      // The block of `at` is the first whose cumulative block sum exceeds the target.
      let run = 0, b = 0;
      for (; b < n; b += 64) {
        let s = 0;
        for (let j = b; j < Math.min(n, b + 64); j++) s += e[j];
        if (run + s > target * (1 + 1e-12) + 1e-300) break;
        run += s;
      }
      if (b < n) expect(Math.abs(Math.floor(at / 64) - b / 64)).toBeLessThanOrEqual(1);
    }
  });
});

describe("the entropy's dot product (dot_exp_arg)", () => {
  it("gives the same bits on simd, wasm and js for 500 random rows with masked tokens and odd lengths: exactly the documented order (the exp pass's blocks and float32 slots, u clamped at −88), within 1e-6 of the float64 sum", () => {
    const r = rng(9);
    for (let c = 0; c < 500; c++) {
      const n = 1 + Math.floor(r() * 400);
      const x = llmLogits(n, c);
      for (let i = 0; i < n; i++) if (r() < 0.2) x[i] = -Infinity;
      if (x.every((v) => v === -Infinity)) x[0] = 1;
      const s = f32([1, 0.7, 3][c % 3]);
      const dots = BACKENDS.map((name) =>
        withBackend(name, () => {
          const k = backend().rowKernels();
          k.prepare(x, n);
          k.buffers(n).w.set(x);
          const m = k.rowMax(n).max;
          k.expSum(n, m, s);
          const e = Array.from(k.buffers(n).e);
          return { dot: k.dotExpArg(n, m, s), e, m };
        }),
      );
      expect(dots[1].dot).toBe(dots[0].dot);
      expect(dots[2].dot).toBe(dots[0].dot);
      const { e, m } = dots[0];
      const u = (i: number) => Math.max(f32(f32(x[i] - m) * s), -88);
      // The documented order, written out: per block of 64, float32 slot j mod 8; the block's
      // (f32(s0 + s4) + f32(s1 + s5)) + (f32(s2 + s6) + f32(s3 + s7)) in float64; blocks in order.
      let total = 0;
      for (let b = 0; b < n; b += 64) {
        const a = new Array<number>(8).fill(0);
        for (let j = 0; b + j < Math.min(n, b + 64); j++) a[j % 8] = f32(a[j % 8] + f32(e[b + j] * u(b + j)));
        total += (f32(a[0] + a[4]) + f32(a[1] + a[5])) + (f32(a[2] + a[6]) + f32(a[3] + a[7]));
      }
      expect(dots[0].dot).toBe(total);
      let ref = 0;
      for (let i = 0; i < n; i++) if (e[i] !== 0) ref += e[i] * u(i);
      expect(Math.abs(dots[0].dot - ref)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref)));
    }
  });
});
