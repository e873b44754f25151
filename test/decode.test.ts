// Decoding the embedded wasm (hex, see src/wasm/hex.ts): every decoder path gives the bytes of
// the .wasm files, and the runtime picks the fastest one the host has. Node 20 has Buffer (its
// hexWrite and Buffer.from) and the JS decoder; Uint8Array.fromHex is checked natively in Bun and
// Deno (test/runtimes/decoders.ts).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bestDecoder, decodeHex, decodeWith, type DecoderName } from "../src/wasm/hex.js";
import { SCALAR_WASM_HEX, SIMD_WASM_HEX } from "../src/wasm/embedded.js";

const root = new URL("..", import.meta.url).pathname;
const builds = [
  { name: "simd", hex: SIMD_WASM_HEX, file: readFileSync(new URL("../build/softmax.simd.wasm", import.meta.url)) },
  { name: "scalar", hex: SCALAR_WASM_HEX, file: readFileSync(new URL("../build/softmax.wasm", import.meta.url)) },
];

/** Installs a Uint8Array.fromHex for the test's duration (Node 20 has none). */
function withFromHex<T>(impl: (hex: string) => Uint8Array, fn: () => T): T {
  const had = Object.getOwnPropertyDescriptor(Uint8Array, "fromHex");
  Object.defineProperty(Uint8Array, "fromHex", { value: impl, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    if (had) Object.defineProperty(Uint8Array, "fromHex", had);
    else delete (Uint8Array as { fromHex?: unknown }).fromHex;
  }
}

afterEach(() => vi.unstubAllGlobals());

describe("hex decoders", () => {
  it.each(["hexWrite", "Buffer", "js"] as DecoderName[])("the %s decoder gives exactly the bytes of both .wasm files, as a plain Uint8Array", (name) => {
    for (const { hex, file } of builds) {
      const bytes = decodeWith(name, hex);
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(file)).toBe(true);
    }
  });

  it("the fromHex path hands the host's result on as a plain Uint8Array over the same bytes", () => {
    const bytes = withFromHex((hex) => Buffer.from(hex, "hex"), () => decodeWith("fromHex", SIMD_WASM_HEX));
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(builds[0].file)).toBe(true);
  });

  it("the JS decoder gives every byte value like Buffer, and the embedded text is lower-case hex", () => {
    const all = Uint8Array.from({ length: 512 }, (_, i) => (i * 97 + 13) & 255);
    expect(Array.from(decodeHex(Buffer.from(all).toString("hex")))).toEqual(Array.from(all));
    expect(decodeHex("").length).toBe(0);
    for (const { hex } of builds) expect(hex).toMatch(/^(?:[0-9a-f]{2})+$/);
  });

  it.each([["Bun", ["bun", "test/runtimes/decoders.ts"]], ["Deno", ["deno", "run", "--allow-read", "test/runtimes/decoders.ts"]]])(
    "in %s, native Uint8Array.fromHex is chosen and it, Buffer and the JS decoder all give the files' bytes",
    (_, args) => {
      const r = spawnSync("npx", args, { cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" }, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
      expect(out).toEqual({ best: "fromHex", identical: { fromHex: true, hexWrite: true, Buffer: true, js: true } });
    },
  );
});

describe("choosing a decoder", () => {
  it("prefers fromHex, then Buffer's hexWrite, then Buffer.from, then the JS decoder, by what globalThis has", () => {
    expect(withFromHex((hex) => Buffer.from(hex, "hex"), bestDecoder)).toBe("fromHex");
    expect(bestDecoder()).toBe("hexWrite"); // Node 20: Buffer, no fromHex
    vi.stubGlobal("Buffer", { from: Buffer.from.bind(Buffer), prototype: {} });
    expect(bestDecoder()).toBe("Buffer"); // a Buffer shim without hexWrite
    vi.stubGlobal("Buffer", undefined);
    expect(bestDecoder()).toBe("js"); // older browsers, workerd, the jsc and js102 shells
  });

  it("a host with neither fromHex nor Buffer still gets the SIMD backend with the same results", async () => {
    const x = new Float32Array([3, 1, 4, 1, 5, 9, 2, 6]);
    const expected = (await import("../src/index.js")).softmax(x);
    vi.resetModules();
    vi.stubGlobal("Buffer", undefined);
    const fresh = await import("../src/index.js");
    const p = fresh.softmax(x);
    expect(fresh.getBackend().name).toBe("simd");
    expect(Array.from(p)).toEqual(Array.from(expected));
    vi.unstubAllGlobals();
  });
});
