// Decoding the embedded wasm: every decoder path gives the bytes of the .wasm files, and the
// runtime picks the fastest one the host has. Node 20 has Buffer, atob and the JS decoder;
// Uint8Array.fromBase64 is checked natively in Bun and Deno (test/runtimes/decoders.ts).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bestDecoder, decodeBase64, decodeWith, type DecoderName } from "../src/wasm/base64.js";
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "../src/wasm/embedded.js";

const root = new URL("..", import.meta.url).pathname;
const builds = [
  { name: "simd", b64: SIMD_WASM_BASE64, file: readFileSync(new URL("../build/softmax.simd.wasm", import.meta.url)) },
  { name: "scalar", b64: SCALAR_WASM_BASE64, file: readFileSync(new URL("../build/softmax.wasm", import.meta.url)) },
];

/** Installs a Uint8Array.fromBase64 for the test's duration (Node 20 has none). */
function withFromBase64<T>(impl: (b64: string) => Uint8Array, fn: () => T): T {
  const had = Object.getOwnPropertyDescriptor(Uint8Array, "fromBase64");
  Object.defineProperty(Uint8Array, "fromBase64", { value: impl, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    if (had) Object.defineProperty(Uint8Array, "fromBase64", had);
    else delete (Uint8Array as { fromBase64?: unknown }).fromBase64;
  }
}

afterEach(() => vi.unstubAllGlobals());

describe("base64 decoders", () => {
  it.each(["Buffer", "atob", "js"] as DecoderName[])("the %s decoder gives exactly the bytes of both .wasm files, as a plain Uint8Array", (name) => {
    for (const { b64, file } of builds) {
      const bytes = decodeWith(name, b64);
      expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
      expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(file)).toBe(true);
    }
  });

  it("the fromBase64 path hands the host's result on as a plain Uint8Array over the same bytes", () => {
    const bytes = withFromBase64((b64) => Buffer.from(b64, "base64"), () => decodeWith("fromBase64", SIMD_WASM_BASE64));
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(builds[0].file)).toBe(true);
  });

  it("the JS decoder handles every padding length (0, 1 and 2 '=') like Buffer", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256, 257]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
      expect(Array.from(decodeBase64(Buffer.from(data).toString("base64")))).toEqual(Array.from(data));
    }
  });

  it.each([["Bun", ["bun", "test/runtimes/decoders.ts"]], ["Deno", ["deno", "run", "--allow-read", "test/runtimes/decoders.ts"]]])(
    "in %s, native Uint8Array.fromBase64 is chosen and it, Buffer, atob and the JS decoder all give the files' bytes",
    (_, args) => {
      const r = spawnSync("npx", args, { cwd: root, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" }, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
      expect(out).toEqual({ best: "fromBase64", identical: { fromBase64: true, Buffer: true, atob: true, js: true } });
    },
  );
});

describe("choosing a decoder", () => {
  it("prefers fromBase64, then Buffer, then atob, then the JS decoder, by what globalThis has", () => {
    expect(withFromBase64((b64) => Buffer.from(b64, "base64"), bestDecoder)).toBe("fromBase64");
    expect(bestDecoder()).toBe("Buffer"); // Node 20: Buffer and atob, no fromBase64
    vi.stubGlobal("Buffer", undefined);
    expect(bestDecoder()).toBe("atob");
    vi.stubGlobal("atob", undefined);
    expect(bestDecoder()).toBe("js"); // the jsc and js102 shells
  });

  it("a host with only atob, or with nothing, still gets the SIMD backend with the same results", async () => {
    const x = new Float32Array([3, 1, 4, 1, 5, 9, 2, 6]);
    const expected = (await import("../src/index.js")).softmax(x);
    for (const missing of [["Buffer"], ["Buffer", "atob"]]) {
      vi.resetModules();
      for (const g of missing) vi.stubGlobal(g, undefined);
      const fresh = await import("../src/index.js");
      const p = fresh.softmax(x);
      expect(fresh.getBackend().name).toBe("simd");
      expect(Array.from(p)).toEqual(Array.from(expected));
      vi.unstubAllGlobals();
    }
  });
});
