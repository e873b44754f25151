// onnxruntime-web (its single-threaded wasm backend, which also runs in Node): the logits are
// copied once into wasmInput() memory, then sampled there. Run: npm run example:onnx-web
//
// Why one copy: onnxruntime-web's kernels run in its own WebAssembly.Memory and can address
// nothing else, so no output can land in another module's memory. A pre-allocated "cpu" output
// Tensor does not help: it is copied into onnxruntime's heap before the run, and (in 1.31.0-dev,
// the version this repository pins) the result is not copied back into it: the Tensor comes back
// unchanged. So the example takes the output run() returns and copies it into the wasmInput()
// buffer, which is the one copy; sampling then reads it in place.
//
// Prints one JSON line: { runtime, backend, steps, tokens }.

import * as ort from "onnxruntime-web";
import { createSampler, getBackend, wasmInput } from "softmax-wasm";
import { tinyModel } from "./tiny-model.mjs";

const V = 32000;
const STEPS = Number(process.argv[2] ?? 16);

ort.env.wasm.numThreads = 1; // no worker threads: the example stays one process with no extra files
const session = await ort.InferenceSession.create(tinyModel({ vocab: V }), { executionProviders: ["wasm"] });
const logits = wasmInput(V);
const sampler = createSampler({ temperature: 0.8, topP: 0.9, minP: 0.02, seed: 42 });

const tokens = [];
let token = 1;
for (let step = 0; step < STEPS; step++) {
  const out = await session.run({ input_ids: new ort.Tensor("int64", BigInt64Array.of(BigInt(token)), [1, 1]) });
  logits.set(out.logits.data); // the one copy
  token = sampler.sample(logits).token;
  tokens.push(token);
}
logits.free();
await session.release();
console.log(JSON.stringify({ runtime: "onnxruntime-web", backend: getBackend().name, steps: STEPS, tokens }));
