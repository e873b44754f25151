// Debian's Chromium and Firefox ESR, both driven by puppeteer-core (CDP for Chromium, WebDriver
// BiDi for Firefox): a fresh profile, the flags this offline machine needs, and clean-up however
// the test ends. The binary paths come from test/engines.ts, which decides whether they exist.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "puppeteer-core";

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// machine's closed network refuses.
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export type Browser = "chromium" | "firefox";

/** Runs `fn` on a new page of a headless browser at `executablePath`, closing it and its profile afterwards. */
export async function withBrowser<T>(browser: Browser, executablePath: string, fn: (page: Page) => Promise<T>, viewport?: { width: number; height: number }): Promise<T> {
  const puppeteer = (await import("puppeteer-core")).default;
  const profile = mkdtempSync(join(tmpdir(), `softmax-${browser}-`));
  const b = await puppeteer.launch({
    browser: browser === "chromium" ? "chrome" : "firefox",
    executablePath,
    headless: true,
    userDataDir: profile,
    args: browser === "chromium" ? CHROMIUM_FLAGS : [],
    defaultViewport: viewport ?? null,
  });
  try {
    const page = await b.newPage();
    if (viewport) await page.setViewport(viewport);
    return await fn(page);
  } finally {
    await b.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Waits until the page has set globalThis.fixtureResult and returns it. It crosses as JSON text:
 * WebDriver BiDi serialises nested objects only to a limited depth, so deeper ones would arrive
 * as undefined from Firefox.
 */
export async function fixtureResultOf<T>(page: Page): Promise<T> {
  await page.waitForFunction(() => (globalThis as { fixtureResult?: unknown }).fixtureResult !== undefined, { timeout: 60_000 });
  return JSON.parse(await page.evaluate(() => JSON.stringify((globalThis as { fixtureResult?: unknown }).fixtureResult))) as T;
}
