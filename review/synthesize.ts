import { existsSync } from "node:fs";
import path from "node:path";
import { runChild } from "./child-processes.js";
import { InputError } from "./command.js";

/**
 * Synthesizes the project (`node scripts/run-ts.mjs main.ts`, as `npm run synth`) into `outdir` and
 * returns the folder of `environment`'s stack. A child like terraform: a signal meanwhile stops it,
 * and the command, cleanly. A synth that fails is bad input (exit 2): its errors are printed above.
 */
export async function synthesizeStack(environment: string, outdir: string): Promise<string> {
  await runChild(process.execPath, ["scripts/run-ts.mjs", "main.ts"], {
    cwd: process.cwd(),
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    stderr: "inherit",
  }).catch((error: unknown) => {
    throw new InputError(
      `synth (node scripts/run-ts.mjs main.ts) failed (${(error as Error).message}); its errors are above`,
    );
  });
  const stackDir = path.join(outdir, "stacks", environment);
  if (!existsSync(path.join(stackDir, "cdk.tf.json")))
    throw new InputError(`synth wrote no stack for ${environment} in ${stackDir}`);
  return stackDir;
}
