// The examples in examples/, each run as `node examples/<file>` in a child process (as `npm run
// example:*` does after building), their printed tokens checked against an independent run here.
// Properties: each example runs to completion; the tokens sampled from logits that onnxruntime
// wrote into (node) or that were copied once into (web) wasmInput() memory equal the tokens
// sampled from an ordinary copied Float32Array of the same logits; onnxruntime-node really writes
// a pre-allocated output into wasmInput() memory, and onnxruntime-web really does not (the reason
// the web example copies); transformers.js's generate() returns the tokens the processor chose.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as ortNode from "onnxruntime-node";
import * as ortWeb from "onnxruntime-web";
import { describe, expect, it } from "vitest";
import { createSampler, wasmInput, type SampleResult } from "../src/index.js";
import { tinyModel } from "../examples/tiny-model.mjs";

const root = new URL("..", import.meta.url).pathname;
const run = promisify(execFile);
const V = 32000;
const STEPS = 12;
// The examples' sampler options and first token.
const OPTIONS = { temperature: 0.8, topP: 0.9, minP: 0.02, seed: 42 };
const FIRST = 1;

async function example(file: string, steps = STEPS): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [`examples/${file}`, String(steps)], { cwd: root, timeout: 120_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

type Ort = typeof ortNode | typeof ortWeb;

/** Same model, same loop, sampling from the plain Float32Array run() returns: the copy path. */
async function tokensFromCopies(ort: Ort, sessionOptions: object): Promise<number[]> {
  const session = await ort.InferenceSession.create(tinyModel({ vocab: V }), sessionOptions);
  const sampler = createSampler(OPTIONS);
  const tokens: number[] = [];
  let token = FIRST;
  for (let step = 0; step < STEPS; step++) {
    const out = await session.run({ input_ids: new ort.Tensor("int64", BigInt64Array.of(BigInt(token)), [1, 1]) });
    token = (sampler.sample((out.logits.data as Float32Array).slice()) as SampleResult).token;
    tokens.push(token);
  }
  await session.release();
  return tokens;
}

describe("examples/onnxruntime-node.mjs", () => {
  it("runs, and its tokens (logits written into wasmInput memory) equal sampling from copied Float32Arrays", async () => {
    const out = await example("onnxruntime-node.mjs");
    expect(out).toMatchObject({ runtime: "onnxruntime-node", steps: STEPS });
    expect(out.tokens).toEqual(await tokensFromCopies(ortNode, {}));
  }, 120_000);

  it("onnxruntime-node fills a pre-allocated output that is a wasmInput() view, with the bits run() returns", async () => {
    const session = await ortNode.InferenceSession.create(tinyModel({ vocab: V }));
    const buf = wasmInput(V);
    const feeds = { input_ids: new ortNode.Tensor("int64", BigInt64Array.of(7n), [1, 1]) };
    const result = await session.run(feeds, { logits: new ortNode.Tensor("float32", buf, [1, 1, V]) });
    const plain = await session.run(feeds);
    expect(new Uint32Array(buf.buffer, buf.byteOffset, V)).toEqual(new Uint32Array((plain.logits.data as Float32Array).buffer, (plain.logits.data as Float32Array).byteOffset, V));
    expect(result.logits.data).toEqual(buf);
    expect(buf.some((v) => v !== 0)).toBe(true);
    buf.free();
    await session.release();
  }, 120_000);
});

describe("examples/onnxruntime-web.mjs", () => {
  it("runs, and its tokens (one copy into wasmInput memory) equal sampling from copied Float32Arrays", async () => {
    const out = await example("onnxruntime-web.mjs");
    expect(out).toMatchObject({ runtime: "onnxruntime-web", steps: STEPS });
    ortWeb.env.wasm.numThreads = 1;
    expect(out.tokens).toEqual(await tokensFromCopies(ortWeb, { executionProviders: ["wasm"] }));
  }, 120_000);

  it("onnxruntime-web leaves a pre-allocated cpu output unwritten (why the example copies once)", async () => {
    ortWeb.env.wasm.numThreads = 1;
    const session = await ortWeb.InferenceSession.create(tinyModel({ vocab: V }), { executionProviders: ["wasm"] });
    const buf = wasmInput(V);
    await session.run({ input_ids: new ortWeb.Tensor("int64", BigInt64Array.of(7n), [1, 1]) }, { logits: new ortWeb.Tensor("float32", buf, [1, 1, V]) });
    // If this starts failing, onnxruntime-web has learnt to write pre-allocated outputs: update the
    // example and the README (the copy would then be onnxruntime's, inside run()).
    expect(buf.every((v) => v === 0)).toBe(true);
    buf.free();
    await session.release();
  }, 120_000);
});

describe("examples/transformers.mjs", () => {
  it("runs generate() on the tiny model, and the generated tokens are the ones the processor chose, step by step", async () => {
    const out = (await example("transformers.mjs", 6)) as { runtime: string; sequences: number[][]; sampled: number[][] };
    expect(out.runtime).toBe("transformers.js");
    expect(out.sampled).toHaveLength(6);
    expect(out.sequences.map((row) => row.slice(2))).toEqual([0, 1].map((r) => out.sampled.map((step) => step[r])));
  }, 120_000);
});
