// The same fixture (test/runtimes/fixture.mjs) in every runtime and engine we support: each must
// produce Node's hashes, per backend. A missing runtime fails its test rather than skipping it:
// .ci/run installs them all (npm for Deno and Bun, Debian for the browsers and shells).

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lib from "../dist/index.js";
import { runFixture } from "./runtimes/fixture.mjs";
import { serve } from "../scripts/serve.mjs";
import { withChromium } from "./chromium.js";

const root = new URL("..", import.meta.url).pathname;
type Result = { auto: string; reason: string; hashes: Record<string, string> };

let expected: string;

function run(cmd: string, args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message} (is it installed? .ci/run installs it)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  const line = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(line) as Result;
}

function expectAllBackends(r: Result, auto = "simd") {
  expect(r.auto).toBe(auto);
  expect(r.hashes).toEqual({ simd: expected, wasm: expected, js: expected });
}

beforeAll(() => {
  const node = runFixture(lib) as Result;
  expected = node.hashes.js;
});

describe("the fixture in every runtime gives Node's hashes on every backend", () => {
  it("Node 20 (V8): simd, wasm and js agree", () => {
    expectAllBackends(runFixture(lib) as Result);
  });

  it("Deno (V8)", () => {
    expectAllBackends(run("npx", ["deno", "run", "--allow-read", "test/runtimes/main.mjs"], { DENO_NO_UPDATE_CHECK: "1" }));
  });

  it("Bun (JavaScriptCore)", () => {
    expectAllBackends(run("npx", ["bun", "test/runtimes/main.mjs"]));
  });

  it("the jsc shell (JavaScriptCore, WebKitGTK)", () => {
    expectAllBackends(run("jsc", ["-m", "test/runtimes/main.mjs"]));
  });

  it("the SpiderMonkey js102 shell", () => {
    expectAllBackends(run("js102", ["-m", "test/runtimes/main.mjs"]));
  });

  it("workerd (Cloudflare Workers, via miniflare) through the workerd entry: simd from the precompiled module, js; compiling bytes is refused", async () => {
    const { Miniflare } = await import("miniflare");
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(root, "test/runtimes/worker-cf.mjs"),
      compatibilityDate: "2026-04-01",
      modulesRules: [
        { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
      ],
    });
    try {
      const r = JSON.parse(await (await mf.dispatchFetch("http://localhost/")).text()) as Result;
      expect(r.auto).toBe("simd");
      // "wasm" would compile the embedded scalar bytes, which workerd refuses.
      expect(r.hashes).toEqual({ simd: expected, js: expected });
    } finally {
      await mf.dispose();
    }
  });
});

describe("browsers", () => {
  let server: { url: string; close(): void };
  beforeAll(async () => {
    server = await serve(root);
  });
  afterAll(() => server?.close());

  const inChromium = (path: string) =>
    withChromium(async (page) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(server.url + path);
      await page.waitForFunction(() => (globalThis as { fixtureResult?: unknown }).fixtureResult !== undefined, null, { timeout: 60_000 });
      expect(errors).toEqual([]);
      const r = (await page.evaluate(() => (globalThis as { fixtureResult?: unknown }).fixtureResult)) as { page: Result; worker: Result; workers: Result[] };
      for (const w of r.workers) expect(w).toEqual(r.worker); // four concurrent workers agree
      return r;
    });

  it("Chromium (V8/Blink): a page and four concurrent module web workers", async () => {
    const r = await inChromium("/test/runtimes/page.html");
    expect((r.page as Result & { strict: string }).strict).toBe("ok");
    expectAllBackends(r.page);
    expectAllBackends(r.worker);
  });

  it("Chromium with a CSP lacking 'wasm-unsafe-eval': falls back to js, says why, same hashes; strict init throws", async () => {
    const r = await inChromium("/csp/test/runtimes/page.html");
    expect((r.page as Result & { strict: string }).strict).toMatch(/WebAssembly cannot be used here/);
    for (const where of [r.page, r.worker]) {
      expect(where.auto).toBe("js");
      expect(where.reason).toMatch(/compiling WebAssembly failed/);
      expect(where.hashes).toEqual({ js: expected });
    }
  });

  it("Firefox ESR (SpiderMonkey) over WebDriver BiDi: a page and a module web worker", async () => {
    const puppeteer = (await import("puppeteer-core")).default;
    const profile = mkdtempSync(join(tmpdir(), "softmax-firefox-"));
    const browser = await puppeteer.launch({ browser: "firefox", executablePath: "/usr/bin/firefox-esr", headless: true, userDataDir: profile });
    try {
      const page = await browser.newPage();
      await page.goto(server.url + "/test/runtimes/page.html");
      await page.waitForFunction(() => (globalThis as { fixtureResult?: unknown }).fixtureResult !== undefined, { timeout: 60_000 });
      const r = (await page.evaluate(() => (globalThis as { fixtureResult?: unknown }).fixtureResult)) as { page: Result; worker: Result };
      expectAllBackends(r.page);
      expectAllBackends(r.worker);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
