/**
 * AWS's hard limits and advice that the rules check against, in one place. Sources: the SQS and
 * Lambda developer guides and the hashicorp/aws 5.x provider's own validation.
 */
export const LIMITS = {
  nameMaxLength: 49,
  namePattern: /^[A-Za-z0-9_-]+$/,

  timeoutSeconds: { min: 1, max: 900 },
  memorySizeMb: { min: 128, max: 10_240 },
  reservedConcurrency: { min: 1 },
  environmentMaxBytes: 4096,
  environmentKeyPattern: /^[A-Za-z][A-Za-z0-9_]*$/,
  logRetentionDays: [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  ],

  visibilityTimeoutSeconds: { min: 0, max: 43_200 },
  retentionSeconds: { min: 60, max: 1_209_600 },
  maxReceiveCount: { min: 1, max: 1000, advisedMin: 5 },
  maxMessageSizeBytes: { min: 1024, max: 262_144 },
  receiveWaitTimeSeconds: { min: 0, max: 20 },
  deliveryDelaySeconds: { min: 0, max: 900 },
  kmsKeyArnPattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,

  batchSize: { min: 1, standardMax: 10_000, fifoMax: 10, withoutWindowMax: 10 },
  maxBatchingWindowSeconds: { min: 0, max: 300 },
  maxConcurrency: { min: 2, max: 1000 },
  filterPatterns: { defaultQuota: 5, max: 10, maxJsonLength: 4096 },

  alarmPeriodSeconds: { shortPeriods: [10, 30], multipleOf: 60 },
  alarmEvaluationMaxSeconds: 86_400,
  snsTopicArnPattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,

  /** AWS advises a visibility timeout of 6 x the function timeout (plus the batching window). */
  advisedVisibilityFactor: 6,
} as const;

/** Names Lambda reserves for itself; a function may not set them. */
export const RESERVED_ENVIRONMENT_KEYS: ReadonlySet<string> = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_DEFAULT_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_LAMBDA_RUNTIME_API",
  "AWS_REGION",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "LAMBDA_RUNTIME_DIR",
  "LAMBDA_TASK_ROOT",
]);
