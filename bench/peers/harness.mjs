// The peer comparison harness: softmax(x / T) per vocabulary size for naive JS, softmax-wasm and
// each peer, side by side with tinybench, ratios to naive JS taken within one run. Peers are
// plain objects, so the harness can be tested with stubs (test/peers-harness.test.ts).

import { Bench } from "tinybench";
import { llmLogits } from "../common.mjs";

export const T = 0.7;

/** What most JS code does today: max, Math.exp((x − max)/T) summed, then scale. */
export function naiveSoftmax(x, t, out) {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp((x[i] - max) / t);
  const inv = 1 / sum;
  for (let i = 0; i < x.length; i++) out[i] *= inv;
  return out;
}

/**
 * @typedef {{ name: string, setup: (x: Float32Array, t: number) => Promise<() => unknown> | (() => unknown) }} Peer
 * @param {Peer[]} peers methods to measure; the first should be the baseline (naive JS)
 * @param {{ sizes: number[], time: number, rounds?: number, onProgress?: (msg: string) => void }} options
 *   rounds: how many times every method is timed per size, in turn; each figure is the median of
 *   the rounds' medians, so that a busy moment on a shared machine hits every method alike.
 * @returns {Promise<{ V: number, method: string, nsPerElement?: number, speedupVsNaive?: number, error?: string }[]>}
 */
export async function runPeers(peers, { sizes, time, rounds = 1, onProgress = () => {} }) {
  const rows = [];
  const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
  for (const V of sizes) {
    const x = llmLogits(V);
    const fns = [];
    for (const peer of peers) {
      try {
        fns.push([peer.name, await peer.setup(x, T)]);
      } catch (e) {
        rows.push({ V, method: peer.name, error: String(e?.message ?? e).split("\n")[0] });
      }
    }
    const p50 = new Map(), failed = new Map();
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ time, warmupTime: Math.min(100, time / 2) });
      for (const [name, fn] of fns) if (!failed.has(name)) bench.add(name, fn);
      bench.addEventListener("cycle", (e) => onProgress(`V=${V} round ${round + 1}/${rounds} ${e.task.name}`));
      await bench.run();
      for (const t of bench.tasks) {
        if (t.result.state !== "completed") failed.set(t.name, String(t.result.error?.message ?? t.result.state));
        else (p50.get(t.name) ?? p50.set(t.name, []).get(t.name)).push(t.result.latency.p50);
      }
    }
    const base = median(p50.get(fns[0][0]));
    for (const [name] of fns) {
      if (failed.has(name)) {
        rows.push({ V, method: name, error: failed.get(name) });
        continue;
      }
      const ms = median(p50.get(name));
      rows.push({ V, method: name, nsPerElement: (ms * 1e6) / V, speedupVsNaive: base / ms });
    }
  }
  return rows;
}
