import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundleFunction, LAMBDA_PROVIDED_MODULES } from "@queue-processor/runtime/bundle";
import { AWS_PROVIDER_VERSION_RANGE } from "../queue-processor/provider-versions.js";
import { DEFAULT_ARCHIVER_ENTRY } from "../queue-processor/resolve.js";
import { moduleLocals } from "./locals.js";
import { moduleOutputs } from "./outputs.js";
import { moduleReadme } from "./readme.js";
import { synthesizeSentinelStack } from "./synthesize-construct.js";
import { moduleBlocks } from "./transform.js";
import { variableBlocks } from "./variables.js";

/** Cross-variable validation rules need Terraform 1.9. */
const REQUIRED_TERRAFORM = ">= 1.9.0";

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes the Terraform module of the QueueProcessor construct into `outputDirectory`: main.tf.json
 * (the construct's resources with the props as variables), variables.tf.json, outputs.tf.json,
 * archiver.zip and README.md. Runs from the project root, like `npm run synth`.
 */
export function generateModule(outputDirectory: string): void {
  const { sections, address } = moduleBlocks(synthesizeSentinelStack(true), synthesizeSentinelStack(false));
  const archiverFunction = sections.resource.aws_lambda_function?.dead_letter_archive_archiver_function;
  if (!archiverFunction) throw new Error("the sentinel synth has no archiver function");
  const outputs = moduleOutputs(address);
  const main = {
    terraform: {
      required_version: REQUIRED_TERRAFORM,
      required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION_RANGE } },
    },
    locals: moduleLocals(address("alarms/topic"), address("dead-letter-archive/bucket")),
    resource: sections.resource,
    data: sections.data,
  };

  // The archiver is bundled as the construct bundles it, so its zip and hash are the construct's.
  const scratch = mkdtempSync(path.join(tmpdir(), "qp-module-archiver-"));
  try {
    const archiver = bundleFunction({
      entry: DEFAULT_ARCHIVER_ENTRY,
      outputDirectory: scratch,
      externalModules: LAMBDA_PROVIDED_MODULES,
    });
    mkdirSync(outputDirectory, { recursive: true });
    copyFileSync(archiver.zipPath, path.join(outputDirectory, "archiver.zip"));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  writeFileSync(path.join(outputDirectory, "main.tf.json"), json(main));
  writeFileSync(path.join(outputDirectory, "variables.tf.json"), json({ variable: variableBlocks() }));
  writeFileSync(path.join(outputDirectory, "outputs.tf.json"), json({ output: outputs }));
  writeFileSync(path.join(outputDirectory, "README.md"), moduleReadme(outputs));
}
