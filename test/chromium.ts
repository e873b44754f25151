// Debian's Chromium driven by playwright-core, as the browser tests use it: a fresh profile,
// the flags this offline machine needs, and cleanup however the test ends.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Runs `fn` on a new page of a headless /usr/bin/chromium, closing it and its profile afterwards. */
export async function withChromium<T>(fn: (page: Page) => Promise<T>, viewport?: { width: number; height: number }): Promise<T> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "softmax-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: "/usr/bin/chromium", headless: true, viewport, args: FLAGS });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
