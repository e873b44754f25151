// The fixture inside a (module) web worker.
import * as lib from "../../dist/index.js";
import { runFixture } from "./fixture.mjs";

postMessage(runFixture(lib));
