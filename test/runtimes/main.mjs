// Runs the fixture against the built package and prints one JSON line: deno, bun, jsc, js102.
import * as lib from "../../dist/index.js";
import { runFixture } from "./fixture.mjs";

const print = globalThis.console?.log ?? globalThis.print;
print(JSON.stringify(runFixture(lib)));
