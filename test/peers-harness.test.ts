// The peers benchmark harness with a stub peer list: the real peers (hundreds of MB) are installed
// only by `npm run bench:peers`, so this checks the harness itself — every method timed per size,
// ratios to the baseline, and a peer that fails to set up reported as an error, not a crash.

import { describe, expect, it } from "vitest";
import { runPeers } from "../bench/peers/harness.mjs";

describe("peers harness (stub peers)", () => {
  it("times every method at every size over 3 rounds in turn, reports ratios to the first, and records a broken peer as an error", async () => {
    const sum = (x: Float32Array) => () => x.reduce((a, b) => a + b, 0);
    const rows = await runPeers(
      [
        { name: "baseline", setup: (x: Float32Array) => sum(x) },
        { name: "twice the work", setup: (x: Float32Array) => () => (sum(x)(), sum(x)()) },
        { name: "async peer", setup: async (x: Float32Array) => async () => sum(x)() },
        { name: "broken peer", setup: () => { throw new Error("module not installed"); } },
      ],
      { sizes: [1000, 4000], time: 20, rounds: 3 },
    );
    expect(rows).toHaveLength(8);
    for (const V of [1000, 4000]) {
      const at = (m: string) => rows.find((r) => r.V === V && r.method === m)!;
      expect(at("baseline").speedupVsNaive).toBe(1);
      expect(at("twice the work").nsPerElement).toBeGreaterThan(0);
      expect(at("async peer").nsPerElement).toBeGreaterThan(0);
      expect(at("broken peer")).toEqual({ V, method: "broken peer", error: "module not installed" });
    }
  });
});
