// What V8 actually runs: compiles a wasm build with TurboFan (no Liftoff, no lazy compilation),
// prints its machine code, and counts, for every loop of every function, the instructions, the
// stack-slot loads and stores (spills and reloads), and the integer bookkeeping.
//
// Usage: npm run build && node bench/hot-loops.mjs [--wasm build/softmax.simd.wasm] [--all]
// Without --all it prints the functions that hold the O(V) passes. Function names come from the
// .wat next to the .wasm (asc writes both; the binary itself has no name section).
//
// A loop is the range from a backward jump's target to the jump. Counted per loop body:
//   instrs    every instruction in the range (once per iteration when the loop is innermost)
//   vec       instructions touching an xmm register
//   spill st  stores to a stack slot ([rbp−…] / [rsp+…]), spill ld  loads from one
//   int       everything else: address arithmetic, counters, compares, branches
// Ranges are by address, so an outer loop's counts include its inner loops.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cliArgs } from "./common.mjs";

const args = cliArgs();
const wasm = resolve(args.wasm ?? "build/softmax.simd.wasm");
const wat = wasm.replace(/\.wasm$/, ".wat");
const showAll = "all" in args;

// Function index → name, in the order the .wat declares them (the module has no imports).
const names = [...readFileSync(wat, "utf8").matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);

const dir = mkdtempSync(join(tmpdir(), "hot-loops-"));
const child = join(dir, "compile.mjs");
writeFileSync(child, `import { readFileSync } from "node:fs";\nnew WebAssembly.Instance(new WebAssembly.Module(readFileSync(${JSON.stringify(wasm)})), {});\n`);
const out = execFileSync(process.execPath, ["--print-wasm-code", "--no-liftoff", "--no-wasm-lazy-compilation", child], {
  encoding: "utf8",
  maxBuffer: 1 << 28,
});

const INSN = /^0x[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.*)$/;
const JUMP = /^j\w+\s+0x[0-9a-f]+\s+<\+0x([0-9a-f]+)>/;
const STACK = /\[(rbp-|rsp\+|rsp\])/;

/** Per function: its instructions as { off, text }. */
const functions = [];
let current;
for (const line of out.split("\n")) {
  const name = /^name: wasm-function\[(\d+)\]/.exec(line);
  if (name) {
    current = { index: Number(name[1]), name: names[Number(name[1])] ?? `#${name[1]}`, insns: [] };
    functions.push(current);
    continue;
  }
  if (/^--- End code ---/.test(line)) current = undefined;
  const m = current && INSN.exec(line);
  if (m) current.insns.push({ off: parseInt(m[1], 16), text: m[2].replace(/^REX\.W\s+/, "").trim() });
}

function classify(text) {
  const stack = STACK.test(text);
  const [op, ...rest] = text.split(/\s+/);
  const operands = rest.join(" ");
  if (stack) {
    // Store if the stack slot is the destination (first operand), else a load.
    return operands.trimStart().startsWith("[") ? "st" : "ld";
  }
  return /xmm/.test(text) ? "vec" : "int";
}

function loopsOf(f) {
  const loops = [];
  for (const { off, text } of f.insns) {
    const j = JUMP.exec(text);
    if (!j) continue;
    const target = parseInt(j[1], 16);
    if (target > off) continue;
    const body = f.insns.filter((i) => i.off >= target && i.off <= off);
    const c = { instrs: body.length, vec: 0, st: 0, ld: 0, int: 0 };
    for (const i of body) c[classify(i.text)]++;
    loops.push({ from: target, to: off, ...c });
  }
  for (const l of loops) l.innermost = !loops.some((o) => o !== l && o.from >= l.from && o.to <= l.to);
  // Out-of-line code (stack-check slow paths, staging) that jumps back makes ranges that are not
  // loops of the source; keep the innermost loops and the one loop directly around each.
  const keep = new Set(loops.filter((l) => l.innermost));
  for (const l of [...keep]) {
    const around = loops.filter((o) => o !== l && o.from <= l.from && o.to >= l.to).sort((a, b) => a.instrs - b.instrs)[0];
    if (around) keep.add(around);
  }
  return showAll ? loops : loops.filter((l) => keep.has(l));
}

const INTERESTING = /expSum|exp_sum|softmaxRows|logSoftmaxRows|logSumExpRows|rowMax|collectRange|dotExpArg|walkCdf|firstIndexOf|scale|shiftLog|Block|block/;
const rows = [];
for (const f of functions.sort((a, b) => a.index - b.index)) {
  if (!showAll && !INTERESTING.test(f.name)) continue;
  for (const l of loopsOf(f)) {
    if (!showAll && l.instrs < 8) continue;
    rows.push([f.name.replace(/^assembly\//, ""), `+0x${l.from.toString(16)}..+0x${l.to.toString(16)}`, l.innermost ? "inner" : "outer", l.instrs, l.vec, l.st, l.ld, l.int]);
  }
}
const header = ["function", "loop", "nest", "instrs", "vec", "spill st", "spill ld", "int"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const fmt = (r) => `| ${r.map((c, i) => (typeof c === "number" ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join(" | ")} |`;
console.log(`V8 ${process.versions.v8}, TurboFan, ${wasm}`);
console.log(fmt(header));
console.log(`|${widths.map((w, i) => (typeof rows[0]?.[i] === "number" ? "-".repeat(w + 1) + ":" : "-".repeat(w + 2))).join("|")}|`);
for (const r of rows) console.log(fmt(r));
