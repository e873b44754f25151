// The fixture inside workerd (Cloudflare Workers), through the package's "workerd" entry, which
// imports the .wasm as a precompiled module: Workers refuse to compile WebAssembly from bytes.
import * as lib from "../../dist/workerd.js";
import { runFixture } from "./fixture.mjs";

export default {
  fetch() {
    return new Response(JSON.stringify(runFixture(lib)));
  },
};
