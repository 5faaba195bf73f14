/**
 * vitest's globalSetup: one folder per run, removed at the end, holding everything the suite writes
 * to the temp folder. The workers (and every process they start) get its `tmp/` as TMPDIR, so what
 * any test, synth, terraform or container creates lands there; `shared/` holds what is built once
 * per run for several test files (see once-per-run.ts).
 *
 * Every test still removes what it creates; at the end the run fails if `tmp/` holds anything but
 * the caches tools keep there by design, naming what was left behind.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SHARED_DIR_VARIABLE } from "./once-per-run.js";

/** What tools cache in the temp folder for themselves, not what a test made: tsx's and Node's compile caches. */
const TOOL_CACHES = [/^tsx-\d+$/, /^node-compile-cache$/];

export default function setup(): () => void {
  const run = mkdtempSync(path.join(tmpdir(), "qp-suite-"));
  const tmp = path.join(run, "tmp");
  const shared = path.join(run, "shared");
  mkdirSync(tmp);
  mkdirSync(shared);
  const saved = { TMPDIR: process.env.TMPDIR, [SHARED_DIR_VARIABLE]: process.env[SHARED_DIR_VARIABLE] };
  process.env.TMPDIR = tmp;
  process.env[SHARED_DIR_VARIABLE] = shared;

  return function teardown(): void {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const leftovers = readdirSync(tmp).filter((entry) => !TOOL_CACHES.some((cache) => cache.test(entry)));
    if (process.env.QP_KEEP_TEMP) {
      console.log(`QP_KEEP_TEMP is set: this run's temporary folders are kept in ${run}`);
      return;
    }
    rmSync(run, { recursive: true, force: true });
    if (leftovers.length > 0) {
      // vitest only prints an error thrown here; the exit status is what CI sees.
      process.exitCode = 1;
      console.error(
        `\nFAIL: the suite left ${leftovers.length} entries in its temp folder; every test removes what it creates: ${leftovers.join(", ")}`,
      );
    }
  };
}
