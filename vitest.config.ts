import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    // 2-core machines: the numeric suites are CPU-bound, so run files one at a time.
    fileParallelism: false,
  },
});
