// The playground and the browser benchmark page in real Chromium. The playground: it loads, moving
// the temperature slider redraws the bars with exactly the library's probabilities, the filters grey
// out dropped tokens, and a seed repeats. The bench page: a short run completes and draws its chart.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { softmax } from "../src/index.js";
import { serve } from "../scripts/serve.mjs";
import { withBrowser } from "./browsers.js";
import { systemEngineIt } from "./engines.js";
import examples from "../playground/examples.json";

const root = new URL("..", import.meta.url).pathname;
let server: { url: string; close(): void };
beforeAll(async () => {
  server = await serve(root);
});
afterAll(() => server?.close());

type Page = import("puppeteer-core").Page;
const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent);

async function withPage<T>(chromium: string, fn: (page: Page) => Promise<T>): Promise<T> {
  return withBrowser("chromium", chromium, async (page) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String((e as Error).message ?? e)));
    await page.goto(`${server.url}/playground/index.html`);
    await page.waitForFunction(() => (globalThis as { playgroundReady?: boolean }).playgroundReady === true);
    const result = await fn(page);
    expect(errors).toEqual([]);
    return result;
  }, { width: 1000, height: 760 });
}

const setSlider = (page: Page, id: string, value: number) =>
  page.evaluate((id, value) => {
    const el = document.getElementById(id) as HTMLInputElement;
    el.value = String(value);
    el.dispatchEvent(new Event("input"));
  }, id, value);

describe("playground (Chromium)", () => {
  systemEngineIt("chromium", "moving the temperature slider shows exactly softmax(logits, { temperature }) and saves a screenshot", async (chromium) => {
    await withPage(chromium, async (page) => {
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
      expect(await text(page, "#kept")).toBe(`3 of ${logits.length}`);
    });
  });

  systemEngineIt("chromium", "the same seed gives the same 20-token sequence; another seed gives another", async (chromium) => {
    await withPage(chromium, async (page) => {
      await setSlider(page, "temperature", 1.5);
      const run = async (seed: number) => {
        await page.$eval("#seed", (el, v) => { (el as HTMLInputElement).value = v; }, String(seed));
        await page.click("#sample");
        return text(page, "#samples");
      };
      const a = await run(7);
      expect(a!.split(" ").length).toBe(20);
      expect(await run(7)).toBe(a);
      expect(await run(8)).not.toBe(a);
    });
  });
});

describe("browser benchmark page (Chromium)", () => {
  systemEngineIt("chromium", "completes a short run of every method and draws its chart", async (chromium) => {
    await withBrowser("chromium", chromium, async (page) => {
      await page.goto(`${server.url}/bench/browser/index.html?sizes=8192,32000&time=40`);
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "done", { timeout: 90_000 });
      const results = (await page.evaluate(() => (globalThis as { benchResults?: unknown }).benchResults)) as { method: string; nsPerElement: number }[];
      expect(new Set(results.map((r) => r.method)).size).toBe(5);
      for (const r of results) expect(r.nsPerElement).toBeGreaterThan(0);
      expect(await page.$$eval("#chart svg polyline", (p) => p.length)).toBe(5);
      mkdirSync(join(root, "test-output"), { recursive: true });
      await page.screenshot({ path: join(root, "test-output/bench-page.png"), fullPage: true });
    });
  }, 120_000);
});
