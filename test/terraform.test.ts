import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPlan } from "../review/policy/index.js";
import { projectSynth } from "./support/shared-stacks.js";
import { tempDir } from "./support/temp-dirs.js";
import {
  type OfflinePlan,
  planOffline,
  providerMirror,
  TERRAFORM_HOOK_TIMEOUT_MS,
  terraformVersion,
} from "./support/terraform.js";

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

/** What one orders stack in retain mode (dev, staging) creates, by resource type. */
const RETAIN_CREATES: Record<string, number> = {
  aws_cloudwatch_log_group: 1,
  // The five of every pipeline, and filtered-out records: every environment filters on the order events.
  aws_cloudwatch_metric_alarm: 6,
  aws_dynamodb_table: 1,
  aws_iam_role: 1,
  aws_iam_role_policy: 1,
  aws_lambda_event_source_mapping: 1,
  aws_lambda_function: 1,
  aws_sns_topic: 1,
  aws_sqs_queue: 2,
  aws_sqs_queue_policy: 2,
  aws_sqs_queue_redrive_allow_policy: 1,
  aws_sqs_queue_redrive_policy: 1,
};

/** prod archives dead letters (seed 002): the bucket, the archiver and the DLQ's own unarchived queue. */
const ARCHIVE_CREATES: Record<string, number> = {
  ...RETAIN_CREATES,
  aws_cloudwatch_log_group: 2,
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
  aws_sqs_queue: 3,
  aws_sqs_queue_policy: 3,
  aws_sqs_queue_redrive_allow_policy: 2,
  aws_sqs_queue_redrive_policy: 2,
};

const EXPECTED_CREATES: Record<(typeof ENVIRONMENTS)[number], Record<string, number>> = {
  dev: RETAIN_CREATES,
  staging: RETAIN_CREATES,
  prod: ARCHIVE_CREATES,
};
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe("real Terraform on the synthesized stacks", () => {
  let outdir: string;
  const plans: Partial<Record<(typeof ENVIRONMENTS)[number], OfflinePlan>> = {};

  beforeAll(async () => {
    terraformVersion();
    // The README's command, run once for the suite into a scratch folder.
    outdir = await projectSynth();
    const scratch = tempDir("tf-plan");
    await Promise.all(
      ENVIRONMENTS.map(async (env) => {
        plans[env] = await planOffline(path.join(outdir, "stacks", env), path.join(scratch, env));
      }),
    );
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("runs with terraform on PATH and the provider from the offline mirror", () => {
    expect(terraformVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(providerMirror(), "no provider mirror found; set TERRAFORM_PROVIDER_MIRROR").toBeDefined();
  });

  it("npm run synth writes cdktf.out/stacks/{dev,staging,prod}/cdk.tf.json", () => {
    for (const env of ENVIRONMENTS) {
      const file = path.join(outdir, "stacks", env, "cdk.tf.json");
      expect(existsSync(file)).toBe(true);
      expect(JSON.parse(readFileSync(file, "utf8")).resource).toBeDefined();
    }
  });

  describe.each(ENVIRONMENTS)("%s", (env) => {
    it("passes terraform validate with no errors and no warnings", () => {
      const { validate } = plans[env]!;
      expect(validate.diagnostics).toEqual([]);
      expect(validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    });

    it("plans every resource as a create against an empty state, with the expected counts", () => {
      const changes = plans[env]!.plan.resource_changes;
      const managed = changes.filter((change) => change.mode === "managed");
      expect(managed.filter((change) => change.change.actions.join() !== "create")).toEqual([]);
      const byType: Record<string, number> = {};
      for (const change of managed) byType[change.type] = (byType[change.type] ?? 0) + 1;
      expect(byType).toEqual(EXPECTED_CREATES[env]);
      expect(managed).toHaveLength(total(EXPECTED_CREATES[env]));
    });

    it("passes the plan review's policy checks with no blocking finding (prod: the archive bucket and the archiver's grants)", () => {
      const blocking = checkPlan(plans[env]!.plan, { environment: env }).filter((f) => f.severity === "blocking");
      expect(blocking).toEqual([]);
    });

    it("only reads data sources (policy documents, computed locally), never changes them", () => {
      const data = plans[env]!.plan.resource_changes.filter((change) => change.mode === "data");
      expect(data.map((change) => change.type)).toEqual(data.map(() => "aws_iam_policy_document"));
      expect(data.every((change) => change.change.actions.join() === "read")).toBe(true);
    });
  });
});
