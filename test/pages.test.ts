// The playground and the browser benchmark page in real Chromium. The playground: it loads, moving
// the temperature slider redraws the bars with exactly the library's probabilities, the filters grey
// out dropped tokens, and a seed repeats. The bench page: a short run completes and draws its chart.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { softmax } from "../src/index.js";
import { serve } from "../scripts/serve.mjs";
import { withChromium } from "./chromium.js";
import examples from "../playground/examples.json";

const root = new URL("..", import.meta.url).pathname;
let server: { url: string; close(): void };
beforeAll(async () => {
  server = await serve(root);
});
afterAll(() => server?.close());

async function withPage<T>(fn: (page: import("playwright-core").Page) => Promise<T>): Promise<T> {
  return withChromium(async (page) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}/playground/index.html`);
    await page.waitForFunction(() => (globalThis as { playgroundReady?: boolean }).playgroundReady === true);
    const result = await fn(page);
    expect(errors).toEqual([]);
    return result;
  }, { width: 1000, height: 760 });
}

const setSlider = (page: import("playwright-core").Page, id: string, value: number) =>
  page.evaluate(([id, value]) => {
    const el = document.getElementById(id as string) as HTMLInputElement;
    el.value = String(value);
    el.dispatchEvent(new Event("input"));
  }, [id, value] as const);

describe("playground (Chromium)", () => {
  it("moving the temperature slider shows exactly softmax(logits, { temperature }) and saves a screenshot", async () => {
    await withPage(async (page) => {
      const logits = Float32Array.from(examples.examples[0].logits);
      for (const t of [1, 0.5, 2.5]) {
        await setSlider(page, "temperature", t);
        const shown = await page.$$eval("#bars .row", (rows) => rows.map((r) => Number((r as HTMLElement).dataset.p)));
        expect(shown).toEqual(Array.from(softmax(logits, { temperature: t })));
      }
      await setSlider(page, "temperature", 0.7);
      await setSlider(page, "topK", 3);
      mkdirSync(join(root, "test-output"), { recursive: true });
      await page.screenshot({ path: join(root, "test-output/playground.png"), fullPage: true });
      expect(await page.$$eval("#bars .row.dropped", (r) => r.length)).toBe(logits.length - 3);
      expect(await page.textContent("#kept")).toBe(`3 of ${logits.length}`);
    });
  });

  it("the same seed gives the same 20-token sequence; another seed gives another", async () => {
    await withPage(async (page) => {
      await setSlider(page, "temperature", 1.5);
      const run = async (seed: number) => {
        await page.fill("#seed", String(seed));
        await page.click("#sample");
        return page.textContent("#samples");
      };
      const a = await run(7);
      expect(a!.split(" ").length).toBe(20);
      expect(await run(7)).toBe(a);
      expect(await run(8)).not.toBe(a);
    });
  });
});

describe("browser benchmark page (Chromium)", () => {
  it("completes a short run of every method and draws its chart", async () => {
    await withChromium(async (page) => {
      await page.goto(`${server.url}/bench/browser/index.html?sizes=8192,32000&time=40`);
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "done", null, { timeout: 90_000 });
      const results = (await page.evaluate(() => (globalThis as { benchResults?: unknown }).benchResults)) as { method: string; nsPerElement: number }[];
      expect(new Set(results.map((r) => r.method)).size).toBe(5);
      for (const r of results) expect(r.nsPerElement).toBeGreaterThan(0);
      expect(await page.$$eval("#chart svg polyline", (p) => p.length)).toBe(5);
      mkdirSync(join(root, "test-output"), { recursive: true });
      await page.screenshot({ path: join(root, "test-output/bench-page.png"), fullPage: true });
    });
  }, 120_000);
});
