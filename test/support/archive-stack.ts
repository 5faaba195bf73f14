import { cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import { bundleFunction, LAMBDA_PROVIDED_MODULES } from "../../functions/runtime/bundle/bundle.js";
import { tempDir } from "./temp-dirs.js";

/** The environment name of the hand-written archive-mode stack. */
export const ARCHIVE_STACK = "archive";

/**
 * An outdir holding the hand-written archive-mode stack (test/fixtures/local/stacks/archive) with its
 * two deployment packages bundled into its assets, as synth would: the construct's archive mode is
 * built apart, and this keeps the local run's side testable on its own.
 */
export function archiveStackOutdir(): string {
  const outdir = tempDir("archive-stack");
  const stackDir = path.join(outdir, "stacks", ARCHIVE_STACK);
  cpSync(`test/fixtures/local/stacks/${ARCHIVE_STACK}`, stackDir, { recursive: true });
  mkdirSync(path.join(stackDir, "assets"));
  for (const [entry, name] of [
    ["functions/order-processor/handler.ts", "processor"],
    ["functions/runtime/archiver/handler.ts", "archiver"],
  ] as const) {
    const bundle = bundleFunction({
      entry,
      outputDirectory: tempDir(`bundle-${name}`),
      externalModules: LAMBDA_PROVIDED_MODULES,
    });
    cpSync(bundle.zipPath, path.join(stackDir, "assets", `${name}.zip`));
  }
  return outdir;
}
