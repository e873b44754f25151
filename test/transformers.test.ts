// softmax-wasm/transformers against the real @huggingface/transformers 4.x: its Tensor, its
// LogitsProcessorList, and generate() on a tiny ONNX model built in code
// (examples/tiny-model.mjs), loaded by from_pretrained() from a temporary folder (no download).
// The property throughout: the token transformers.js returns is exactly the token this package's
// sampler picks for the same seed, options and logits, with top-p and min-p applied.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoModelForCausalLM, LogitsProcessorList, Tensor, env, softmax as hfSoftmax, topk } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSampler, type SampleResult, type SamplerOptions } from "../src/index.js";
import { logitsProcessor, type LogitsProcessorOptions } from "../src/transformers.js";
import { tinyModel } from "../examples/tiny-model.mjs";
import { BACKENDS, llmLogits, withBackend } from "./helpers.js";

const V = 32000;
const OPTIONS: LogitsProcessorOptions = { temperature: 0.8, topP: 0.9, minP: 0.02, seed: 42 };

type Model = Awaited<ReturnType<typeof AutoModelForCausalLM.from_pretrained>>;
let dir: string;
let model: Model;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "softmax-wasm-tiny-lm-"));
  mkdirSync(join(dir, "tiny-lm/onnx"), { recursive: true });
  writeFileSync(join(dir, "tiny-lm/onnx/model.onnx"), tinyModel({ vocab: V }));
  writeFileSync(join(dir, "tiny-lm/config.json"), JSON.stringify({ model_type: "llama", architectures: ["LlamaForCausalLM"], vocab_size: V }));
  writeFileSync(join(dir, "tiny-lm/generation_config.json"), "{}");
  env.allowRemoteModels = false;
  env.localModelPath = dir;
  model = await AutoModelForCausalLM.from_pretrained("tiny-lm", { dtype: "fp32" });
}, 120_000);

