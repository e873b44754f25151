// Ends every run with one line saying which engines the package was tested in and which it was
// not (and why), from the tests' own results: an engine counts as tested when at least one of its
// tests ran, not merely because its binary exists. Also starts test-output/report.txt afresh.

import { mkdirSync, writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";
import { REPORT_FILE } from "./report.js";

export default class EnginesReporter implements Reporter {
  onInit(): void {
    mkdirSync(new URL(".", REPORT_FILE), { recursive: true });
    writeFileSync(REPORT_FILE, "");
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const ran = new Set<string>();
    const skipped = new Map<string, string>();
    const lines: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const engine = test.meta().engine;
        if (!engine) continue;
        const result = test.result();
        if (result.state === "skipped") {
          if (!result.note) continue; // filtered out (-t), not missing
          skipped.set(engine, result.note);
          lines.push(`  ↓ ${module.moduleId.replace(process.cwd() + "/", "")} > ${test.fullName}: skipped, ${result.note}`);
        } else if (result.state !== "pending") {
          ran.add(engine);
        }
      }
    }
    for (const engine of ran) skipped.delete(engine);
    if (ran.size === 0 && skipped.size === 0) return;
    const notTested = [...skipped.values()];
    console.log(
      (lines.length ? `\nskipped for a missing engine:\n${lines.join("\n")}\n` : "") +
      `\nengines tested: ${[...ran].join(", ") || "none"}; not tested: ${notTested.length ? notTested.join("; ") : "none"}` +
        (notTested.length ? " (SOFTMAX_WASM_ENGINES=all makes a missing engine fail)" : "") +
        `\nmeasured figures: test-output/report.txt\n`,
    );
  }
}
