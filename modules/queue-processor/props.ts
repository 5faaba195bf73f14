/**
 * Public configuration of a {@link QueueProcessor}. Every optional field documents its default and
 * its allowed range; the rules are enforced at synth time by `validation/`.
 */

/** CPU architecture of the Lambda function. */
export type LambdaArchitecture = "arm64" | "x86_64";

/** The Lambda function that consumes the queue. */
export interface HandlerProps {
  /**
   * The TypeScript or JavaScript file that exports `handler`, bundled with esbuild at synth time.
   * A relative path is resolved from {@link QueueProcessorProps.projectRoot} (the app's folder), never
   * from the current directory.
   */
  readonly entry: string;

  /**
   * Function timeout, in seconds. 1-900.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
   * @default 30
   */
  readonly timeoutSeconds?: number | undefined;

  /**
   * Memory, in MB. 128-10,240.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
   * @default 256
   */
  readonly memorySizeMb?: number | undefined;

  /**
   * Extra environment variables. Names start with a letter and use `[A-Za-z0-9_]`; AWS-reserved names
   * and the ones this construct sets (`QUEUE_URL`, `DLQ_URL`, `NODE_OPTIONS`) are rejected; all
   * variables together must fit in 4 KB. Values are plain text in the function's configuration, the
   * plan and the state: a secret-looking one is a synth warning (use Secrets Manager or SSM Parameter
   * Store). A value must hold no Terraform template (`${`, `%{`); write `$${` or `%%{` for a literal one.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>> | undefined;

  /**
   * Concurrent executions reserved for the function, 1 or more. It also caps the function, so
   * `eventSource.maxConcurrency` must not exceed it.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default - no reservation (the function shares the account's unreserved pool)
   */
  readonly reservedConcurrency?: number | undefined;

  /**
   * Instruction set. `arm64` (Graviton) costs about 20% less per GB-second for the same code.
   * @default "arm64"
   */
  readonly architecture?: LambdaArchitecture | undefined;

  /**
   * Bundle the AWS SDK v3 (`@aws-sdk/*`) into the zip instead of using the copy the Node.js Lambda
   * runtime provides. Bundling pins the SDK version the tests ran with; leaving it out keeps the zip
   * small (the order processor: 24 KB instead of 411 KB) at no measured cold-start cost.
   * @default false (as AWS CDK's NodejsFunction does for Node.js 18 and later)
   */
  readonly bundleAwsSdk?: boolean | undefined;

  /**
   * Retention of the function's log group, in days: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
   * 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653. Logs never expiring is not offered.
   * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
   * @default 30
   */
  readonly logRetentionDays?: number | undefined;
}

/** The work queue and its dead-letter queue. */
export interface QueueProps {
  /**
   * A FIFO queue (and FIFO dead-letter queue): strict order within a message group, deduplication.
   * @default false
   */
  readonly fifo?: boolean | undefined;

  /**
   * How long a received message stays hidden, in seconds. 0-43,200. Must be at least the function
   * timeout plus the batching window, or messages reappear while still being processed.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
   * @default - 6 x function timeout + batching window, at most 43,200
   */
  readonly visibilityTimeoutSeconds?: number | undefined;

  /**
   * How long the queue keeps a message, in seconds. 60-1,209,600 (14 days).
   * @default 345600 (4 days, the SQS default)
   */
  readonly retentionSeconds?: number | undefined;

  /**
   * How long the dead-letter queue keeps a message, in seconds. 60-1,209,600, and at least
   * `retentionSeconds`: a standard DLQ keeps the original enqueue time, so a shorter retention
   * expires redriven messages early.
   * @default 1209600 (14 days, the maximum)
   */
  readonly deadLetterRetentionSeconds?: number | undefined;

  /**
   * Receives before SQS moves a message to the dead-letter queue. 1-1,000; AWS advises 5 or more
   * for Lambda consumers (throttled invocations also count as receives).
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
   * @default 5
   */
  readonly maxReceiveCount?: number | undefined;

  /**
   * ARN of a customer-managed KMS key (`arn:aws:kms:<region>:<account>:key/<id>`) for both queues.
   * The function's role then gets `kms:Decrypt` and `kms:GenerateDataKey` on exactly that key.
   * @default - SQS-managed server-side encryption (SSE-SQS)
   */
  readonly kmsKeyArn?: string | undefined;

  /**
   * Largest message accepted, in bytes. 1,024-262,144 with hashicorp/aws 5.x (AWS itself accepts up
   * to 1 MiB since 2025; the provider's own validation stops at 256 KiB).
   * @default 262144
   */
  readonly maxMessageSizeBytes?: number | undefined;

