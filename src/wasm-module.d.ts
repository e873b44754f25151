// Where an importer treats `.wasm` as a precompiled module (Cloudflare Workers / wrangler).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
