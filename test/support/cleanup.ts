import { afterAll } from "vitest";
import { removeTempDirs } from "./synth.js";

// Every test file leaves /tmp as it found it.
afterAll(removeTempDirs);
