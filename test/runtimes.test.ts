// The same fixture (test/runtimes/fixture.mjs) in every runtime and engine we support: each must
// produce Node's hashes, per backend. Node, Deno, Bun and workerd come from npm and always run; the
// browsers and shells come from the OS and skip with the apt line when missing, unless
// SOFTMAX_WASM_ENGINES=all (CI) requires them (test/engines.ts).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import * as lib from "../dist/index.js";
import { runFixture } from "./runtimes/fixture.mjs";
import { serve } from "../scripts/serve.mjs";
import { fixtureResultOf, withBrowser, type Browser } from "./browsers.js";
import { npmEngineIt, systemEngineIt } from "./engines.js";

const root = new URL("..", import.meta.url).pathname;
type Result = { auto: string; reason: string; hashes: Record<string, string> };

let expected: string;

function run(cmd: string, args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
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
  npmEngineIt("node", "Node 20 (V8): simd, wasm and js agree", () => {
    expectAllBackends(runFixture(lib) as Result);
  });

  npmEngineIt("deno", "Deno (V8)", () => {
    expectAllBackends(run("npx", ["deno", "run", "--allow-read", "test/runtimes/main.mjs"], { DENO_NO_UPDATE_CHECK: "1" }));
  });

  npmEngineIt("bun", "Bun (JavaScriptCore)", () => {
    expectAllBackends(run("npx", ["bun", "test/runtimes/main.mjs"]));
  });

  systemEngineIt("jsc", "the jsc shell (JavaScriptCore, WebKitGTK)", (jsc) => {
    expectAllBackends(run(jsc, ["-m", "test/runtimes/main.mjs"]));
  });

  systemEngineIt("js102", "the SpiderMonkey js102 shell", (js102) => {
    expectAllBackends(run(js102, ["-m", "test/runtimes/main.mjs"]));
  });

  npmEngineIt("deno", "Deno and Bun have Float16Array: it gives the bits of its float16 Uint16Array with dtype, on every backend", () => {
    for (const [cmd, args] of [["npx", ["deno", "run", "--allow-read", "test/runtimes/half.mjs"]], ["npx", ["bun", "test/runtimes/half.mjs"]]] as const) {
      const r = run(cmd, [...args], { DENO_NO_UPDATE_CHECK: "1" }) as unknown as { hasFloat16Array: boolean; same: Record<string, boolean> };
      expect(r).toEqual({ hasFloat16Array: true, same: { simd: true, wasm: true, js: true } });
    }
  });

  npmEngineIt("workerd", "workerd (Cloudflare Workers, via miniflare) through the workerd entry: simd from the precompiled module, js; compiling bytes is refused", async () => {
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

  const inBrowser = (browser: Browser, executable: string, path: string) =>
    withBrowser(browser, executable, async (page) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String((e as Error).message ?? e)));
      await page.goto(server.url + path);
      const r = await fixtureResultOf<{ page: Result; worker: Result; workers: Result[] }>(page);
      expect(errors).toEqual([]);
      for (const w of r.workers) expect(w).toEqual(r.worker); // four concurrent workers agree
      return r;
    });

  systemEngineIt("chromium", "Chromium (V8/Blink): a page and four concurrent module web workers", async (chromium) => {
    const r = await inBrowser("chromium", chromium, "/test/runtimes/page.html");
    expect((r.page as Result & { strict: string }).strict).toBe("ok");
    expectAllBackends(r.page);
    expectAllBackends(r.worker);
  });

  systemEngineIt("chromium", "Chromium with a CSP lacking 'wasm-unsafe-eval': falls back to js, says why, same hashes; strict init throws", async (chromium) => {
    const r = await inBrowser("chromium", chromium, "/csp/test/runtimes/page.html");
    expect((r.page as Result & { strict: string }).strict).toMatch(/WebAssembly cannot be used here/);
    for (const where of [r.page, r.worker]) {
      expect(where.auto).toBe("js");
      expect(where.reason).toMatch(/compiling WebAssembly failed/);
      expect(where.hashes).toEqual({ js: expected });
    }
  });

  systemEngineIt("firefox", "Firefox ESR (SpiderMonkey) over WebDriver BiDi: a page and four concurrent module web workers", async (firefox) => {
    const r = await inBrowser("firefox", firefox, "/test/runtimes/page.html");
    expectAllBackends(r.page);
    expectAllBackends(r.worker);
  });
});
