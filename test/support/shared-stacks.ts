import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { synthesizeReliabilityStacksInto } from "../../local/scenarios/index.js";
import { oncePerRun } from "./once-per-run.js";

const run = promisify(execFile);

/**
 * The README's `npm run synth` of this project (dev, staging, prod), once per test run, in UTC:
 * what the real-Terraform tests plan and the determinism test compares another synth with.
 */
export function projectSynth(): Promise<string> {
  return oncePerRun("project-synth", async (outdir) => {
    await run("npm", ["run", "--silent", "synth"], {
      cwd: process.cwd(),
      env: { ...process.env, CDKTF_OUTDIR: outdir, TZ: "UTC" },
    });
  });
}

/** dev, dev-fast-retry and dev-fifo, once per test run: the stacks every reliability scenario runs. */
export function reliabilityStacks(): Promise<string> {
  return oncePerRun("reliability-stacks", synthesizeReliabilityStacksInto);
}
