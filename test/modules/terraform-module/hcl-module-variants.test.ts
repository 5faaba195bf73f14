import { beforeAll, describe, expect, it } from "vitest";
import type { QueueProcessorProps } from "../../../modules/index.js";
import { hclRoot, type PlanJson, plannedResources, planRoot } from "../../support/hcl-module.js";
import { PLACEHOLDER_ENTRY, synthProcessor } from "../../support/synth.js";
import { tempDir } from "../../support/temp-dirs.js";
import { planOffline, TERRAFORM_HOOK_TIMEOUT_MS, terraformVersion } from "../../support/terraform.js";

/** The props of test/fixtures/hcl-module/variants.tf's module calls, for the construct. */
const VARIANTS: Record<string, QueueProcessorProps> = {
  fifo_retain: {
    name: "payments_fifo",
    handler: { entry: PLACEHOLDER_ENTRY, architecture: "x86_64", memorySizeMb: 1024 },
    tags: { team: "payments" },
    queue: {
      fifo: true,
      kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      contentBasedDeduplication: true,
      highThroughputFifo: false,
      maxMessageSizeBytes: 65536,
      deliveryDelaySeconds: 5,
    },
    eventSource: { batchSize: 5 },
    alarms: {
      topicArn: "arn:aws:sns:us-east-1:111122223333:team-alerts",
      functionThrottles: false,
      oldestMessageAge: { evaluationPeriods: 3 },
    },
  },
  archive_own_bucket: {
    name: "--Reports__Archive",
    handler: {
      entry: PLACEHOLDER_ENTRY,
      timeoutSeconds: 120,
      reservedConcurrency: 20,
      environment: { LOG_LEVEL: "DEBUG" },
    },
    queue: { kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/abcd", maxReceiveCount: 7, retentionSeconds: 86400 },
    eventSource: { batchSize: 100, maxConcurrency: 10 },
    deadLetters: {
      mode: "archive",
      bucket: { name: "reports-dead-letters", arn: "arn:aws:s3:::reports-dead-letters" },
      prefix: "reports/dead/",
      archiver: { timeoutSeconds: 30, memorySizeMb: 512, logRetentionDays: 7 },
    },
  },
  archive_created_bucket: {
    name: "--Reports__Archive_With_A_Long_Name",
    handler: { entry: PLACEHOLDER_ENTRY, architecture: "x86_64" },
    queue: { kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/abcd" },
    deadLetters: { mode: "archive", expireAfterDays: 30 },
    alarms: { topicArn: "arn:aws:sns:us-east-1:111122223333:team-alerts" },
  },
  no_alarms: { name: "quiet", handler: { entry: PLACEHOLDER_ENTRY }, queue: { fifo: true }, alarms: false },
};

/** The plan's changes of one module call, as if it were the root (for the construct's plan to compare with). */
function ofModule(plan: PlanJson, name: string): PlanJson {
  const prefix = `module.${name}.`;
  return {
    planned_values: {},
    resource_changes: plan.resource_changes
      .filter((change) => change.address.startsWith(prefix))
      .map((change) => ({ ...change, address: change.address.slice(prefix.length) })),
  };
}

describe("the generated Terraform module, on the branches prod does not take", () => {
  let module: PlanJson;
  const construct: Record<string, PlanJson> = {};

  beforeAll(async () => {
    terraformVersion();
    const root = await hclRoot("test/fixtures/hcl-module/variants.tf");
    const [planned] = await Promise.all([
      planRoot(root),
      ...Object.entries(VARIANTS).map(async ([name, props]) => {
        const { synth } = synthProcessor(props);
        construct[name] = (await planOffline(synth.stackDir, tempDir(`hcl-${name}`))).plan as unknown as PlanJson;
      }),
    ]);
    module = planned.plan;
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it.each(Object.keys(VARIANTS))(
    "%s: plans the resources the construct plans for the same values, attribute by attribute, policy documents included",
    (name) => {
      const mine = ofModule(module, name);
      expect(mine.resource_changes.filter((c) => c.mode === "managed")).toHaveLength(
        construct[name]!.resource_changes.filter((c) => c.mode === "managed").length,
      );
      expect(plannedResources(mine, ["filename"])).toEqual(plannedResources(construct[name]!, ["filename"]));
    },
  );
});
