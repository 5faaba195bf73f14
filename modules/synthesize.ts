import { mkdirSync } from "node:fs";
import { BundleError } from "@queue-processor/runtime/bundle";
import { App } from "cdktf";
import { QueueProcessorConfigError } from "./queue-processor/errors.js";

const WARNING = "@cdktf/warn";

/**
 * Set by the cdktf CLI for the app it runs (cdktf-cli 0.21's synth-stack.ts), because the CLI reads
 * every stack's annotations from the manifest and prints them itself: the app must not print them too.
 * cdktf's TerraformStack reads the same variable (defined at all: error annotations then do not throw).
 */
const CLI_PRINTS_ANNOTATIONS = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";

/**
 * Builds and synthesizes an app, prints its warnings unless the cdktf CLI runs it (which prints them
 * from the manifest), and turns a configuration error into a readable message and exit code 1
 * instead of a stack trace.
 */
export function synthesizeApp(build: (app: App) => void, log: (line: string) => void = console.error): number {
  // cdktf creates only the last folder of CDKTF_OUTDIR; a nested new one would fail with ENOENT.
  mkdirSync(process.env.CDKTF_OUTDIR ?? "cdktf.out", { recursive: true });
  // Stack traces in the manifest hold absolute paths; without them the output is the same everywhere.
  const app = new App({ stackTraces: false });
  try {
    build(app);
    app.synth();
  } catch (error) {
    if (error instanceof QueueProcessorConfigError || error instanceof BundleError) {
      log(error.message);
      return 1;
    }
    throw error;
  }
  if (process.env[CLI_PRINTS_ANNOTATIONS] !== undefined) return 0;
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type === WARNING) log(`warning [${construct.node.path}] ${String(entry.data)}`);
    }
  }
  return 0;
}
