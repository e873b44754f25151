// The skip path for engines that come from the OS: pointed at a binary that does not exist, an
// engine's real test (here the jsc shell's) reports "not found" and the run passes; under
// SOFTMAX_WASM_ENGINES=all the same run fails. Nothing is uninstalled: the path is injected.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findEngine, pathVariable, strictEngines } from "./engines.js";

const root = new URL("..", import.meta.url).pathname;
const missing = "/nonexistent/softmax-wasm/jsc";
const scratch = mkdtempSync(join(tmpdir(), "softmax-engines-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs only the jsc test of test/runtimes.test.ts in a child vitest, jsc pointed at `missing`. */
function runJscTest(strict: boolean) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("VITEST") && k !== "SOFTMAX_WASM_ENGINES") env[k] = v;
  env[pathVariable("jsc")] = missing;
  env.SOFTMAX_WASM_REPORT_FILE = join(scratch, "report.txt");
  env.NO_COLOR = "1";
  if (strict) env.SOFTMAX_WASM_ENGINES = "all";
  const r = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "test/runtimes.test.ts", "-t", "the jsc shell"], {
    cwd: root, env, encoding: "utf8", timeout: 110_000,
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe("engine lookup", () => {
  it("an injected path that does not exist is 'not found', with the apt line; nothing else is searched then", () => {
    const r = findEngine("jsc", { PATH: process.env.PATH, [pathVariable("jsc")]: missing });
    expect(r).toEqual({ found: false, reason: `jsc not found at ${missing} (SOFTMAX_WASM_JSC): apt-get install libjavascriptcoregtk-4.0-bin` });
  });

  it("an empty PATH finds no browser; an injected existing executable is found as given", () => {
    expect(findEngine("chromium", { PATH: "" })).toEqual({ found: false, reason: "chromium not found: apt-get install chromium" });
    expect(findEngine("firefox", { [pathVariable("firefox")]: process.execPath })).toEqual({ found: true, path: process.execPath });
  });

  it("only SOFTMAX_WASM_ENGINES=all is strict", () => {
    expect(strictEngines({})).toBe(false);
    expect(strictEngines({ SOFTMAX_WASM_ENGINES: "some" })).toBe(false);
    expect(strictEngines({ SOFTMAX_WASM_ENGINES: "all" })).toBe(true);
  });
});

describe("a missing system engine, in a child vitest run of its real test", () => {
  it("default mode: the jsc test is skipped with 'not found', the run passes and its summary names jsc as not tested", () => {
    const r = runJscTest(false);
    expect(r.output).toContain(`jsc not found at ${missing}`);
    expect(r.output).toMatch(/↓ test\/runtimes.test.ts > .*the jsc shell.*: skipped, jsc not found at/);
    expect(r.output).toMatch(/engines tested: none; not tested: jsc not found at/);
    expect(r.status).toBe(0);
  }, 120_000);

  it("strict mode (SOFTMAX_WASM_ENGINES=all): the same run fails, naming the engine", () => {
    const r = runJscTest(true);
    expect(r.output).toContain(`jsc not found at ${missing}`);
    expect(r.output).toMatch(/1 failed/);
    expect(r.status).not.toBe(0);
  }, 120_000);
});
