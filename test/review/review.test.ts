import type { ChildProcess } from "node:child_process";
import { readdirSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryWithChange, startReview, stopReview, worktrees } from "../../bench/support/review-repository.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

describe("npm run review", () => {
  let report: string;
  let status: number | null;
  let review: ChildProcess | undefined;
  let repo: string;

  beforeAll(async () => {
    repo = repositoryWithChange(tempDir("review-repo"));
    const started = startReview(repo);
    review = started.child;
    ({ status, report } = await started.finished);
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    if (review && review.exitCode === null && review.signalCode === null) await stopReview(review);
  });

  it("titles the report with the base and summarizes each environment", () => {
    expect(report).toMatch(/^# Terraform review: HEAD~1 \([0-9a-f]{12}\) → working tree/);
    expect(report).toContain("## dev: 1 to add, 3 to change, 0 to replace, 3 to destroy");
    expect(report).toContain("## prod: 0 to add, 0 to change, 1 to replace, 0 to destroy");
  });

  it("shows a changed batch size as an in-place update, attribute by attribute", () => {
    expect(report).toContain("| ~ update | `aws_lambda_event_source_mapping.worker` | `batch_size` | 10 | 25 |");
    expect(report).toContain("|  |  | `maximum_batching_window_in_seconds` | (none) | 1 |");
  });

  it("lists a derived value that changed because another setting did, with its rule", () => {
    expect(report).toContain(
      "| fixture-dev | `queue.visibilityTimeoutSeconds` | 180 | 361 | 6 x handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds |",
    );
    expect(report).toContain("| ~ update | `aws_sqs_queue.work` | `visibility_timeout_seconds` | 180 | 361 |");
  });

  it("shows an added alarm as a create", () => {
    expect(report).toContain("| + create | `aws_cloudwatch_metric_alarm.queue_depth` |");
  });

  it("calls out the destroyed dead-letter queue, whose messages would be lost", () => {
    expect(report).toContain("> **Destroyed: `aws_sqs_queue.dlq`**: its messages or data are lost.");
    expect(report).toContain("| - **destroy** | `aws_sqs_queue_redrive_policy.work` |");
  });

  it("calls out the replaced prod table and the attribute that forces it, as terraform decides", () => {
    expect(report).toContain(
      "> **Replaced: `aws_dynamodb_table.orders`** (because `name` cannot change in place): its messages or data are lost.",
    );
    expect(report).toContain(
      "| -/+ **replace** | `aws_dynamodb_table.orders` | `name` (forces replacement) | fixture-orders | fixture-orders-v2 |",
    );
  });

  it("blocks the removed DLQ and the replaced prod table, and exits 1", () => {
    expect(report).toMatch(
      /\| \*\*blocking\*\* \| dlq-missing \| `aws_sqs_queue\.work` \| aws_sqs_queue\.work is consumed by aws_lambda_event_source_mapping\.worker but has no redrive policy/,
    );
    const prod = report.slice(report.indexOf("## prod"));
    expect(prod).toMatch(
      /\| \*\*blocking\*\* \| stateful-destroy \| `aws_dynamodb_table\.orders` \| .*will be replaced/,
    );
    expect(report).toContain("**2 blocking findings: this change must not merge as it is.**");
    expect(status).toBe(1);
  });

  it("leaves no worktree and no scratch folder behind", () => {
    expect(worktrees(repo)).toEqual([realpathSync(repo)]);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`qp-review-${review!.pid}-`))).toEqual([]);
  });

  it("leaves unchanged resources and made-up values out of the changes", () => {
    const prod = report.slice(report.indexOf("## prod"));
    const changes = prod.slice(prod.indexOf("| change | resource |"));
    expect(changes).not.toContain("aws_lambda_function.worker");
    expect(changes).not.toContain("aws_sqs_queue.work");
    expect(report).not.toMatch(/unknown-|123456789012:/);
  });

  it("judges the whole plan's policy, unchanged resources included, never a stand-in as a policy", () => {
    // The fixture's queues have no policy: the review's stand-in for the unknown attribute once hid that.
    const prod = report.slice(report.indexOf("## prod"));
    expect(prod).toContain(
      "| advisory | non-tls-allowed | `aws_sqs_queue.work` | aws_sqs_queue.work has no queue policy; expected a queue policy",
    );
    expect(prod).not.toMatch(/cannot tell whether its policy denies/);
  });
});
