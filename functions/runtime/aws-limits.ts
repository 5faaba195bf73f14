/**
 * AWS's own numbers (hard limits, defaults and advice) for SQS, Lambda and the services around them, in
 * one place: the construct's validation, the poller and the plan policy all read them from here. Pure
 * data. It lives in functions/ because the poller ships in a consumer container, and what ships imports
 * nothing from outside functions/. Numbers the construct adds on top of AWS's are in
 * modules/queue-processor/construct-limits.ts.
 */

/**
 * SQS queues and messages. Sources: the SQS Developer Guide's quotas pages
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-quotas.html) and the
 * SetQueueAttributes, SendMessageBatch and ChangeMessageVisibility API references.
 */
export const SQS = {
  /** VisibilityTimeout: 0 s to 12 h; 30 s when unset. */
  visibilityTimeoutSeconds: { min: 0, max: 43_200, default: 30 },
  /** MessageRetentionPeriod: 1 minute to 14 days. */
  retentionSeconds: { min: 60, max: 1_209_600 },
  /** DelaySeconds: up to 15 minutes. */
  deliveryDelaySeconds: { min: 0, max: 900 },
  /** ReceiveMessageWaitTimeSeconds: a long poll waits at most 20 s. */
  receiveWaitTimeSeconds: { min: 0, max: 20 },
  /**
   * MaximumMessageSize, body and attributes together: up to 1 MiB since August 2025. The hashicorp/aws
   * 5.x provider still refuses more than 256 KiB in `max_message_size`.
   */
  maxMessageSizeBytes: { min: 1024, max: 1_048_576, terraformProviderMax: 262_144 },
  /**
   * A character a message body or a String attribute's value may not hold (XML 1.0's set is allowed):
   * a lone surrogate, U+FFFF or a control character other than tab and line breaks is refused (InvalidMessageContents) or replaced by U+FFFD.
   */
  invalidMessageCharacter: /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu,
  /** A message carries at most 10 message attributes. */
  maxMessageAttributes: 10,
  /** RedrivePolicy maxReceiveCount: 1-1000. AWS advises at least 5 for a Lambda consumer, whose throttles count as receives. */
  maxReceiveCount: { min: 1, max: 1000, advisedMin: 5 },
  /** A redrive allow policy `byQueue` names at most 10 source queues. */
  redriveAllowPolicyMaxSourceQueues: 10,
  /** Queue names: 1-80 characters of A-Z, a-z, 0-9, "-" and "_"; a FIFO queue's ends in `.fifo`, inside the 80. */
  queueName: { maxLength: 80, characters: /^[A-Za-z0-9_-]+$/, fifoSuffix: ".fifo" },
  /** ReceiveMessage MaxNumberOfMessages: at most 10 messages per receive. */
  receiveMaxMessages: 10,
  /** SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: at most 10 entries, with unique Ids like this. */
  batchRequest: { maxEntries: 10, entryIdPattern: /^[A-Za-z0-9_-]{1,80}$/ },
  /** SendMessageBatch: every entry's body and attributes count against one 1 MiB request. */
  sendMessageBatchMaxBytes: 1_048_576,
  /** ChangeMessageVisibility counts from the call; a message's total stays within 12 h of its receive. */
  changeVisibilityMaxTotalSeconds: 43_200,
  /** FIFO queues drop a message whose deduplication id was seen in the last 5 minutes. */
  fifoDeduplicationWindowSeconds: 300,
} as const;

/**
 * Lambda's SQS event source mapping
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-queueconfig).
 */
export const SQS_EVENT_SOURCE = {
  /** BatchSize: 10 when unset; up to 10,000 on a standard queue, 10 on FIFO; above 10 needs a batching window. */
  batchSize: { min: 1, default: 10, standardMax: 10_000, fifoMax: 10, withoutWindowMax: 10 },
  /** MaximumBatchingWindowInSeconds: 0-300, 0 when unset; at least 1 for a batch above 10; not on FIFO. */
  maxBatchingWindowSeconds: { min: 0, max: 300, default: 0, minForLargerBatches: 1 },
  /** ScalingConfig.MaximumConcurrency: 2-1000; it should not exceed the function's reserved concurrency. */
  maxConcurrency: { min: 2, max: 1000 },
  /** FilterCriteria: 5 patterns per mapping by default (a quota raisable to 10), 4,096 characters each. */
  filterPatterns: { defaultQuota: 5, max: 10, maxJsonLength: 4096 },
  /** AWS advises a queue visibility timeout of 6 x the function timeout, plus the batching window. */
  advisedVisibilityFactor: 6,
} as const;

/**
 * Lambda functions (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
 */
