/**
 * When the seed state does not fit (a stack it does not follow, or one whose first plan leaves
 * something to settle), the review settles the base as it did from nothing: more plans, the same
 * verdict. Real terraform on the review fixture's dev stack, with a counted SNS topic added, which the
 * seed gives up on; plans counted by a logging `terraform` first on PATH.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingTerraform } from "../../bench/support/counting-terraform.js";
import { type EnvironmentReview, reviewEnvironment } from "../../review/review-environment.js";
import { type FixtureStack, fixtureStackWith } from "../support/fixture-stack.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

describe("reviewEnvironment when the seed does not fit", () => {
  const savedPath = process.env.PATH;
  let review: EnvironmentReview;
  let plans: number;

  beforeAll(async () => {
    const counter = countingTerraform(tempDir("fallback-terraform"));
    process.env.PATH = counter.env.PATH;
    const parent = tempDir("fallback");
    const withCountedTopic = (stack: FixtureStack) => {
      // Alarms notify a topic made with count: the seed follows no count, so the base is planned from nothing.
      stack.resource.aws_sns_topic = { alarms: { count: 1, name: "fixture-dev-alarms" } };
      const alarm = stack.resource.aws_cloudwatch_metric_alarm?.dlq_not_empty;
      if (alarm) alarm.alarm_actions = ["${aws_sns_topic.alarms[0].arn}"];
    };
    const base = fixtureStackWith(parent, "base", withCountedTopic);
    const head = fixtureStackWith(parent, "head", (stack) => {
      withCountedTopic(stack);
      const mapping = stack.resource.aws_lambda_event_source_mapping?.worker;
      if (mapping) mapping.batch_size = 7;
    });
    const scratch = path.join(parent, "scratch");
    review = await reviewEnvironment("dev", base, head, scratch, {
      pluginCache: path.join(scratch, "plugin-cache"),
      dataRoot: path.join(scratch, "data"),
    });
    plans = counter.invocations().filter((run) => run.command === "plan").length;
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  afterAll(() => {
    process.env.PATH = savedPath;
  });

  it("plans the base from nothing and settles it with more plans", () => {
    expect(review.settled).toBe(true);
    expect(plans).toBeGreaterThan(2);
  });

  it("finds only the change under review: the batch size, in place", () => {
    const changed = (review.plan.resource_changes ?? []).filter(
      (change) => change.mode === "managed" && change.change.actions.join() !== "no-op",
    );
    expect(changed.map((change) => `${change.address} ${change.change.actions.join()}`)).toEqual([
      "aws_lambda_event_source_mapping.worker update",
    ]);
    const mapping = changed[0]?.change;
    expect([
      (mapping?.before as { batch_size?: number } | undefined)?.batch_size,
      (mapping?.after as { batch_size?: number } | undefined)?.batch_size,
    ]).toEqual([10, 7]);
  });
});
