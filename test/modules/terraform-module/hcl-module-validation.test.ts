import { beforeAll, describe, expect, it } from "vitest";
import { failedPlanErrors, hclRoot, type PlanError } from "../../support/hcl-module.js";
import { TERRAFORM_HOOK_TIMEOUT_MS, terraformVersion } from "../../support/terraform.js";

/** Each module call of test/fixtures/hcl-module/invalid-*.tf and the message its plan must fail with. */
const EXPECTED: Record<string, string> = {
  fifo_batch_of_11: "batch_size must be a whole number between 1 and 10 for FIFO queues (got 11).",
  visibility_below_timeout:
    "visibility_timeout_seconds must be at least timeout_seconds + max_batching_window_seconds = 55, or messages " +
    "reappear while still being processed (got 40).",
  memory_out_of_range: "memory_size_mb must be a whole number between 128 and 10240 (got 20000).",
  bad_name: 'name must be 1-49 characters of A-Z, a-z, 0-9, "-" or "_"',
  name_too_long: '(got "a-name-that-is-far-too-long-for-the-role-name-limit-of-iam")',
  concurrency_above_reserved: "max_concurrency must not exceed reserved_concurrency = 10",
  dead_letter_retention_below_queue: "dead_letter_retention_seconds must be at least retention_seconds = 86400",
  archive_without_alarms: 'dead_letters_mode "archive" alerts through the alarm topic',
  window_on_fifo: "max_batching_window_seconds is not supported on FIFO queues; leave it null or set 0 (got 5).",
  log_retention_not_offered: "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90",
  alarm_period: "alarm_queue_depth.period_seconds must be 10, 30 or a multiple of 60 (got 45).",
  reserved_environment: 'are set by the module itself (got ["QUEUE_URL"]).',
  filter_not_on_body: 'filter_patterns: each must be a JSON object filtering on "body" only',
  missing_zip: "handler_zip_path must name an existing .zip file",
  fifo_option_on_standard_queue: "content_based_deduplication applies only to FIFO queues",
  kms_alias_not_key: "kms_key_arn must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id>",
  aws_tag_key: 'tags: a tag key must be 1-128 characters and must not start with "aws:"',
  prefix_without_slash: 'ending with "/", like "dead-letters/" (got "dead-letters").',
  bucket_arn_of_another_bucket: "archive_bucket.arn must be the ARN of archive_bucket.name",
  alarm_longer_than_a_day:
    "alarm_function_errors.evaluation_periods x period_seconds must be at most 86400 seconds (got 25 x 3600 = 90000).",
  large_batch_without_window:
    "max_batching_window_seconds must be at least 1 when batch_size is above 10 (batch_size 100) (got 0).",
  expiry_with_own_bucket: "archive_expire_after_days applies only to the bucket the module creates",
};

describe("the generated Terraform module refuses bad values at plan, with the variable's message", () => {
  let errors: PlanError[];

  beforeAll(async () => {
    terraformVersion();
    // Terraform checks the rules that read other variables only once every single-variable rule passed.
    const plans = ["invalid-single.tf", "invalid-cross.tf"].map(async (fixture) =>
      failedPlanErrors(await hclRoot(`test/fixtures/hcl-module/${fixture}`)),
    );
    errors = (await Promise.all(plans)).flat();
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it.each(Object.entries(EXPECTED))("%s", (call, message) => {
    const ofCall = errors.filter((error) => error.context === `module "${call}"`);
    expect(ofCall.map((error) => error.summary)).toEqual(["Invalid value for variable"]);
    expect(ofCall[0]!.detail).toContain(message);
  });

  it("refuses nothing else: one error per module call", () => {
    expect(errors.map((error) => error.context).sort()).toEqual(
      Object.keys(EXPECTED)
        .map((call) => `module "${call}"`)
        .sort(),
    );
  });
});
