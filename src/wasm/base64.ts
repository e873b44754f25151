// Base64 to bytes with the fastest primitive the host offers. Once the module graph is one file,
// decoding the embedded wasm is a good part of a cold start: the portable JS decoder below runs
// in the interpreter on first use (1.7–4 ms in Node 20), the native decoders take microseconds.
// Everything is looked up on globalThis at call time, so importing this does no work and no
// bundler sees an import of node:buffer to shim.

/** The decoders, fastest first; `"js"` is for hosts with none of the others (jsc, js102 shells). */
export type DecoderName = "fromBase64" | "Buffer" | "atob" | "js";

type Host = {
  Buffer?: { from(b64: string, encoding: "base64"): Uint8Array };
  atob?: (b64: string) => string;
};
type FromBase64 = { fromBase64?: (b64: string) => Uint8Array };

/**
 * The fastest decoder this host has: `Uint8Array.fromBase64` (Chrome 140, Firefox 133, Safari
 * 18.2, Deno, Bun), then Node's `Buffer` (Node has no fromBase64 before 25, and its atob is
 * slower), then `atob` (browsers, workers, workerd), else plain JS.
 */
export function bestDecoder(): DecoderName {
  if (typeof (Uint8Array as FromBase64).fromBase64 === "function") return "fromBase64";
  const host = globalThis as Host;
  if (typeof host.Buffer?.from === "function") return "Buffer";
  if (typeof host.atob === "function") return "atob";
  return "js";
}

/** Decodes `b64` with the decoder named; it must exist on this host (see bestDecoder). */
export function decodeWith(decoder: DecoderName, b64: string): Uint8Array<ArrayBuffer> {
  switch (decoder) {
    case "fromBase64":
      return plain((Uint8Array as FromBase64).fromBase64!(b64));
    case "Buffer":
      return plain((globalThis as Host).Buffer!.from(b64, "base64"));
    case "atob": {
      const s = (globalThis as Host).atob!(b64);
      const bytes = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
      return bytes;
    }
    default:
      return decodeBase64(b64);
  }
}

// A Buffer may be a slice of Node's shared pool: hand out a plain Uint8Array over exactly its
// bytes (no copy), so callers get the same type whichever decoder ran.
function plain(u8: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(u8.buffer as ArrayBuffer, u8.byteOffset, u8.byteLength);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 to bytes in plain JS. */
export function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const value = new Uint8Array(128);
  for (let i = 0; i < 64; i++) value[B64.charCodeAt(i)] = i;
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((b64.length / 4) * 3 - pad);
  for (let i = 0, j = 0; i < b64.length; i += 4) {
    const n = (value[b64.charCodeAt(i)] << 18) | (value[b64.charCodeAt(i + 1)] << 12) |
      (value[b64.charCodeAt(i + 2)] << 6) | value[b64.charCodeAt(i + 3)];
    bytes[j++] = n >> 16;
    if (j < bytes.length) bytes[j++] = (n >> 8) & 255;
    if (j < bytes.length) bytes[j++] = n & 255;
  }
  return bytes;
}
