import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalPipeline } from "../../local/pipeline/local-pipeline.js";
import { readSynthesizedStack } from "../../local/pipeline/synthesized-stack.js";
import { type LocalDynamo, type LocalSqs, startLocalDynamo, startLocalSqs } from "../../local/servers/local-servers.js";
import { tempDir } from "../support/temp-dirs.js";

/** The hand-written minimal stack, with one edit to its JSON. */
// biome-ignore lint/suspicious/noExplicitAny: a test edits the Terraform JSON freely, invalid shapes included
function minimalStack(edit: (json: any) => void) {
  const outdir = tempDir("stack");
  cpSync("test/fixtures/local/stacks/minimal", path.join(outdir, "stacks", "minimal"), { recursive: true });
  const file = path.join(outdir, "stacks", "minimal", "cdk.tf.json");
  const json = JSON.parse(readFileSync(file, "utf8"));
  edit(json);
  writeFileSync(file, JSON.stringify(json));
  return readSynthesizedStack(outdir, "minimal");
}

describe("createLocalPipeline: which mapping it runs", () => {
  let sqs: LocalSqs;
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  });
  afterAll(async () => {
    await Promise.all([sqs.stop(), dynamo.stop()]);
  });

  it("refuses a mapping the stack disables, naming it and its queue", async () => {
    const stack = minimalStack((json) => {
      json.resource.aws_lambda_event_source_mapping["work-mapping"].enabled = false;
    });
    await expect(createLocalPipeline({ stack, processor: "work-mapping", sqs, dynamo })).rejects.toThrow(
      /event source mapping work-mapping of stack minimal is disabled \(enabled = false\): nothing would poll /,
    );
  });

  it("asks which mapping when the stack has several, listing them", async () => {
    const stack = minimalStack(() => undefined);
    await expect(createLocalPipeline({ stack, sqs, dynamo })).rejects.toThrow(
      /processor must name one of stack minimal's event source mappings: work-mapping, ordered-mapping \(got nothing\)/,
    );
  });
});
