/**
 * The review's state from a plan: what the plan could not know is filled with stand-ins, and a
 * resource's own ARN is the one AWS would give it, so that the policy checks read the stand-ins of
 * the head plan as they read real ARNs. On our own prod plan (real terraform) and the provider's schema.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanJson } from "../../review/plan-json.js";
import { applyPlan, emptyState, type StateV4 } from "../../review/plan-state.js";
import type { ProviderSchemas } from "../../review/schema-types.js";
import { init, terraform } from "../../review/terraform.js";
import { FIXTURES_DIR } from "../fixtures/plans/generate.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

const PREFIX = "order-processor";

describe("applyPlan's stand-ins", () => {
  let state: StateV4;
  const attributes = (type: string, name = "") =>
    state.resources.find((resource) => resource.type === type && resource.name.startsWith(name))!.instances[0]!
      .attributes;

  beforeAll(async () => {
    const dir = tempDir("plan-state");
    writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({ terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } } }),
    );
    await init(dir);
    const schemas = JSON.parse(await terraform(dir, ["providers", "schema", "-json"])) as ProviderSchemas;
    const plan = JSON.parse(readFileSync(path.join(FIXTURES_DIR, "orders-prod", "plan.json"), "utf8")) as PlanJson;
    state = applyPlan(emptyState("test", "1.11.4"), plan, schemas);
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("gives each resource kind of our stacks its service's ARN, by its planned name, in the provider's region", () => {
    const account = "arn:aws:%s:us-east-1:123456789012:";
    const arn = (service: string) => account.replace("%s", service);
    expect(attributes("aws_cloudwatch_log_group").arn).toBe(
      `${arn("logs")}log-group:/aws/lambda/orders-prod-processor`,
    );
    expect(attributes("aws_sqs_queue", `${PREFIX}_queues_queue`).arn).toBe(`${arn("sqs")}orders-prod-queue`);
    expect(attributes("aws_sqs_queue", `${PREFIX}_queues_dead`).arn).toBe(`${arn("sqs")}orders-prod-dlq`);
    expect(attributes("aws_sqs_queue", `${PREFIX}_queues_queue`).url).toBe(
      "https://sqs.us-east-1.amazonaws.com/123456789012/orders-prod-queue",
    );
    expect(attributes("aws_lambda_function").arn).toBe(`${arn("lambda")}function:orders-prod-processor`);
    expect(attributes("aws_sns_topic").arn).toBe(`${arn("sns")}orders-prod-alarms`);
    expect(attributes("aws_dynamodb_table").arn).toBe(`${arn("dynamodb")}table/orders-prod`);
    expect(attributes("aws_iam_role").arn).toBe("arn:aws:iam::123456789012:role/orders-prod-processor-role");
    expect(attributes("aws_cloudwatch_metric_alarm", `${PREFIX}_alarms_queueDepth`).arn).toBe(
      `${arn("cloudwatch")}alarm:orders-prod-queue-depth`,
    );
  });

  it("keeps other unknown values recognisable as stand-ins", () => {
    expect(attributes("aws_iam_role").unique_id).toMatch(/^unknown-/);
    expect(attributes("aws_lambda_event_source_mapping").uuid).toMatch(/^unknown-/);
  });
});
