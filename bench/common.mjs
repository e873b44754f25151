// Shared by the benchmark scripts: built-in LLM-like logits (synthetic, seeded) and table helpers.

/** Normal(0, 2.5) logits with 20 boosted tokens, from a fixed seed (mulberry32). */
export function llmLogits(n, seed = 0x5eed1234) {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 2.5 * Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  for (let k = 0; k < 20; k++) x[Math.floor(r() * n)] += 8 + 7 * r();
  return x;
}

/**
 * A history of n token ids < V over a small working set (64 seeded phrases of 3–12 tokens, in
 * random order), so that DRY finds repeats as it does in text.
 */
export function textLikeHistory(V, n) {
  let s = 7;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const phrases = Array.from({ length: 64 }, () => Array.from({ length: 3 + Math.floor(next() * 10) }, () => Math.floor(next() * V)));
  const history = [];
  while (history.length < n) history.push(...phrases[Math.floor(next() * phrases.length)]);
  history.length = n;
  return history;
}

/** `--name value` pairs from the command line. */
export function cliArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.flatMap((a, i) => (a.startsWith("--") ? [[a.slice(2), argv[i + 1]]] : [])));
}

export const SIZES = [32000, 128256, 151936, 262144];

export function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A Markdown table: first column left-aligned, the others right-aligned. */
export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols) => "| " + cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  const rule = "|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(header), rule, ...rows.map(line)].join("\n");
}
