// onnxruntime-node writes each step's logits straight into wasmInput() memory, and the sampler
// reads them there: no copy on either side. Run: npm run example:onnx-node
//
// How: session.run(feeds, fetches) accepts a pre-allocated output Tensor, and onnxruntime-node's
// binding wraps the Tensor's memory (here the wasmInput() Float32Array, inside this package's
// WebAssembly.Memory) as the output OrtValue, so the MatMul writes the logits there. The result
// object run() returns holds a separate copy, which is not needed and is ignored.
//
// Prints one JSON line: { runtime, backend, steps, tokens }.

import * as ort from "onnxruntime-node";
import { createSampler, getBackend, wasmInput } from "softmax-wasm";
import { tinyModel } from "./tiny-model.mjs";

const V = 32000;
const STEPS = Number(process.argv[2] ?? 16);

const session = await ort.InferenceSession.create(tinyModel({ vocab: V }));
const logits = wasmInput(V); // lives in softmax-wasm's memory; only we (and onnxruntime) write it
const fetches = { logits: new ort.Tensor("float32", logits, [1, 1, V]) };
const sampler = createSampler({ temperature: 0.8, topP: 0.9, minP: 0.02, seed: 42 });

const tokens = [];
let token = 1;
for (let step = 0; step < STEPS; step++) {
  await session.run({ input_ids: new ort.Tensor("int64", BigInt64Array.of(BigInt(token)), [1, 1]) }, fetches);
  token = sampler.sample(logits).token; // the logits are read where onnxruntime wrote them
  tokens.push(token);
}
logits.free();
await session.release();
console.log(JSON.stringify({ runtime: "onnxruntime-node", backend: getBackend().name, steps: STEPS, tokens }));
