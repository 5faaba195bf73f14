/**
 * The archive's grant in the IAM rules, on real terraform plans (bucket-unprotected-fail and -pass):
 * s3:PutObject under one non-empty prefix of one named bucket is accepted like a function's own log
 * streams; every looser variant is still a wildcard.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPlan } from "../../../review/policy/index.js";
import { FIXTURES_DIR } from "../../fixtures/plans/generate.js";

const plan = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES_DIR, name, "plan.json"), "utf8"));

describe("iam-wildcard and the archive's object writes", () => {
  it("accepts s3:PutObject under a prefix of an interpolated bucket ARN and of a literal one", () => {
    expect(checkPlan(plan("bucket-unprotected-pass"))).toEqual([]);
  });

  it.each([
    ["aws_iam_policy.whole_bucket", "the whole bucket (no prefix)", '"arn:aws:s3:::fixture-by-name/*"'],
    ["aws_iam_policy.wildcard_in_prefix", "a wildcard inside the prefix", '"arn:aws:s3:::fixture-by-name/dead-*/*"'],
    ["aws_iam_policy.wildcard_in_bucket", "a wildcard in the bucket name", '"arn:aws:s3:::fixture-*/dead-letters/*"'],
    ["aws_iam_policy.more_than_put", "another action beside PutObject", '(for "s3:PutObject", "s3:DeleteObject")'],
    ["aws_iam_policy.interpolated_whole_bucket", "an interpolated bucket without a prefix", '"${…}/*"'],
  ])("blocks %s: %s", (address, _what, words) => {
    const found = checkPlan(plan("bucket-unprotected-fail")).filter(
      (finding) => finding.rule === "iam-wildcard" && finding.address === address,
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe("blocking");
    expect(found[0]!.message).toContain(words);
  });

  it("links a bucket's settings by its literal name as well as by reference", () => {
    const byName = checkPlan(plan("bucket-unprotected-fail")).filter(
      (finding) => finding.address === "aws_s3_bucket.by_name",
    );
    expect(byName).toEqual([]);
  });
});
