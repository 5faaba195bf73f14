/**
 * Archive mode through real Terraform: `terraform validate` and `plan` (offline, provider from the
 * mirror) of stacks in archive mode, and the plan review's policy checks on those plans. The archiver's
 * code is a stand-in (test/support/synth.ts): what is tested here is the infrastructure around it.
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPlan } from "../../../review/policy/index.js";
import { archiverStubEntry, PLACEHOLDER_ENTRY, type SynthesizedStack, synthProcessor } from "../../support/synth.js";
import { tempDir } from "../../support/temp-dirs.js";
import { type OfflinePlan, planOffline, TERRAFORM_HOOK_TIMEOUT_MS } from "../../support/terraform.js";

const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:platform-alarms";

const STACKS = {
  /** The construct's own bucket and topic, a filter: everything archive mode creates. */
  created: () =>
    synthProcessor({
      handler: { entry: PLACEHOLDER_ENTRY },
      eventSource: { filterPatterns: [{ body: { type: ["order_created"] } }] },
      deadLetters: { mode: "archive", expireAfterDays: 30, archiver: { entry: archiverStubEntry() } },
    }),
  /** FIFO queues under a KMS key, the caller's bucket and topic. */
  given: () =>
    synthProcessor({
      handler: { entry: PLACEHOLDER_ENTRY },
      queue: { fifo: true, kmsKeyArn: KMS_KEY },
      alarms: { topicArn: TOPIC },
      deadLetters: {
        mode: "archive",
        bucket: { name: "platform-dead-letters", arn: "arn:aws:s3:::platform-dead-letters" },
        prefix: "orders/",
        archiver: { entry: archiverStubEntry() },
      },
    }),
} as const;
type StackName = keyof typeof STACKS;

describe("archive mode with real terraform", () => {
  const stacks = {} as Record<StackName, SynthesizedStack>;
  const plans = {} as Record<StackName, OfflinePlan>;

  beforeAll(async () => {
    await Promise.all(
      (Object.keys(STACKS) as StackName[]).map(async (name) => {
        stacks[name] = STACKS[name]().synth;
        plans[name] = await planOffline(stacks[name].stackDir, path.join(tempDir(`archive-plan-${name}`), name));
      }),
    );
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  const byType = (name: StackName) => {
    const counts: Record<string, number> = {};
    for (const change of plans[name].plan.resource_changes.filter((c) => c.mode === "managed"))
      counts[change.type] = (counts[change.type] ?? 0) + 1;
    return counts;
  };

  it.each(Object.keys(STACKS) as StackName[])(
    "%s: passes terraform validate with no errors and no warnings",
    (name) => {
      expect(plans[name].validate.diagnostics).toEqual([]);
      expect(plans[name].validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    },
  );

  it.each(Object.keys(STACKS) as StackName[])("%s: plans every synthesized resource as a create", (name) => {
    const managed = plans[name].plan.resource_changes.filter((change) => change.mode === "managed");
    expect(managed.filter((change) => change.change.actions.join() !== "create")).toEqual([]);
    expect(byType(name)).toEqual(stacks[name].counts());
  });

  it("created: a bucket with its six settings, the archiver with its role and mapping, the unarchived queue, six alarms", () => {
    expect(byType("created")).toEqual({
      aws_cloudwatch_log_group: 2,
      aws_cloudwatch_metric_alarm: 6,
      aws_iam_role: 2,
      aws_iam_role_policy: 2,
      aws_lambda_event_source_mapping: 2,
      aws_lambda_function: 2,
      aws_s3_bucket: 1,
      aws_s3_bucket_lifecycle_configuration: 1,
      aws_s3_bucket_ownership_controls: 1,
      aws_s3_bucket_policy: 1,
      aws_s3_bucket_public_access_block: 1,
      aws_s3_bucket_server_side_encryption_configuration: 1,
      aws_s3_bucket_versioning: 1,
      aws_sns_topic: 1,
      aws_sqs_queue: 3,
      aws_sqs_queue_policy: 3,
      aws_sqs_queue_redrive_allow_policy: 2,
      aws_sqs_queue_redrive_policy: 2,
    });
  });

  it("given: no bucket and no topic are created", () => {
    const counts = byType("given");
    expect(Object.keys(counts).filter((type) => type.startsWith("aws_s3_") || type === "aws_sns_topic")).toEqual([]);
    expect(counts.aws_lambda_function).toBe(2);
  });

  it.each(Object.keys(STACKS) as StackName[])(
    "%s: the plan review finds nothing: bucket protected, the archiver's grants narrow, the DLQ alarm seen",
    (name) => {
      expect(checkPlan(plans[name].plan)).toEqual([]);
    },
  );

  it("a bucket without its public access block or encryption is blocked by the review (the same plan, edited)", () => {
    const plan = structuredClone(plans.created.plan) as unknown as {
      resource_changes: { type: string }[];
      planned_values: { root_module: { resources: { type: string }[] } };
      configuration: { root_module: { resources: { type: string }[] } };
    };
    const dropped = ["aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration"];
    const keep = (resource: { type: string }) => !dropped.includes(resource.type);
    plan.resource_changes = plan.resource_changes.filter(keep);
    plan.planned_values.root_module.resources = plan.planned_values.root_module.resources.filter(keep);
    plan.configuration.root_module.resources = plan.configuration.root_module.resources.filter(keep);
    const findings = checkPlan(plan).map((finding) => [finding.rule, finding.severity]);
    expect(findings).toEqual([
      ["bucket-encryption-missing", "blocking"],
      ["bucket-public-access-open", "blocking"],
    ]);
  });
});
