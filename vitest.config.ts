import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";
import LongestFirst from "./test/support/longest-first.js";

/** The workspace packages' TypeScript sources: the tests run what is checked in, not a stale dist/. */
const SOURCE_CONDITION = "@queue-processor/source";

export default defineConfig({
  // Vitest hands these to its workers as --conditions too; "module" is left out as vitest's own default
  // does (Node would load packages' extensionless dist-es files).
  ssr: {
    resolve: {
      conditions: [SOURCE_CONDITION, ...defaultServerConditions.filter((condition) => condition !== "module")],
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    // One temp folder per run, checked and removed at the end; stacks shared by several files.
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/cleanup.ts"],
    // Most files wait on child processes (terraform, servers, containers) and timers more than they
    // compute: on 2 cores, 3 at a time keep both busy (vitest's default is cores - 1, here 1). 4 was
    // ~3% faster but starved the 1 s function timeout scenario of CPU often enough to fail it.
    maxWorkers: 3,
    sequence: { sequencer: LongestFirst },
    // `npm run coverage`: V8 coverage of what ships (the construct and the runtime). Code that runs in
    // a child process (function containers, the consumer, synths run through npm) is not counted.
    coverage: {
      provider: "v8",
      include: ["functions/**/*.ts", "modules/**/*.ts"],
      reporter: ["text-summary", "html"],
      reportsDirectory: "coverage",
      // A little under what the suite reaches (statements 90.7%, branches 85.0%, functions 94.4%,
      // lines 92.3%): a drop below fails `npm run coverage`.
      thresholds: { statements: 89, branches: 83, functions: 93, lines: 91 },
    },
    // Terraform init/plan of three stacks and child-process synths take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
