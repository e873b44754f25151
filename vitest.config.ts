import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // 2-core machines: the numeric suites are CPU-bound, so run files one at a time.
    fileParallelism: false,
    // The default reporter, then one line on which engines ran (test/engines-reporter.ts).
    reporters: ["default", "./test/engines-reporter.ts"],
    // Most suites run seconds by design (sweeps, fuzz, browsers): don't list them as slow.
    slowTestThreshold: 300_000,
    // The soak test measures the heap that stays alive after a collection, not garbage not yet
    // collected, which depends on when V8 happens to run its GC.
    execArgv: ["--expose-gc"],
  },
});
