import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { App, TerraformStack } from "cdktf";
import { QueueProcessor } from "../queue-processor/construct.js";
import { DEFAULT_ARCHIVER_ENTRY } from "../queue-processor/resolve.js";
import {
  SENTINEL_STATEMENT_ACTION,
  SENTINEL_STATEMENT_RESOURCE,
  SENTINEL_STATEMENT_SID,
  sentinelProps,
} from "./sentinels.js";

/** A synthesized stack's JSON, read as the generator walks it. */
export type TerraformDocument = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

const STACK_ID = "module";
const CONSTRUCT_ID = "processor";

/** The construct's path prefix in the synthesized metadata, cut off to name the module's resources. */
export const CONSTRUCT_PATH_PREFIX = `${STACK_ID}/${CONSTRUCT_ID}/`;

/**
 * The construct with the sentinel props, synthesized in a stack of its own, as cdk.tf.json. It runs
 * from the project root, like `npm run synth`: the bundles' source maps are relative to it.
 */
export function synthesizeSentinelStack(archive: boolean): TerraformDocument {
  if (!existsSync(DEFAULT_ARCHIVER_ENTRY)) {
    throw new Error(
      `run the module generator from the project root: ${DEFAULT_ARCHIVER_ENTRY} not found in ${process.cwd()}`,
    );
  }
  const outdir = mkdtempSync(path.join(tmpdir(), "qp-module-synth-"));
  try {
    const app = new App({ outdir, stackTraces: false });
    const stack = new TerraformStack(app, STACK_ID);
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    // The processor's own code is replaced by var.handler_zip_path; any entry that bundles will do.
    const processor = new QueueProcessor(stack, CONSTRUCT_ID, sentinelProps(DEFAULT_ARCHIVER_ENTRY, archive));
    processor.addToRolePolicy({
      sid: SENTINEL_STATEMENT_SID,
      actions: [SENTINEL_STATEMENT_ACTION],
      resources: [SENTINEL_STATEMENT_RESOURCE],
    });
    app.synth();
    return JSON.parse(readFileSync(path.join(outdir, "stacks", STACK_ID, "cdk.tf.json"), "utf8")) as TerraformDocument;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
