// Bundles each package entry into one ESM file in dist/, with its source map. One file instead of
// one per source file is most of the cold start: Node's loader resolves, reads and links every
// module of the graph before the first call (11–14 ms for the unbundled graph on Node 20).
//
// Rolldown is the bundler Vite 8 is built on. Each entry is built on its own so that none of them
// imports a shared chunk: the workerd entry repeats the main entry's code rather than adding a
// module to load. Comments are stripped as
// tsc's removeComments did; the TSDoc ships in the .d.ts files, which tsc still writes.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// rolldown is vite's dependency, not ours: resolve it from vite, wherever npm placed it, so the
// build uses the version vite asks for (package-lock.json pins it) and adds no dev dependency.
const fromVite = createRequire(createRequire(import.meta.url).resolve("vite/package.json"));
const { rolldown } = await import(pathToFileURL(fromVite.resolve("rolldown")).href);

const ENTRIES = ["index", "js", "workerd", "transformers"];

for (const name of ENTRIES) {
  const bundle = await rolldown({
    input: new URL(`../src/${name}.ts`, import.meta.url).pathname,
    platform: "neutral",
    // workerd.ts imports the .wasm as a precompiled WebAssembly.Module; that import must stay
    // as written, next to the bundle in dist/, for wrangler/miniflare to resolve. The
    // transformers entry imports the main entry rather than a second copy of it, so that both
    // share one backend (setBackend, init) and one wasm instance.
    external: (id) => id.endsWith(".wasm") || (name === "transformers" && id === "./index.js"),
    logLevel: "warn",
  });
  await bundle.write({
    file: new URL(`../dist/${name}.js`, import.meta.url).pathname,
    format: "es",
    sourcemap: true,
    comments: false,
    // Minified: less for V8 to parse at import (the cold start) and for a page to download. The
    // source map carries the TypeScript, so stack traces and debuggers still show it.
    minify: true,
  });
  await bundle.close();
}
