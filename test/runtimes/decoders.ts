// Every base64 decoder this host has, on both embedded builds, against the .wasm files; prints
// one JSON line. test/decode.test.ts runs it in Bun and Deno, where Uint8Array.fromBase64 is
// native (Node 20 has no fromBase64), straight from the TypeScript sources.
import { readFileSync } from "node:fs";
import { bestDecoder, decodeWith, type DecoderName } from "../../src/wasm/base64.ts";
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "../../src/wasm/embedded.ts";

const files = [
  [SIMD_WASM_BASE64, readFileSync(new URL("../../build/softmax.simd.wasm", import.meta.url))],
  [SCALAR_WASM_BASE64, readFileSync(new URL("../../build/softmax.wasm", import.meta.url))],
] as const;
const present: DecoderName[] = [];
if (typeof (Uint8Array as { fromBase64?: unknown }).fromBase64 === "function") present.push("fromBase64");
if (typeof (globalThis as { Buffer?: unknown }).Buffer === "function") present.push("Buffer");
if (typeof globalThis.atob === "function") present.push("atob");
present.push("js");
const identical: Record<string, boolean> = {};
for (const name of present) {
  identical[name] = files.every(([b64, file]) => {
    const bytes = decodeWith(name, b64);
    return Object.getPrototypeOf(bytes) === Uint8Array.prototype && bytes.length === file.length && bytes.every((b, i) => b === file[i]);
  });
}
console.log(JSON.stringify({ best: bestDecoder(), identical }));
