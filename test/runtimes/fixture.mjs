// The shared runtime fixture: seeded logits of several sizes, temperatures and masks through
// softmax, logSoftmax, logSumExp, argmax and two seeded sampling sequences, hashed (FNV-1a over
// the output bytes). Plain JavaScript with integer-only data generation (no Math.exp/log/cos,
// which engines may round differently), so every runtime must print the same hashes.

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Logits in [−10, 10) on a 2^-20 grid (exact in f32), some −Infinity, some tied. */
function logits(n, seed) {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const b = r();
    x[i] = ((b >>> 8) / 16777216 - 0.5) * 20;
    if ((b & 15) === 0) x[i] = -Infinity;
    else if ((b & 15) === 1) x[i] = 2.5;
  }
  x[seed % n] = 7.25; // one finite maximum
  return x;
}

function fnv(h, bytes) {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
  return h;
}

const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Hashes of every output, on the backend currently active in `lib`. */
export function fixtureHash(lib) {
  let h = 2166136261;
  const add = (a) => (h = fnv(h, bytesOf(a)));
  for (const n of [1, 5, 16, 17, 257, 1000, 32000]) {
    const x = logits(n, n);
    for (const temperature of [0, 0.25, 0.7, 1, 3, Infinity]) {
      add(lib.softmax(x, { temperature }));
      add(lib.logSoftmax(x, { temperature }));
      add(Float32Array.of(lib.logSumExp(x, { temperature })));
    }
    add(Int32Array.of(lib.argmax(x)));
  }
  const batch = logits(4 * 333, 99);
  add(lib.softmax(batch, { rows: 4, temperature: 0.9 }));
  add(lib.logSumExp(batch, { rows: 4 }));
  const vocab = logits(32000, 5);
  for (const options of [
    { temperature: 0.8, topK: 50, topP: 0.9, seed: 1234, logprobs: 3 },
    { order: "llama.cpp", minP: 0.05, typicalP: 0.9, temperature: 1.2, repetitionPenalty: 1.3, seed: 77 },
    { temperature: 1, seed: 5, logprobs: 2, logprobsMode: "processed" },
  ]) {
    const s = lib.createSampler(options);
    const history = [];
    for (let i = 0; i < 20; i++) {
      const r = s.sample(vocab, { history });
      history.push(r.token);
      add(Int32Array.of(r.token));
      if (r.logprob !== undefined) add(Float32Array.of(r.logprob, ...r.topLogprobs.flatMap((t) => [t.token, t.logprob])));
    }
  }
  return h.toString(16).padStart(8, "0");
}

/** { backend: hash } for every backend this host can run, plus the auto-chosen backend. */
export function runFixture(lib) {
  const auto = lib.getBackend();
  const out = { auto: auto.name, reason: auto.reason, hashes: {} };
  for (const name of ["simd", "wasm", "js"]) {
    if (lib.setBackend) {
      try {
        lib.setBackend(name);
      } catch {
        continue; // not available here (e.g. a CSP without 'wasm-unsafe-eval')
      }
    } else if (name !== "js") continue;
    out.hashes[name] = fixtureHash(lib);
  }
  if (lib.setBackend) lib.setBackend(auto.name);
  return out;
}
