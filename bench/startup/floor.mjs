// Compiling the kernels by hand: the least any wasm softmax can do before its first result.
// Imported by the floor's Node/Deno/Bun child (floor.html inlines the same steps), and small: importing it stands for
// importing "a one-line module". `bytes` is the SIMD build.
export function firstResultByHand(bytes, logits) {
  WebAssembly.validate(bytes); // kept: the floor as issue #14 measured it
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
  const x = Math.ceil(k.heap_base() / 64) * 64;
  const y = x + 64 * 4, maxes = y + 64 * 4;
  const f32 = new Float32Array(k.memory.buffer);
  f32.set(logits, x / 4);
  if (k.softmax(x, y, 1, logits.length, maxes, 1) !== 0) throw new Error("softmax kernel failed");
  return f32.slice(y / 4, y / 4 + logits.length);
}
