// Base64 to bytes with the fastest primitive the host offers. Decoding the embedded wasm is most
// of a cold start once the module graph is one file: the portable JS decoder below runs in the
// interpreter on first use (1.7–4 ms in Node 20), while the native decoders take microseconds.

/** The base64 primitives a host may have; chooseDecoder() takes the first one present. */
export interface Base64Host {
  /** `Uint8Array.fromBase64` (TC39 proposal; Chrome 140, Firefox 133, Safari 18.2, Deno, Bun). */
  fromBase64?: (b64: string) => Uint8Array;
  /** Node's (and Bun's, Deno's) global `Buffer`, reached through globalThis so no bundler shims node:buffer. */
  Buffer?: { from(b64: string, encoding: "base64"): Uint8Array };
  /** `atob`: browsers, workers, Deno, Bun, workerd. */
  atob?: (b64: string) => string;
}

export type DecoderName = "fromBase64" | "Buffer" | "atob" | "js";

export interface Decoder {
  name: DecoderName;
  decode(b64: string): Uint8Array<ArrayBuffer>;
}

/** What this host offers, read from globalThis at call time (nothing is read at import). */
export function hostBase64(): Base64Host {
  const g = globalThis as { Buffer?: Base64Host["Buffer"]; atob?: Base64Host["atob"] };
  const U8 = Uint8Array as unknown as { fromBase64?: (b64: string) => Uint8Array };
  return {
    fromBase64: typeof U8.fromBase64 === "function" ? (b64) => U8.fromBase64!(b64) : undefined,
    Buffer: typeof g.Buffer?.from === "function" ? g.Buffer : undefined,
    atob: typeof g.atob === "function" ? (b64) => g.atob!(b64) : undefined,
  };
}

/** The fastest decoder `host` supports; the portable JS one when it has none (jsc, js102 shells). */
export function chooseDecoder(host: Base64Host = hostBase64()): Decoder {
  const { fromBase64, Buffer, atob } = host;
  if (fromBase64) return { name: "fromBase64", decode: (b64) => plain(fromBase64(b64)) };
  if (Buffer) return { name: "Buffer", decode: (b64) => plain(Buffer.from(b64, "base64")) };
  if (atob) return { name: "atob", decode: (b64) => binaryString(atob(b64)) };
  return { name: "js", decode: decodeBase64 };
}

// A Buffer may be a slice of Node's shared pool: hand out a plain Uint8Array over exactly its
// bytes (no copy), so callers see the same type whichever decoder ran.
function plain(u8: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(u8.buffer as ArrayBuffer, u8.byteOffset, u8.byteLength);
}

function binaryString(s: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 to bytes in plain JS, for hosts with none of the primitives above. */
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
