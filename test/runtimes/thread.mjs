// The fixture in a Node worker thread (test/hardening.test.ts runs four at once).
import { parentPort } from "node:worker_threads";
import * as lib from "../../dist/index.js";
import { runFixture } from "./fixture.mjs";

parentPort.postMessage(runFixture(lib));
