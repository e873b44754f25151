// The engines the tests run the package in, and what happens when one is missing.
//
// npm brings Node, Deno, Bun, workerd (miniflare) and Vite, so they are always there. The browsers
// and JS shells come from the OS (Debian packages). A fresh machine may lack them: their tests
// then skip with the reason and the apt line, and the run's last line (test/engines-reporter.ts)
// lists what was and was not tested. SOFTMAX_WASM_ENGINES=all (set by .ci/run) makes a missing
// engine a failure instead, so nothing goes missing in CI unnoticed.
//
// SOFTMAX_WASM_<ENGINE>=/path points the lookup at a given binary (used by the test of the skip
// path itself, and by anyone whose browser lives elsewhere).

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { it } from "vitest";

declare module "vitest" {
  interface TaskMeta {
    /** The engine a test runs the package in; read by the engines reporter. */
    engine?: EngineName;
  }
}

export type NpmEngine = "node" | "deno" | "bun" | "workerd" | "vite";
export type SystemEngine = "chromium" | "firefox" | "jsc" | "js102";
export type EngineName = NpmEngine | SystemEngine;

interface SystemSpec {
  /** Binary names looked up on PATH, in order. */
  binaries: string[];
  /** The Debian package that provides it. */
  apt: string;
}

export const SYSTEM_ENGINES: Record<SystemEngine, SystemSpec> = {
  chromium: { binaries: ["chromium", "chromium-browser"], apt: "chromium" },
  firefox: { binaries: ["firefox-esr", "firefox"], apt: "firefox-esr" },
  jsc: { binaries: ["jsc"], apt: "libjavascriptcoregtk-4.0-bin" },
  js102: { binaries: ["js102"], apt: "libmozjs-102-dev" },
};

/** The environment variable that overrides an engine's binary path. */
export const pathVariable = (engine: SystemEngine) => `SOFTMAX_WASM_${engine.toUpperCase()}`;

/** Whether a missing engine fails the run (CI) rather than skipping its tests. */
export const strictEngines = (env = process.env) => env.SOFTMAX_WASM_ENGINES === "all";

export type Lookup = { found: true; path: string } | { found: false; reason: string };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Finds a system engine: the override variable if set (and nothing else then), else PATH. */
export function findEngine(engine: SystemEngine, env = process.env): Lookup {
  const spec = SYSTEM_ENGINES[engine];
  const override = env[pathVariable(engine)];
  const hint = `apt-get install ${spec.apt}`;
  if (override) {
    return executable(override)
      ? { found: true, path: override }
      : { found: false, reason: `${engine} not found at ${override} (${pathVariable(engine)}): ${hint}` };
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    for (const name of spec.binaries) {
      const path = join(dir, name);
      if (dir && executable(path)) return { found: true, path };
    }
  }
  return { found: false, reason: `${engine} not found: ${hint}` };
}

/** A test that runs in an npm-provided engine: always runs; tagged for the summary line. */
export function npmEngineIt(engine: NpmEngine, title: string, fn: () => unknown, timeout?: number): void {
  it(title, async ({ task }) => {
    task.meta.engine = engine;
    await fn();
  }, timeout);
}

/**
 * A test that needs a system engine. Found: runs `fn` with the binary's path. Missing: skips with
 * the reason (vitest shows it), or fails under SOFTMAX_WASM_ENGINES=all.
 */
export function systemEngineIt(engine: SystemEngine, title: string, fn: (path: string) => unknown, timeout?: number): void {
  const lookup = findEngine(engine);
  it(title, async ({ task, skip }) => {
    task.meta.engine = engine;
    if (lookup.found) return fn(lookup.path);
    if (strictEngines()) throw new Error(`${lookup.reason} (SOFTMAX_WASM_ENGINES=all: every engine is required)`);
    skip(lookup.reason);
  }, timeout);
}