  /**
   * Long-polling wait of a receive, in seconds. 0-20.
   * @default 20
   */
  readonly receiveWaitTimeSeconds?: number | undefined;

  /**
   * Delay before a new message becomes visible, in seconds. 0-900.
   * @default 0
   */
  readonly deliveryDelaySeconds?: number | undefined;

  /**
   * FIFO only: derive the deduplication id from the body's SHA-256 when the producer sets none.
   * @default false (producers set `MessageDeduplicationId`)
   */
  readonly contentBasedDeduplication?: boolean | undefined;

  /**
   * FIFO only: high-throughput mode (deduplication and throughput limits per message group).
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html
   * @default true
   */
  readonly highThroughputFifo?: boolean | undefined;
}

/**
 * A Lambda event filter on the message body, e.g. `{ body: { type: ["order_created"] } }`.
 * SQS mappings may only filter on `body`. Records that match no pattern are deleted from the queue
 * without invoking the function.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
 */
export interface BodyFilterPattern {
  readonly body: Readonly<Record<string, unknown>>;
}

/** The Lambda event source mapping that polls the queue. */
export interface EventSourceProps {
  /**
   * Records per invocation. 1-10 for FIFO queues, 1-10,000 for standard queues (above 10, a
   * batching window of at least 1 second is required).
   * @default 10
   */
  readonly batchSize?: number | undefined;

  /**
   * How long to gather records before invoking, in seconds. 0-300. Not supported on FIFO queues.
   * @default - 0, or 1 when batchSize is above 10
   */
  readonly maxBatchingWindowSeconds?: number | undefined;

  /**
   * Most concurrent invocations this mapping makes. 2-1,000, and at most the function's reserved
   * concurrency.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
   * @default - no limit beyond the function's concurrency
   */
  readonly maxConcurrency?: number | undefined;

  /**
   * Up to 5 body filter patterns (10 with a quota increase), each at most 4,096 characters as JSON,
   * with no Terraform template (`${`, `%{`) in a key or a string.
   * @default - every record is delivered
   */
  readonly filterPatterns?: readonly BodyFilterPattern[] | undefined;
}

/** One alarm's tuning. Omitted fields keep the documented default of that alarm. */
export interface AlarmTuning {
  /** Value the statistic must exceed to alarm. 0 or more. */
  readonly threshold?: number | undefined;
  /** Length of one evaluation period, in seconds: 10, 30 or a multiple of 60. */
  readonly periodSeconds?: number | undefined;
  /** Consecutive breaching periods before the alarm fires. 1 or more; periods x seconds <= 1 day. */
  readonly evaluationPeriods?: number | undefined;
}

/** An alarm is on with its defaults, tuned, or switched off with `false`. */
export type AlarmSetting = AlarmTuning | false;

/** CloudWatch alarms on the pipeline, and where they notify. */
export interface AlarmsProps {
  /**
   * ARN of an existing SNS topic for alarm and OK notifications.
   * @default - a topic named `<name>-alarms` is created. It is not encrypted: CloudWatch cannot publish
   * to a topic under the AWS-managed SNS key, and alarm notifications carry no message data.
   */
  readonly topicArn?: string | undefined;

  /**
   * Messages waiting in the work queue (`ApproximateNumberOfMessagesVisible`, Average).
   * @default - threshold 2 x batchSize x maxConcurrency (two full rounds of consumers), or 1,000
   * without maxConcurrency; 2 periods of 300 s
   */
  readonly queueDepth?: AlarmSetting | undefined;

  /**
   * Any message in the dead-letter queue (`ApproximateNumberOfMessagesVisible`, Maximum > 0).
   * @default - threshold 0; 1 period of 60 s
   */
  readonly deadLetterQueueNotEmpty?: AlarmSetting | undefined;

  /**
   * Age of the oldest message in the work queue, in seconds (`ApproximateAgeOfOldestMessage`).
   * @default - threshold maxReceiveCount x visibility timeout (a message older than that is waiting,
   * not retrying), at most half the retention; 1 period of 300 s
   */
  readonly oldestMessageAge?: AlarmSetting | undefined;

  /**
   * Function errors (`AWS/Lambda Errors`, Sum): a thrown error fails the whole batch.
   * @default - threshold 10; 2 periods of 300 s
   */
  readonly functionErrors?: AlarmSetting | undefined;

  /**
   * Function throttles (`AWS/Lambda Throttles`, Sum): throttled batches go back to the queue and use up
   * receives.
   * @default - threshold 0; 2 periods of 300 s
   */
  readonly functionThrottles?: AlarmSetting | undefined;

