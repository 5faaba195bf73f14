import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dirs.js";

// Every test file leaves /tmp as it found it.
afterAll(removeTempDirs);
