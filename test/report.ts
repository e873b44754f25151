// Figures the tests measure (accuracy, counts, sizes) go to test-output/report.txt rather than to
// the console, so that a green run reads as a short summary; SOFTMAX_WASM_VERBOSE=1 prints them too.

import { appendFileSync, mkdirSync } from "node:fs";

// SOFTMAX_WASM_REPORT_FILE moves it, so that a nested run (test/engines.test.ts) keeps the outer one's.
export const REPORT_FILE = process.env.SOFTMAX_WASM_REPORT_FILE
  ? new URL(`file://${process.env.SOFTMAX_WASM_REPORT_FILE}`)
  : new URL("../test-output/report.txt", import.meta.url);

/** Records one measured figure. */
export function report(line: string): void {
  mkdirSync(new URL(".", REPORT_FILE), { recursive: true });
  appendFileSync(REPORT_FILE, line + "\n");
  if (process.env.SOFTMAX_WASM_VERBOSE) console.log(line);
}
