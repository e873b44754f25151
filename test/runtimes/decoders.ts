// Every hex decoder this host has, on both embedded builds, against the .wasm files; prints one
// JSON line. test/decode.test.ts runs it in Bun and Deno, where Uint8Array.fromHex is native
// (Node 20 has no fromHex), straight from the TypeScript sources.
import { readFileSync } from "node:fs";
import { bestDecoder, decodeWith, type DecoderName } from "../../src/wasm/hex.ts";
import { SCALAR_WASM_HEX, SIMD_WASM_HEX } from "../../src/wasm/embedded.ts";

const files = [
  [SIMD_WASM_HEX, readFileSync(new URL("../../build/softmax.simd.wasm", import.meta.url))],
  [SCALAR_WASM_HEX, readFileSync(new URL("../../build/softmax.wasm", import.meta.url))],
] as const;
const present: DecoderName[] = [];
if (typeof (Uint8Array as { fromHex?: unknown }).fromHex === "function") present.push("fromHex");
const B = (globalThis as { Buffer?: { prototype?: { hexWrite?: unknown } } }).Buffer;
if (typeof B?.prototype?.hexWrite === "function") present.push("hexWrite");
if (typeof B === "function") present.push("Buffer");
present.push("js");
const identical: Record<string, boolean> = {};
for (const name of present) {
  identical[name] = files.every(([hex, file]) => {
    const bytes = decodeWith(name, hex);
    return Object.getPrototypeOf(bytes) === Uint8Array.prototype && bytes.length === file.length && bytes.every((b, i) => b === file[i]);
  });
}
console.log(JSON.stringify({ best: bestDecoder(), identical }));