  /**
   * Records the mapping's filter deleted without invoking the function (`AWS/Lambda
   * FilteredOutEventCount`, Sum, by `EventSourceMappingUUID`). Only with `eventSource.filterPatterns`,
   * which also turns on the mapping's `EventCount` metrics. A producer change that makes good messages
   * miss the filter shows here and nowhere else.
   * @default - threshold 0; 1 period of 300 s
   */
  readonly filteredOutEvents?: AlarmSetting | undefined;
}

/** Dead letters stay in the dead-letter queue, for `ops dlq peek` and `ops dlq redrive`. */
export interface RetainDeadLetters {
  readonly mode: "retain";
}

/** A bucket the caller owns, for the archive. Its encryption, lifecycle and policy are the caller's. */
export interface ArchiveBucket {
  /** `arn:aws:s3:::<name>`. */
  readonly arn: string;
  /** The bucket's name: 3-63 of `a-z 0-9 . -`, starting and ending with a letter or digit. */
  readonly name: string;
}

/** The archiver function that drains the dead-letter queue into the bucket. */
export interface ArchiverProps {
  /**
   * The archiver's code, bundled like `handler.entry`. A replacement keeps the contract: it reads
   * `ARCHIVE_BUCKET`, `ARCHIVE_PREFIX`, `ALERT_TOPIC_ARN`, answers with a partial batch response, and
   * writes the format of `@queue-processor/runtime/archive`.
   * @default - the archiver of `@queue-processor/runtime` (its `archiver` entry)
   */
  readonly entry?: string | undefined;
  /** 1-900. @default 60 */
  readonly timeoutSeconds?: number | undefined;
  /** 128-10,240. @default 256 */
  readonly memorySizeMb?: number | undefined;
  /** A CloudWatch retention value, as `handler.logRetentionDays`. @default 30 */
  readonly logRetentionDays?: number | undefined;
}

/**
 * Dead letters are drained by an archiver function into S3 (seed 002): one object per dead letter,
 * one alert per batch on the alarm topic, nothing deleted from the DLQ before it is stored.
 */
export interface ArchiveDeadLetters {
  readonly mode: "archive";
  /**
   * Your bucket. Without it the construct creates one: private (every public access block on),
   * encrypted (SSE-S3, or `queue.kmsKeyArn`), TLS-only, versioned, objects expiring after
   * `expireAfterDays`.
   * @default - a bucket named `<name>-dead-letters-` plus a suffix Terraform makes unique
   */
  readonly bucket?: ArchiveBucket | undefined;
  /**
   * Key prefix of every archived object: 1-200 of `A-Z a-z 0-9 ! - _ . * ' ( )` and `/`, ending
   * with `/`, not starting with one. The archiver may write nowhere else in the bucket.
   * @default "dead-letters/"
   */
  readonly prefix?: string | undefined;
  /**
   * Days before an archived dead letter (and a noncurrent version of it) expires, 1-3,650. Only for
   * the bucket the construct creates; your bucket's lifecycle is yours.
   * @default 90
   */
  readonly expireAfterDays?: number | undefined;
  /** @default - the defaults of {@link ArchiverProps} */
  readonly archiver?: ArchiverProps | undefined;
}

/** What happens to dead letters. */
export type DeadLettersProps = RetainDeadLetters | ArchiveDeadLetters;

/** Everything a {@link QueueProcessor} needs. */
export interface QueueProcessorProps {
  /**
   * Base of every resource name: `<name>-queue`, `<name>-dlq`, `<name>-processor`, ... 1-49 characters
   * of `A-Z a-z 0-9 - _`, so that every derived name fits its AWS limit.
   */
  readonly name: string;
  readonly handler: HandlerProps;
  /** @default - a standard queue with the defaults of {@link QueueProps} */
  readonly queue?: QueueProps | undefined;
  /** @default - the defaults of {@link EventSourceProps} */
  readonly eventSource?: EventSourceProps | undefined;
  /**
   * Alarms, or `false` for none.
   * @default - every alarm with its defaults, notifying a topic the construct creates
   */
  readonly alarms?: AlarmsProps | false | undefined;
  /**
   * What happens to dead letters: kept in the DLQ (`retain`) or archived to S3 (`archive`).
   * @default { mode: "retain" }
   */
  readonly deadLetters?: DeadLettersProps | undefined;
  /**
   * Tags for every resource the construct creates (in addition to the provider's default tags). No
   * Terraform template (`${`, `%{`) in a key or a value.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /**
   * The absolute path of the folder that relative code entries (`handler.entry`,
   * `deadLetters.archiver.entry`) are resolved from, and that the bundle's source-map paths are relative
   * to (so the zip's bytes do not depend on where the app is checked out).
   * @default - the app's folder: the nearest folder holding `cdktf.json` (else `package.json`) above the
   * app's main script, outside `node_modules`
   */
  readonly projectRoot?: string | undefined;
}
