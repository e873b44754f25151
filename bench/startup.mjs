// Cold start (npm run bench:startup): the time to the first softmax result in a fresh process or
// browser, for the package against the floor of compiling the wasm by hand (bench/startup/).
// Every sample is a new process (Node, Deno, Bun) or a new Chromium browser context; the
// variants are interleaved round by round, so a noisy moment on this shared machine hits them all.
// A runtime that is missing is skipped with a note. Usage:
//   node bench/startup.mjs [--rounds 9] [--browser-rounds 25] [--runtimes node,deno,bun,chromium] [--also <dist dir>]
// --also adds a row for another build's dist/ (for example a copy of an older one) in Node, Deno,
// Bun and Chromium, measured in the same rounds. Put it under this directory (build/ is ignored by
// git): outside a "type": "module" package, Node would parse its .js files twice (as CommonJS,
// then as ESM) and the row would be unfair to it; and the local server serves only this directory.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { serve } from "../scripts/serve.mjs";

const root = new URL("..", import.meta.url).pathname;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ROUNDS = Number(arg("--rounds", 9));
// Chromium's samples vary far more (the page's one request to the local server alone takes
// 10–150 ms on a busy machine), and each is cheap, so it gets more of them.
const BROWSER_ROUNDS = Number(arg("--browser-rounds", 25));
const ALSO = arg("--also", undefined);
const RUNTIMES = arg("--runtimes", "node,deno,bun,chromium").toLowerCase().split(",");
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const notes = [];

/** The command that runs a script in `runtime`, or undefined (with a note) if it is missing. */
function command(runtime) {
  if (runtime === "Node") return [process.execPath];
  const bin = runtime.toLowerCase();
  const local = join(root, "node_modules/.bin", bin);
  const exe = existsSync(local) ? local : bin;
  const probe = spawnSync(exe, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    notes.push(`${runtime}: skipped, \`${bin}\` was not found (it is an npm dev dependency: run npm ci).`);
    return undefined;
  }
  return runtime === "Deno" ? [exe, "run", "--allow-read"] : [exe];
}

function runChild(cmd, mode, dist) {
  const args = [...cmd, join(root, "bench/startup/child.mjs"), mode];
  if (dist) args.push(dist);
  const r = spawnSync(args[0], args.slice(1), { cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** `ROUNDS` samples per variant, interleaved and rotated round by round. */
async function sampleRounds(variants, once, rounds = ROUNDS) {
  const samples = variants.map(() => []);
  let reference;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const r = await once(variants[i]);
      // Every variant must compute the same probabilities, or the timing compares nothing.
      const p = JSON.stringify(r.p);
      if (reference === undefined) reference = p;
      else if (p !== reference) throw new Error(`${variants[i].label} gave ${p}, others ${reference}`);
      samples[i].push(r);
    }
  }
  return samples;
}
const medianOf = (samples, key) => median(samples.map((r) => r[key]));

const rows = [];
for (const runtime of ["Node", "Deno", "Bun"]) {
  if (!RUNTIMES.includes(runtime.toLowerCase())) continue;
  const cmd = command(runtime);
  if (!cmd) continue;
  const variants = [
    { label: "floor", mode: "floor" },
    { label: "package", mode: "package" },
    { label: "js", mode: "js" },
  ];
  if (ALSO) variants.push({ label: "also", mode: "package", dist: resolve(ALSO) });
  process.stderr.write(`${runtime}: ${ROUNDS} rounds of ${variants.length} fresh processes…\n`);
  const m = (await sampleRounds(variants, (v) => runChild(cmd, v.mode, v.dist))).map((s) => medianOf(s, "ms"));
  rows.push({ runtime, floor: m[0], pkg: m[1], js: m[2] });
  if (ALSO) rows.push({ runtime: `${runtime}, ${ALSO}`, floor: m[0], pkg: m[3] });
}

async function chromium() {
  if (!existsSync(CHROMIUM)) return notes.push(`Chromium: skipped, ${CHROMIUM} is missing (apt-get install chromium).`);
  let puppeteer;
  try {
    puppeteer = (await import("puppeteer-core")).default;
  } catch {
    return notes.push("Chromium: skipped, puppeteer-core is not installed (run npm ci).");
  }
  const server = await serve(root);
  const profile = mkdtempSync(join(tmpdir(), "softmax-startup-"));
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, userDataDir: profile, args: FLAGS });
  const variants = [
    { label: "floor", path: "/bench/startup/floor.html" },
    { label: "package", path: "/bench/startup/package.html" },
  ];
  if (ALSO) {
    // package.html importing the other build: written next to it (under build/, which git ignores)
    const page = readFileSync(join(root, "bench/startup/package.html"), "utf8").replace("../../dist/index.js", `/${relative(root, resolve(ALSO))}/index.js`);
    mkdirSync(join(root, "build"), { recursive: true });
    writeFileSync(join(root, "build/startup-also.html"), page);
    variants.push({ label: "also", path: "/build/startup-also.html" });
  }
  // Each sample gets a new incognito context: its own renderer process and empty caches (HTTP,
  // and the V8 code cache kept with it), without the noise of starting a whole browser. An empty
  // page of the same origin starts the renderer before the measured navigation.
  const once = async (v) => {
    const context = await browser.createBrowserContext();
    try {
      const page = await context.newPage();
      await page.goto(server.url + "/bench/startup/blank.html");
      await page.goto(server.url + v.path);
      await page.waitForFunction(() => globalThis.startup !== undefined, { timeout: 30_000 });
      return await page.evaluate(() => globalThis.startup);
    } finally {
      await context.close();
    }
  };
  process.stderr.write(`Chromium: ${BROWSER_ROUNDS} rounds of ${variants.length} fresh browser contexts…\n`);
  try {
    await once(variants[0]); // the browser's own first-navigation costs are no variant's
    const [floor, pkg, also] = await sampleRounds(variants, once, BROWSER_ROUNDS);
    rows.push({ runtime: `Chromium, navigation → result (${BROWSER_ROUNDS} samples)`, floor: medianOf(floor, "ms"), pkg: medianOf(pkg, "ms") });
    if (also) rows.push({ runtime: `Chromium, navigation → result, ${ALSO}`, floor: medianOf(floor, "ms"), pkg: medianOf(also, "ms") });
    rows.push({ runtime: `Chromium, last byte received → result (${BROWSER_ROUNDS} samples)`, floor: medianOf(floor, "afterBytes"), pkg: medianOf(pkg, "afterBytes") });
    if (also) rows.push({ runtime: `Chromium, last byte received → result, ${ALSO}`, floor: medianOf(floor, "afterBytes"), pkg: medianOf(also, "afterBytes") });
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    server.close();
  }
}
if (RUNTIMES.includes("chromium")) await chromium();

const f = (ms) => (ms === undefined ? "—" : `${ms.toFixed(1)} ms`);
console.log(`\nCold start: time to the first softmax result, median of ${ROUNDS} fresh processes (or browser contexts) per cell, interleaved:\n`);
console.log("| runtime | floor: compile the wasm by hand | `softmax-wasm`: import + first `softmax` | ratio (difference) | `softmax-wasm/js`: import + first `softmax` |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.runtime} | ${f(r.floor)} | ${f(r.pkg)} | ${(r.pkg / r.floor).toFixed(2)}× (${r.pkg - r.floor >= 0 ? "+" : "−"}${Math.abs(r.pkg - r.floor).toFixed(1)} ms) | ${f(r.js)} |`);
}
for (const n of notes) console.log(`\nNote: ${n}`);