export const LAMBDA = {
  /** Timeout: 1-900 s; 3 s when unset. */
  timeoutSeconds: { min: 1, max: 900, default: 3 },
  /**
   * An on-demand function's Init phase (runtime start, the module's static code) has 10 s of its own,
   * outside the function timeout ("Lambda execution environment lifecycle", Init phase).
   */
  initPhaseSeconds: 10,
  /** MemorySize: 128-10,240 MB. */
  memorySizeMb: { min: 128, max: 10_240 },
  /** ReservedConcurrentExecutions: 0 stops the function; the hashicorp/aws provider writes -1 for "none reserved". */
  reservedConcurrency: { min: 0, terraformUnreserved: -1 },
  /** All environment variables together, as JSON, fit in 4 KB. */
  environmentMaxBytes: 4096,
  /** An environment variable name starts with a letter and holds only letters, digits and "_". */
  environmentKeyPattern: /^[A-Za-z][A-Za-z0-9_]*$/,
  /** Names the runtime sets itself and a function may not set ("Defined runtime environment variables"). */
  reservedEnvironmentKeys: [
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
  ],
} as const;

/**
 * CloudWatch alarms, logs and the embedded metric format
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
export const CLOUDWATCH = {
  /** An alarm's period: 10 or 30 s (high resolution), or a multiple of 60 s. */
  alarmPeriodSeconds: { highResolution: [10, 30], multipleOf: 60 },
  /** EvaluationPeriods is 1 or more, and periods x period cover at most one day. */
  alarmEvaluationPeriodsMin: 1,
  alarmEvaluationMaxSeconds: 86_400,
  /** The retention a log group may have, in days; none (0 in the provider) keeps logs forever. */
  logRetentionDays: [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  ],
  logRetentionNeverExpires: 0,
  /** One EMF document holds at most 100 metrics and 30 dimensions. */
  emf: { maxMetricsPerDocument: 100, maxDimensions: 30 },
  /**
   * PutMetricData (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html):
   * a request is at most 1 MB (an HTTP POST, gzip allowed) and 1,000 metric data; a datum's `Values`
   * (with `Counts` of the same length) holds at most 150 values; at most 30 dimensions; values within
   * ±2^360, never NaN or infinite.
   */
  putMetricData: { maxRequestBytes: 1_000_000, maxMetricData: 1000, maxValuesPerDatum: 150, maxDimensions: 30 },
  /**
   * GetMetricData (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html):
   * at most 500 queries and 100,800 data points per call (more pages follow with NextToken); a
   * period of 60 s or a multiple of it for standard-resolution metrics, whose 1-minute points are kept 15 days.
   */
  getMetricData: { maxQueries: 500, maxDataPointsPerCall: 100_800, minutePointsRetentionHours: 360 },
  /**
   * DescribeAlarms (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html):
   * at most 100 alarm names per call, and MaxRecords 1-100.
   */
  describeAlarms: { maxAlarmNames: 100, maxRecords: 100 },
} as const;

/**
 * IAM (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).
 */
export const IAM = {
  /** Role names: at most 64 characters. */
  roleNameMaxLength: 64,
  /** X-Ray's write actions (which active tracing needs) support no resource-level permissions: "*" is their only resource. */
  actionsWithoutResourceLevelPermissions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
} as const;

/** ARNs the construct accepts (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export const ARNS = {
  /** A KMS key ARN; an alias ARN cannot be scoped in an IAM policy's resources. */
  kmsKey: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
  /** An SNS topic ARN: topic names are 1-256 of these characters, `.fifo` for a FIFO topic. */
  snsTopic: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
} as const;

/**
 * S3 buckets, keys and lifecycle (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). The key characters are the ones
 * S3 calls safe, less `*`, which IAM would read as a wildcard in the archiver's grant.
 */
export const S3 = {
  /** General purpose bucket names: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit. */
  bucketName: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  /** Names S3 refuses although the characters fit: an IP address, reserved prefixes and suffixes. */
  bucketNameReserved: [
    /\.\./,
    /^\d+\.\d+\.\d+\.\d+$/,
    /^xn--/,
    /^sthree-/,
    /^amzn-s3-demo-/,
    /-s3alias$/,
    /--ol-s3$/,
    /\.mrap$/,
    /--x-s3$/,
    /--table-s3$/,
  ],
  bucketArn: /^arn:aws[a-z-]*:s3:::([^/]+)$/,
  /** A key prefix of safe characters, in segments, ending with "/". */
  keyPrefix: /^[A-Za-z0-9!_.'()-]+(\/[A-Za-z0-9!_.'()-]+)*\/$/,
  /** The archive's own cap on the prefix, leaving most of S3's 1,024-byte key to the archive key. */
  keyPrefixMaxLength: 200,
} as const;

/** Resource tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions). */
export const TAGS = {
  keyLength: { min: 1, max: 128 },
  valueMaxLength: 256,
  /** Keys starting with this, in any case, are AWS's own. */
  reservedKeyPrefix: "aws:",
} as const;