afterAll(async () => {
  await model?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** B rows of LLM-like logits as a transformers.js Tensor [B, V]. */
function logitsTensor(B: number, seed: number, vocab = V): Tensor {
  const data = new Float32Array(B * vocab);
  for (let r = 0; r < B; r++) data.set(llmLogits(vocab, seed + r), r * vocab);
  return new Tensor("float32", data, [B, vocab]);
}

const rowOf = (t: { data: Float32Array; dims: readonly number[] }, r: number) => {
  const n = t.dims.at(-1)!;
  return t.data.subarray(r * n, (r + 1) * n);
};

/** The tokens of a float64 top-p-then-min-p at temperature T (HF order), with a little slack at the boundary. */
function keptByTopPMinP(x: Float32Array, T: number, topP: number, minP: number): Set<number> {
  let m = -Infinity;
  for (const v of x) if (v > m) m = v;
  const e = Array.from(x, (v) => Math.exp((v - m) / T));
  const z = e.reduce((a, b) => a + b, 0);
  const order = e.map((_, i) => i).sort((a, b) => e[b] - e[a] || a - b);
  const kept: number[] = [];
  let cum = 0;
  for (const i of order) {
    kept.push(i);
    cum += e[i] / z;
    if (cum >= topP + 1e-6) break;
  }
  const pmax = e[order[0]];
  return new Set(kept.filter((i) => e[i] >= minP * pmax * (1 - 1e-6)));
}

/** Row by row: exactly one finite logit, equal to the input's, at `tokens[r]`. */
function expectOnlyChosenFinite(before: Float32Array, after: { data: Float32Array; dims: readonly number[] }, tokens: number[]) {
  const n = after.dims.at(-1)!;
  for (let r = 0; r < tokens.length; r++) {
    const row = rowOf(after, r);
    const finite = [];
    for (let i = 0; i < n; i++) if (row[i] !== -Infinity) finite.push(i);
    expect(finite).toEqual([tokens[r]]);
    expect(row[tokens[r]]).toBe(before[r * n + tokens[r]]);
  }
}

describe("logitsProcessor in transformers.js's LogitsProcessorList", () => {
  it("is a function with _call: LogitsProcessorList calls it, returns the same Tensor, and the one finite logit is the sampler's token", () => {
    const p = logitsProcessor(OPTIONS);
    expect(typeof p).toBe("function");
    expect(p._call).toBe(p);
    const list = new LogitsProcessorList();
    list.push(p);
    const reference = createSampler({ ...OPTIONS, rows: 1 });
    for (let step = 0; step < 5; step++) {
      const t = logitsTensor(1, 100 + step);
      const before = t.data.slice();
      const out = list([[1n, 2n, 3n]], t);
      expect(out).toBe(t);
      const want = (reference.sample(before) as SampleResult).token;
      expectOnlyChosenFinite(before, t, [want]);
      expect(p.results!.map((r) => r.token)).toEqual([want]);
    }
  });

  /** GreedySampler's rule (utils/maths.js max, not exported): the first index of the largest value. */
  const firstMax = (x: Float32Array) => x.reduce((best, v, i) => (v > x[best] ? i : best), 0);

  it("transformers.js's greedy pick (first max) and its multinomial pick (topk, softmax, draw) both return the processor's token", async () => {
    const p = logitsProcessor({ ...OPTIONS, seed: 7 });
    for (let step = 0; step < 5; step++) {
      const t = logitsTensor(1, 200 + step);
      p([[0n]], t);
      const chosen = p.results![0].token;
      expect(firstMax(t.data as Float32Array)).toBe(chosen);
      const [values, indices] = await topk(t, 50);
      const probs = hfSoftmax(values.data as Float32Array);
      expect(probs[0]).toBe(1);
      expect(Number((indices.data as BigInt64Array)[0])).toBe(chosen);
    }
  });

  it("a batch of B rows is one stream: the tokens of createSampler({ rows: B }) and of one rows: 1 sampler over the rows in order", () => {
    for (const B of [2, 3, 5]) {
      const p = logitsProcessor({ ...OPTIONS, seed: B });
      const batch = createSampler({ ...OPTIONS, seed: B, rows: B });
      const single = createSampler({ ...OPTIONS, seed: B });
      for (let step = 0; step < 3; step++) {
        const t = logitsTensor(B, 1000 * B + 10 * step);
        const before = t.data.slice();
        p(Array.from({ length: B }, () => [1n]), t);
        const want = (batch.sample(before) as SampleResult[]).map((r) => r.token);
        const oneByOne = Array.from({ length: B }, (_, r) => (single.sample(before.subarray(r * V, (r + 1) * V)) as SampleResult).token);
        expect(p.results!.map((r) => r.token)).toEqual(want);
        expect(oneByOne).toEqual(want);
        expectOnlyChosenFinite(before, t, want);
      }
    }
  });

  it("penalties read each row's own input ids (prompt included), whatever form input_ids take", () => {
    const opts: LogitsProcessorOptions = { ...OPTIONS, repetitionPenalty: 1.3, frequencyPenalty: 0.5, presencePenalty: 0.25 };
    const ids = [[5, 9, 9, 14], [100, 101, 5, 7]];
    const forms: [string, unknown][] = [
      ["bigint[][] (what generate() passes)", ids.map((r) => r.map(BigInt))],
      ["number[][]", ids],
      ["BigInt64Array rows", ids.map((r) => BigInt64Array.from(r.map(BigInt)))],
      ["a Tensor [2, 4]", new Tensor("int64", BigInt64Array.from(ids.flat().map(BigInt)), [2, 4])],
    ];
    const tokens = forms.map(([, form]) => {
      const p = logitsProcessor(opts);
      const seen: number[][] = [];
      for (let step = 0; step < 4; step++) {
        p(form as bigint[][], logitsTensor(2, 300 + step));
        seen.push(p.results!.map((r) => r.token));
      }
      return seen;
    });
    for (const t of tokens) expect(t).toEqual(tokens[0]);
    // The same as sampling each row with its own history from one stream, rows in order.
    const s = createSampler({ ...opts, rows: 1 });
    const want = Array.from({ length: 4 }, (_, step) => {
      const x = logitsTensor(2, 300 + step).data as Float32Array;
      return [0, 1].map((r) => (s.sample(x.subarray(r * V, (r + 1) * V), { history: ids[r] }) as SampleResult).token);
    });
    expect(tokens[0]).toEqual(want);
  });

  it("results carries logprobs when asked, and every backend picks the same tokens", () => {
    const perBackend = BACKENDS.map((b) =>
      withBackend(b, () => {
        const p = logitsProcessor({ ...OPTIONS, logprobs: 3 });
        const out: SampleResult[][] = [];
        for (let step = 0; step < 4; step++) {
          p([[1n], [2n]], logitsTensor(2, 400 + step));
          out.push([...p.results!]);
        }
        return out;
      }),
    );
    for (const r of perBackend) expect(r).toEqual(perBackend[0]);
    for (const row of perBackend[0].flat()) {
      expect(row.logprob).toBeLessThanOrEqual(0);
      expect(row.topLogprobs).toHaveLength(3);
    }
  });
});

describe("logitsProcessor in transformers.js's generate() with a real (tiny) model", () => {
  /** Runs generate() with a spy before the processor that records what the processor receives. */
  async function generateWith(options: LogitsProcessorOptions, prompts: bigint[][], steps: number, doSample: boolean) {
    const p = logitsProcessor(options);
    const seen: { ids: number[][]; logits: Float32Array }[] = [];
    const spy = (ids: bigint[][], logits: Tensor) => {
      seen.push({ ids: ids.map((r) => r.map(Number)), logits: (logits.data as Float32Array).slice() });
      return logits;
    };
    const input = new Tensor("int64", BigInt64Array.from(prompts.flat()), [prompts.length, prompts[0].length]);
    const out = (await model.generate({ inputs: input, max_new_tokens: steps, do_sample: doSample, logits_processor: [spy, p] })) as Tensor;
    const generated = (out.tolist() as bigint[][]).map((r) => r.slice(prompts[0].length).map(Number));
    return { generated, seen };
  }

  it("greedy and multinomial generate() return exactly the tokens the sampler picks for the same seed, inside the top-p/min-p set", async () => {
    const prompts = [[1n, 2n], [3n, 4n]];
    for (const doSample of [false, true]) {
      const { generated, seen } = await generateWith(OPTIONS, prompts, 6, doSample);
      expect(seen).toHaveLength(6);
      const reference = createSampler({ ...OPTIONS, rows: 2 } as SamplerOptions);
      for (let step = 0; step < 6; step++) {
        const want = (reference.sample(seen[step].logits) as SampleResult[]).map((r) => r.token);
        expect(generated.map((row) => row[step])).toEqual(want);
        for (let r = 0; r < 2; r++) {
          // top-p 0.9 and min-p 0.02 keep a small head of 32,000 tokens, and the token is in it.
          const kept = keptByTopPMinP(seen[step].logits.subarray(r * V, (r + 1) * V), 0.8, 0.9, 0.02);
          expect(kept.size).toBeLessThan(V / 10);
          expect(kept.has(want[r])).toBe(true);
        }
      }
    }
  }, 120_000);

  it("the processor sees generate()'s running bigint[][] input ids as the penalty history, row by row", async () => {
    const opts = { ...OPTIONS, repetitionPenalty: 1.5, seed: 3 };
    const prompts = [[10n, 11n, 12n], [20n, 21n, 22n]];
    const { generated, seen } = await generateWith(opts, prompts, 5, false);
    const s = createSampler({ ...opts, rows: 1 });
    for (let step = 0; step < 5; step++) {
      expect(seen[step].ids.map((r) => r.length)).toEqual([3 + step, 3 + step]);
      const want = [0, 1].map((r) => (s.sample(seen[step].logits.subarray(r * V, (r + 1) * V), { history: seen[step].ids[r] }) as SampleResult).token);
      expect(generated.map((row) => row[step])).toEqual(want);
    }
  }, 120_000);
});

describe("logitsProcessor errors name the value and leave the logits untouched", () => {
  it("rejects bad options when it is made, as createSampler would, under its own name", () => {
    expect(() => logitsProcessor({ topP: 1.5 })).toThrow(new RangeError("logitsProcessor: topP must be in (0, 1] (1 = off); got 1.5"));
    expect(() => logitsProcessor({ temp: 1 } as never)).toThrow(TypeError);
    expect(() => logitsProcessor({ temp: 1 } as never)).toThrow(/^logitsProcessor: .*temp/);
    expect(() => logitsProcessor({ rows: 2 } as never)).toThrow(new TypeError("logitsProcessor: rows is not an option here; the batch size comes from logits.dims"));
    expect(() => logitsProcessor(5 as never)).toThrow(new TypeError("logitsProcessor: options must be an object; got 5"));
  });

  it("rejects logits and input_ids of the wrong kind or shape", () => {
    const p = logitsProcessor(OPTIONS);
    const f64 = { data: new Float64Array(4), dims: [1, 4] };
    expect(() => p([[1n]], f64 as never)).toThrow(new TypeError("logitsProcessor: logits.data must be a Float32Array (generate() hands processors float32 logits); got a Float64Array of length 4"));
    expect(() => p([[1n]], new Float32Array(4) as never)).toThrow(new TypeError("logitsProcessor: logits.data must be a Float32Array (generate() hands processors float32 logits); got undefined"));
    expect(() => p([[1n]], { data: new Float32Array(4), dims: "1,4" } as never)).toThrow(new TypeError('logitsProcessor: logits.dims must be an array of non-negative integers like [batch, vocab]; got "1,4"'));
    expect(() => p([[1n]], { data: new Float32Array(4), dims: [1, 5] })).toThrow(new RangeError("logitsProcessor: logits.dims [1, 5] hold 5 values but logits.data has 4"));
    expect(() => p([[1n]], null as never)).toThrow(TypeError);
    expect(() => p([[1n], [2n]], logitsTensor(1, 1) as never)).toThrow(new RangeError("logitsProcessor: input_ids has 2 sequences but logits have 1 rows"));
    expect(() => p("12" as never, logitsTensor(1, 1) as never)).toThrow(TypeError);
  });

  it("rejects an input id outside the vocabulary, NaN logits and a change of batch size; a throwing call changes nothing", () => {
    const p = logitsProcessor({ ...OPTIONS, repetitionPenalty: 1.2 });
    const t = logitsTensor(1, 5);
    const before = t.data.slice();
    expect(() => p([[1n, 32000n]], t as never)).toThrow(new RangeError("logitsProcessor: input_ids[0][1] is 32000n, not a token id in 0..31999"));
    expect(() => p([[-1]], t as never)).toThrow(new RangeError("logitsProcessor: input_ids[0][0] is -1, not a token id in 0..31999"));
    t.data[7] = NaN;
    expect(() => p([[1n]], t as never)).toThrow(new RangeError("logitsProcessor: logits[7] is NaN"));
    t.data[7] = before[7];
    expect(t.data).toEqual(before);
    p([[1n]], t as never);
    expect(() => p([[1n], [1n]], logitsTensor(2, 6) as never)).toThrow(/logits have 2 rows but this processor samples batches of 1/);
  });

  it("a failed call does not advance the stream: the next call draws what it would have drawn", () => {
    const p = logitsProcessor(OPTIONS);
    const s = createSampler({ ...OPTIONS, rows: 1 });
    const bad = logitsTensor(1, 9);
    bad.data[3] = Infinity;
    expect(() => p([[1n]], bad as never)).toThrow(/logits\[3\] is Infinity/);
    const t = logitsTensor(1, 10);
    const want = (s.sample(t.data.slice() as Float32Array) as SampleResult).token;
    p([[1n]], t as never);
    expect(p.results![0].token).toBe(want);
  });
});

describe("the softmax-wasm/transformers entry", () => {
  it("is in package.json's exports, points at built files, and its types declare logitsProcessor", () => {
    const root = new URL("..", import.meta.url).pathname;
    const entry = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports["./transformers"];
    expect(entry).toEqual({ types: "./dist/transformers.d.ts", default: "./dist/transformers.js" });
    expect(existsSync(join(root, entry.default))).toBe(true);
    expect(readFileSync(join(root, entry.types), "utf8")).toMatch(/export declare function logitsProcessor\(options\?: LogitsProcessorOptions\): LogitsProcessor;/);
  });
});
