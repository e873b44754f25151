// transformers.js generate() sampling with softmax-wasm: a seeded sampler with top-p and min-p
// (transformers.js's own sampler has neither), through the logits_processor option.
// Run: npm run example:transformers
//
// The model is examples/tiny-model.mjs (an ONNX graph built in code), written with a config.json
// into a temporary folder and loaded by from_pretrained() as a local model: nothing is downloaded.
// Any real causal LM from the Hub works the same way.
//
// Prints one JSON line: { runtime, sequences, sampled } where `sampled` is what the processor
// chose at each step (processor.results), row by row.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoModelForCausalLM, Tensor, env } from "@huggingface/transformers";
import { logitsProcessor } from "softmax-wasm/transformers";
import { tinyModel } from "./tiny-model.mjs";

const V = 32000;
const STEPS = Number(process.argv[2] ?? 8);

const dir = mkdtempSync(join(tmpdir(), "softmax-wasm-tiny-lm-"));
try {
  mkdirSync(join(dir, "tiny-lm/onnx"), { recursive: true });
  writeFileSync(join(dir, "tiny-lm/onnx/model.onnx"), tinyModel({ vocab: V }));
  writeFileSync(join(dir, "tiny-lm/config.json"), JSON.stringify({ model_type: "llama", architectures: ["LlamaForCausalLM"], vocab_size: V }));
  writeFileSync(join(dir, "tiny-lm/generation_config.json"), "{}");
  env.allowRemoteModels = false;
  env.localModelPath = dir;
  const model = await AutoModelForCausalLM.from_pretrained("tiny-lm", { dtype: "fp32" });

  const processor = logitsProcessor({ temperature: 0.8, topP: 0.9, minP: 0.02, repetitionPenalty: 1.1, seed: 42 });
  const sampled = [];
  const record = (_ids, logits) => (sampled.push(processor.results.map((r) => r.token)), logits);
  const prompts = new Tensor("int64", BigInt64Array.of(1n, 2n, 3n, 4n), [2, 2]); // a batch of two prompts
  const sequences = await model.generate({
    inputs: prompts,
    max_new_tokens: STEPS,
    do_sample: false, // transformers.js's greedy pick returns the one token the processor left finite
    logits_processor: [processor, record],
  });
  console.log(JSON.stringify({ runtime: "transformers.js", sequences: sequences.tolist().map((row) => row.map(Number)), sampled }));
  await model.dispose();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
