/**
 * The AWS provider's defaults (5.x) for arguments our stacks leave out, as its plans of a create show
 * them, for the seed state (seed-state.ts): a state without them is planned as changed (null becomes the default), which defers every
 * data source that refers to it, and replaces the resource where the argument forces a replacement.
 * The schema does not carry defaults. A default missing here costs the review more plans (the plan
 * sets it, and what waits on the resource settles after). A wrong one would be kept where the argument
 * is also computed (the plan keeps a computed value the configuration leaves out), so
 * test/review/seed-state-terraform.test.ts checks every entry (and providerDefaults' conditional ones)
 * against the provider's plan of a create, and that the list holds every default it plans for prod.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  aws_cloudwatch_log_group: { skip_destroy: false },
  aws_cloudwatch_metric_alarm: { actions_enabled: true },
  aws_iam_policy: { path: "/" },
  aws_iam_role: { force_detach_policies: false, max_session_duration: 3600, path: "/" },
  aws_iam_user: { path: "/" },
  aws_kms_key: { customer_master_key_spec: "SYMMETRIC_DEFAULT", key_usage: "ENCRYPT_DECRYPT" },
  aws_lambda_function: { package_type: "Zip", publish: false, reserved_concurrent_executions: -1, skip_destroy: false },
  aws_s3_bucket: { force_destroy: false },
  aws_s3_bucket_lifecycle_configuration: { transition_default_minimum_object_size: "all_storage_classes_128K" },
  aws_sns_topic: { content_based_deduplication: false, fifo_topic: false },
  aws_sqs_queue: {
    content_based_deduplication: false,
    delay_seconds: 0,
    fifo_queue: false,
    receive_wait_time_seconds: 0,
    visibility_timeout_seconds: 30,
  },
};

/**
 * The defaults of PROVIDER_DEFAULTS for a resource of `type` configured as `configured`, with those the
 * provider plans only for some configurations: a queue's data key reuse period is 0 under SQS-managed
 * encryption, and AWS's to choose (unknown until apply) otherwise.
 */
export function providerDefaults(type: string, configured: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const defaults: Record<string, unknown> = { ...PROVIDER_DEFAULTS[type] };
  if (type === "aws_sqs_queue" && configured.sqs_managed_sse_enabled === true) {
    defaults.kms_data_key_reuse_period_seconds = 0;
  }
  return defaults;
}
