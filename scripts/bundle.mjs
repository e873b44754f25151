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
const { rolldown, RolldownMagicString } = await import(pathToFileURL(fromVite.resolve("rolldown")).href);
const { parseAst } = await import(pathToFileURL(fromVite.resolve("rolldown/parseAst")).href);

const ENTRIES = ["index", "js", "workerd", "transformers"];

// The functions that the first softmax() (and every first row-wise call) runs, by their source
// names. V8 compiles a function lazily: at import it only pre-parses it, and the first call then
// parses it again and compiles it, on the main thread. A function literal written in parentheses
// is compiled eagerly instead (V8's "PIFE" heuristic), in the same pass as the top level: in a
// browser, on the background thread that parses the module while it downloads. So these few
// (4 KB of the bundle's 50 KB of code) are emitted as `const f = (function (…) {…})`; everything
// else (the samplers, the js backend) stays lazy, as compiling all of it eagerly costs more than
// it saves (measured: see the README's Cold start section). A name that is no longer a top-level
// function of the bundle fails the build, so that this list follows the sources.
const EAGER = {
  index: [
    // index.ts, runtime.ts, wasm/load.ts, wasm/hex.ts: choosing and compiling the backend
    "softmax", "backend", "use", "tryEmbedded", "compileEmbeddedSync", "embeddedSimdBytes", "decode", "bestDecoder", "decodeWith", "plain", "instantiate",
    // api.ts, input.ts, validate.ts: what every row-wise call validates
    "rowwise", "readOptions", "readDtype", "readLogits", "ownFloat32", "typedArrayTag", "typedLength", "checkTemperature", "checkRows", "readOut",
  ],
};
EAGER.workerd = EAGER.index;

/** Rewrites the top-level `function name(…) {…}` declarations listed in `names` as parenthesised expressions. */
function eagerCompile(names) {
  return {
    name: "eager-compile",
    renderChunk(code) {
      const wanted = new Set(names);
      const s = new RolldownMagicString(code);
      for (const node of parseAst(code).body) {
        if (node.type !== "FunctionDeclaration" || node.async || node.generator) continue;
        const name = node.id.name;
        const source = name.replace(/\$\d+$/, ""); // rolldown suffixes a name that another module also declares
        if (!wanted.delete(source)) continue;
        s.appendLeft(node.start, `const ${name} = (`);
        s.appendRight(node.end, `);`);
      }
      if (wanted.size > 0) throw new Error(`scripts/bundle.mjs: no top-level function ${[...wanted].join(", ")} in the bundle; update EAGER`);
      // A character-level map, so that the source map keeps its columns through this step.
      return { code: s.toString(), map: JSON.parse(s.generateMap({ hires: true }).toString()) };
    },
  };
}

// The embedded wasm builds (src/wasm/embedded.ts, hex) are moved to the very end of the file.
// Deflate codes each block of about 16K symbols with its own Huffman tables; hex in the middle of
// the JavaScript makes the blocks around it mix two alphabets, and each compresses worse. At the
// end, only one block is mixed. The scalar build (the shorter string) goes first: the SIMD build repeats most of its
// code, and gzip can only refer back 32 KB, which the SIMD build's 32 K hex digits would
// otherwise put the scalar build beyond. Measured on the default entry, gzip -9: 29,360 →
// 28,307 bytes. Only functions read the constants, and no entry calls one of those before the
// module has evaluated, so their place at the end is no temporal-dead-zone hazard.
function hexLast() {
  return {
    name: "hex-last",
    renderChunk(code) {
      const found = [...code.matchAll(/^(?:export )?const (\w+) = "([0-9a-f]{1000,})";\n/gm)];
      if (found.length === 0) {
        if (code.includes('"0061736d')) throw new Error("scripts/bundle.mjs: embedded wasm hex in a form hexLast does not recognise");
        return null;
      }
      const s = new RolldownMagicString(code);
      for (const m of found) s.remove(m.index, m.index + m[0].length);
      found.sort((a, b) => a[2].length - b[2].length);
      // Destructured from one array: the minifier, which runs after this step, would put a
      // constant used once straight back into the function that uses it.
      s.append(`\nconst [${found.map((m) => m[1]).join(", ")}] = [${found.map((m) => `"${m[2]}"`).join(", ")}];\n`);
      return { code: s.toString(), map: JSON.parse(s.generateMap({ hires: true }).toString()) };
    },
    // The minifier writes every string as a template literal. V8 scans a template's characters
    // twice over (its cooked and its raw value): compiling the two hex strings takes 0.39 ms as
    // templates and 0.21 ms in double quotes (vm.Script, medians of 300). Same length, so the
    // source map still holds.
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === "chunk") chunk.code = chunk.code.replace(/`(0061736d[0-9a-f]+)`/g, '"$1"');
      }
    },
  };
}

// The workerd entry imports the SIMD build as a precompiled module, and Workers refuse to compile
// bytes: the embedded hex (about 49 KB, both builds) would only be parsed by every new isolate and
// never used. Its bundle gets this module in place of src/wasm/embedded.ts instead.
function noEmbeddedWasm() {
  return {
    name: "no-embedded-wasm",
    load(id) {
      if (!id.endsWith("/src/wasm/embedded.ts")) return null;
      return `// The workerd entry embeds no wasm (scripts/bundle.mjs).\nexport const SIMD_WASM_HEX: string = "";\nexport const SCALAR_WASM_HEX: string = "";\n`;
    },
  };
}

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
    plugins: name === "workerd" ? [noEmbeddedWasm()] : [],
  });
  await bundle.write({
    file: new URL(`../dist/${name}.js`, import.meta.url).pathname,
    format: "es",
    sourcemap: true,
    comments: false,
    // Minified: less for V8 to parse at import (the cold start) and for a page to download. The
    // source map carries the TypeScript, so stack traces and debuggers still show it. asciiOnly
    // writes the few non-ASCII characters of the messages (≥, →) as \u escapes: engines hold a
    // source with any non-ASCII character as a two-byte string, and Node's loader then decodes
    // the whole 100 KB file from UTF-8 rather than taking its ASCII fast path (Node's import:
    // 6.14 → 5.90 ms, medians of 80 interleaved fresh processes; no change in V8's parse time).
    minify: { compress: true, mangle: true, codegen: { asciiOnly: true } },
    plugins: [...(EAGER[name] ? [eagerCompile(EAGER[name])] : []), hexLast()],
  });
  await bundle.close();
}
