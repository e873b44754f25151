// The benchmark chart writer: well-formed SVG that names every method in the results.

import { describe, expect, it } from "vitest";
import { chartSvg } from "../bench/chart.mjs";

/** A minimal XML well-formedness check: one root, every tag closed in order, attributes quoted. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  const body = xml.replace(/<title>[^<]*<\/title>/g, "");
  for (const [, close, name, attrs, self] of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g)) {
    void attrs;
    if (close) {
      if (stack.pop() !== name) return false;
    } else if (!self) stack.push(name);
  }
  return stack.length === 0 && body.trim().startsWith("<svg") && body.trim().endsWith("</svg>");
}

describe("chartSvg", () => {
  const methods = ["naive JS (Math.exp)", "simd, copy", "simd, zero-copy", "wasm, copy", "js twin <&>"];
  const results = [32000, 128256, 262144].flatMap((V) => methods.map((method, i) => ({ V, method, nsPerElement: (i + 1) * 1.7 + V / 1e6 })));

  it("writes well-formed SVG with one polyline, one legend entry and one title per method (names escaped)", () => {
    const svg = chartSvg(results, { subtitle: "test run" });
    expect(wellFormed(svg)).toBe(true);
    expect(svg.match(/<polyline /g)!.length).toBe(methods.length);
    for (const m of methods) expect(svg).toContain(m.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    expect(svg).toContain("test run");
  });

  it("places every point inside the plot area, on a log scale", () => {
    const svg = chartSvg(results);
    for (const [, cx, cy] of svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)) {
      expect(Number(cx)).toBeGreaterThanOrEqual(70);
      expect(Number(cy)).toBeGreaterThanOrEqual(56);
      expect(Number(cy)).toBeLessThanOrEqual(420 - 50);
    }
  });
});
