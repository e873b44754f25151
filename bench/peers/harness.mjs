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
 * @param {{ sizes: number[], time: number, onProgress?: (msg: string) => void }} options
 * @returns {Promise<{ V: number, method: string, nsPerElement?: number, speedupVsNaive?: number, error?: string }[]>}
 */
export async function runPeers(peers, { sizes, time, onProgress = () => {} }) {
  const rows = [];
  for (const V of sizes) {
    const x = llmLogits(V);
    const bench = new Bench({ time, warmupTime: Math.min(100, time / 2) });
    for (const peer of peers) {
      try {
        bench.add(peer.name, await peer.setup(x, T));
      } catch (e) {
        rows.push({ V, method: peer.name, error: String(e?.message ?? e).split("\n")[0] });
      }
    }
    bench.addEventListener("cycle", (e) => onProgress(`V=${V} ${e.task.name}`));
    await bench.run();
    const base = bench.tasks[0].result.latency.p50;
    for (const t of bench.tasks) {
      if (t.result.state !== "completed") {
        rows.push({ V, method: t.name, error: String(t.result.error?.message ?? t.result.state) });
        continue;
      }
      const ms = t.result.latency.p50;
      rows.push({ V, method: t.name, nsPerElement: (ms * 1e6) / V, speedupVsNaive: base / ms });
    }
  }
  return rows;
}
