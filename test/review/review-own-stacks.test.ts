/**
 * `npm run review` of this project's own stacks, with a base commit and a small change (prod's batch
 * size): the review's state fills what the plan could not know with stand-ins, and the construct's
 * own statements (WriteOwnLogs on its log group's streams, exact ARNs) must not read as wildcards
 * in the plan of the change. Only prod is planned (the synth keeps one stack), to keep it short.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingTerraform } from "../../bench/support/counting-terraform.js";
import {
  changeProdBatchSize,
  ownStacksRepository,
  startReview,
  stopReview,
} from "../../bench/support/review-repository.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

describe("npm run review of our own stacks (prod, batch size 10 -> 20)", () => {
  let report: string;
  let status: number | null;
  let review: ChildProcess | undefined;
  let plans: string[];

  beforeAll(async () => {
    const repo = ownStacksRepository("prod", tempDir("own-stacks"));
    changeProdBatchSize(repo);
    const terraform = countingTerraform(tempDir("counting-terraform"));
    const started = startReview(repo, terraform.env);
    review = started.child;
    ({ status, report } = await started.finished);
    plans = terraform
      .invocations()
      .filter((run) => run.command === "plan")
      .map((run) => path.basename(run.dir));
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    if (review && review.exitCode === null && review.signalCode === null) await stopReview(review);
  });

  it("reviews the change as an in-place update of the mapping", () => {
    expect(report).toContain("## prod: 0 to add, 1 to change, 0 to replace, 0 to destroy");
    expect(report).toMatch(/\| ~ update \| `aws_lambda_event_source_mapping\.[^`]+` \| `batch_size` \| 10 \| 20 \|/);
  });

  it("finds no wildcard in the construct's IAM (its own log streams included), nothing blocking, and exits 0", () => {
    expect(report).not.toContain("iam-wildcard");
    expect(report).not.toContain("**blocking**");
    expect(report).toContain("No blocking findings.");
    expect(status).toBe(0);
  });

  it("plans twice: the base against its seed state (settled by that one plan), then the change", () => {
    // From nothing, the base took three plans to settle (ARNs and policy documents unknown until then).
    expect(plans).toEqual(["base", "head"]);
  });
});
