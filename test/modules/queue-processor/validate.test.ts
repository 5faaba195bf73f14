import { describe, expect, it } from "vitest";
import type { QueueProcessorProps } from "../../../modules/index.js";
import { checkQueueProcessorProps, QueueProcessorConfigError } from "../../../modules/index.js";
import { RULES } from "../../../modules/queue-processor/validation/validate-config.js";

const BASE: QueueProcessorProps = {
  name: "orders",
  handler: { entry: "functions/order-processor/handler.ts" },
};

/** Props of BASE with sections replaced; `any` so that tests can pass what TypeScript would refuse. */
// biome-ignore lint/suspicious/noExplicitAny: the tests pass what TypeScript would refuse
function props(overrides: Record<string, any>): QueueProcessorProps {
  return { ...BASE, ...overrides } as QueueProcessorProps;
}

function errorOf(input: QueueProcessorProps): QueueProcessorConfigError {
  try {
    checkQueueProcessorProps(input);
  } catch (error) {
    if (error instanceof QueueProcessorConfigError) return error;
    throw error;
  }
  throw new Error("expected a QueueProcessorConfigError");
}

function warningsOf(input: QueueProcessorProps) {
  return checkQueueProcessorProps(input).warnings;
}

interface ErrorCase {
  readonly code: string;
  readonly title: string;
  readonly props: QueueProcessorProps;
  readonly message: string;
}

const ERROR_CASES: readonly ErrorCase[] = [
  {
    code: "unknown-property",
    title: "rejects a misspelled key and suggests the right one",
    props: props({ eventSource: { batchsize: 10 } }),
    message:
      "eventSource.batchsize is not a known property (allowed: batchSize, maxBatchingWindowSeconds, maxConcurrency, filterPatterns); did you mean eventSource.batchSize?",
  },
  {
    code: "name-invalid",
    title: "rejects a name with characters AWS names do not allow",
    props: props({ name: "orders queue" }),
    message:
      'name must be 1-49 characters of A-Z, a-z, 0-9, "-" or "_", so that derived names such as "<name>-processor-role" fit IAM\'s 64-character limit (got "orders queue")',
  },
  {
    code: "project-root-invalid",
    title: "rejects a relative project root: entries would depend on the current directory again",
    props: props({ projectRoot: "apps/orders" }),
    message: 'projectRoot must be the absolute path of an existing folder (got "apps/orders")',
  },
  {
    code: "handler-entry-invalid",
    title: "rejects an entry that is not a source file",
    props: props({ handler: { entry: "functions/order-processor" } }),
    message:
      'handler.entry must be the path of a .ts or .js file that exports "handler" (got "functions/order-processor")',
  },
  {
    code: "timeout-range",
    title: "rejects a timeout above Lambda's 900 s",
    props: props({ handler: { ...BASE.handler, timeoutSeconds: 901 } }),
    message: "handler.timeoutSeconds must be a whole number between 1 and 900 (got 901)",
  },
  {
    code: "memory-range",
    title: "rejects memory below 128 MB",
    props: props({ handler: { ...BASE.handler, memorySizeMb: 64 } }),
    message: "handler.memorySizeMb must be a whole number between 128 and 10,240 (got 64)",
  },
  {
    code: "reserved-concurrency-range",
    title: "rejects a reserved concurrency of 0, which would strand messages",
    props: props({ handler: { ...BASE.handler, reservedConcurrency: 0 } }),
    message:
      "handler.reservedConcurrency must be 1 or more: 0 stops the function, and messages would expire from the queue unprocessed after retentionSeconds (got 0)",
  },
  {
    code: "architecture-invalid",
    title: "rejects an unknown architecture",
    props: props({ handler: { ...BASE.handler, architecture: "arm" } }),
    message: 'handler.architecture must be "arm64" or "x86_64" (got "arm")',
  },
  {
    code: "log-retention-invalid",
    title: "rejects a log retention CloudWatch does not offer",
    props: props({ handler: { ...BASE.handler, logRetentionDays: 10 } }),
    message:
      "handler.logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 10)",
  },
  {
    code: "environment-invalid",
    title: "rejects an environment variable Lambda reserves",
    props: props({ handler: { ...BASE.handler, environment: { AWS_REGION: "eu-west-1" } } }),
    message: 'handler.environment.AWS_REGION: AWS_REGION is reserved by Lambda and cannot be set (got "AWS_REGION")',
  },
  {
    code: "environment-too-large",
    title: "rejects environment variables over 4 KB",
    props: props({ handler: { ...BASE.handler, environment: { BIG: "x".repeat(5000) } } }),
    message: "handler.environment must fit in 4,096 bytes in all (got 5,010 bytes)",
  },
  {
    code: "bundle-aws-sdk-invalid",
    title: "rejects a non-boolean bundleAwsSdk",
    props: props({ handler: { ...BASE.handler, bundleAwsSdk: "yes" } }),
    message: 'handler.bundleAwsSdk must be true or false (got "yes")',
  },
  {
    code: "fifo-invalid",
    title: "rejects a non-boolean fifo flag",
    props: props({ queue: { fifo: "yes" } }),
    message: 'queue.fifo must be true or false (got "yes")',
  },
  {
    code: "content-based-deduplication-invalid",
    title: "rejects a non-boolean contentBasedDeduplication",
    props: props({ queue: { fifo: true, contentBasedDeduplication: 1 } }),
    message: "queue.contentBasedDeduplication must be true or false (got 1)",
  },
  {
    code: "high-throughput-fifo-invalid",
    title: "rejects a non-boolean highThroughputFifo",
    props: props({ queue: { fifo: true, highThroughputFifo: "on" } }),
    message: 'queue.highThroughputFifo must be true or false (got "on")',
  },
  {
    code: "fifo-only-option",
    title: "rejects FIFO options on a standard queue",
    props: props({ queue: { contentBasedDeduplication: true } }),
    message:
      "queue.contentBasedDeduplication applies only to FIFO queues; set queue.fifo to true or remove it (got true)",
  },
  {
    code: "visibility-timeout-range",
    title: "rejects a visibility timeout above 12 hours",
    props: props({ queue: { visibilityTimeoutSeconds: 43_201 } }),
    message: "queue.visibilityTimeoutSeconds must be a whole number between 0 and 43,200 (got 43201)",
  },
  {
    code: "retention-range",
    title: "rejects a retention above 14 days",
    props: props({ queue: { retentionSeconds: 1_209_601, deadLetterRetentionSeconds: 1_209_600 } }),
    message: "queue.retentionSeconds must be a whole number between 60 and 1,209,600 (got 1209601)",
  },
  {
    code: "dlq-retention-range",
    title: "rejects a dead-letter retention below 60 s",
    props: props({ queue: { retentionSeconds: 60, deadLetterRetentionSeconds: 30 } }),
    message: "queue.deadLetterRetentionSeconds must be a whole number between 60 and 1,209,600 (got 30)",
  },
  {
    code: "max-receive-count-range",
    title: "rejects a maxReceiveCount above 1,000",
    props: props({ queue: { maxReceiveCount: 1001 } }),
    message: "queue.maxReceiveCount must be a whole number between 1 and 1,000 (got 1001)",
  },
  {
    code: "max-message-size-range",
    title: "rejects a message size the provider refuses",
    props: props({ queue: { maxMessageSizeBytes: 1_048_576 } }),
    message: "queue.maxMessageSizeBytes must be a whole number between 1,024 and 262,144 (got 1048576)",
  },
  {
    code: "receive-wait-range",
    title: "rejects a long-polling wait above 20 s",
    props: props({ queue: { receiveWaitTimeSeconds: 21 } }),
    message: "queue.receiveWaitTimeSeconds must be a whole number between 0 and 20 (got 21)",
  },
  {
    code: "delivery-delay-range",
    title: "rejects a delivery delay above 15 minutes",
    props: props({ queue: { deliveryDelaySeconds: 901 } }),
    message: "queue.deliveryDelaySeconds must be a whole number between 0 and 900 (got 901)",
  },
  {
    code: "kms-key-arn-invalid",
    title: "rejects a KMS alias where a key ARN is needed",
    props: props({ queue: { kmsKeyArn: "alias/orders" } }),
    message:
      'queue.kmsKeyArn must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id> (aliases cannot be scoped in IAM) (got "alias/orders")',
  },
  {
    code: "visibility-below-timeout",
    title: "rejects a visibility timeout shorter than the function timeout plus the batching window",
    props: props({
      handler: { ...BASE.handler, timeoutSeconds: 60 },
      queue: { visibilityTimeoutSeconds: 62 },
      eventSource: { maxBatchingWindowSeconds: 5 },
    }),
    message:
      "queue.visibilityTimeoutSeconds must be at least handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds = 65, or messages reappear while still being processed (got 62)",
  },
  {
    code: "dlq-retention-below-source",
    title: "rejects a dead-letter queue that keeps messages for less time than the work queue",
    props: props({ queue: { retentionSeconds: 1_209_600, deadLetterRetentionSeconds: 345_600 } }),
    message:
      "queue.deadLetterRetentionSeconds must be at least queue.retentionSeconds = 1,209,600: a message keeps its original enqueue time in the DLQ and would expire early (got 345,600)",
  },
  {
    code: "batch-size-range",
    title: "rejects a batch size above 10 on a FIFO queue",
    props: props({ queue: { fifo: true }, eventSource: { batchSize: 20 } }),
    message: "eventSource.batchSize must be a whole number between 1 and 10 for FIFO queues (got 20)",
  },
  {
    code: "batching-window-range",
    title: "rejects a batching window above 300 s",
    props: props({ eventSource: { maxBatchingWindowSeconds: 301 }, queue: { visibilityTimeoutSeconds: 900 } }),
    message: "eventSource.maxBatchingWindowSeconds must be a whole number between 0 and 300 (got 301)",
  },
  {
    code: "batching-window-required",
    title: "rejects a batch size above 10 without a batching window",
    props: props({ eventSource: { batchSize: 100, maxBatchingWindowSeconds: 0 } }),
    message:
      "eventSource.maxBatchingWindowSeconds must be at least 1 when eventSource.batchSize is above 10 (batchSize 100) (got 0)",
  },
  {
    code: "batching-window-fifo",
    title: "rejects a batching window on a FIFO queue",
    props: props({ queue: { fifo: true }, eventSource: { maxBatchingWindowSeconds: 5 } }),
    message: "eventSource.maxBatchingWindowSeconds is not supported on FIFO queues; remove it or set 0 (got 5)",
  },
  {
    code: "max-concurrency-range",
    title: "rejects a maximum concurrency of 1",
    props: props({ eventSource: { maxConcurrency: 1 } }),
    message: "eventSource.maxConcurrency must be a whole number between 2 and 1,000 (got 1)",
  },
  {
    code: "max-concurrency-above-reserved",
    title: "rejects a maximum concurrency above the reserved concurrency",
    props: props({ handler: { ...BASE.handler, reservedConcurrency: 10 }, eventSource: { maxConcurrency: 50 } }),
    message:
      "eventSource.maxConcurrency must not exceed handler.reservedConcurrency = 10: the extra pollers would only be throttled, and throttles use up receives (got 50)",
  },
  {
    code: "filter-pattern-count",
    title: "rejects more than 10 filter patterns",
    props: props({ eventSource: { filterPatterns: Array.from({ length: 11 }, (_, i) => ({ body: { n: [i] } })) } }),
    message: "eventSource.filterPatterns may hold at most 10 patterns (got 11)",
  },
  {
    code: "filter-pattern-invalid",
    title: "rejects a filter pattern on anything but the body",
    props: props({ eventSource: { filterPatterns: [{ attributes: { SenderId: ["x"] } }] } }),
    message:
      'eventSource.filterPatterns[0] may only filter on "body" for SQS (found "attributes") (got {"attributes":{"SenderId":["x"]}})',
  },
  {
    code: "alarm-topic-arn-invalid",
    title: "rejects an alarm topic that is not an SNS ARN",
    props: props({ alarms: { topicArn: "orders-alarms" } }),
    message:
      'alarms.topicArn must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic> (got "orders-alarms")',
  },
  {
    code: "alarm-setting-invalid",
    title: "rejects an alarm period CloudWatch does not support",
    props: props({ alarms: { queueDepth: { periodSeconds: 45 } } }),
    message: "alarms.queueDepth.periodSeconds must be 10, 30 or a multiple of 60 (got 45)",
  },
  {
    code: "tags-invalid",
    title: "rejects a tag key in the aws: namespace",
    props: props({ tags: { "aws:team": "orders" } }),
    message: 'tags.aws:team: a tag key must be 1-128 characters and must not start with "aws:" (got "aws:team")',
  },
  {
    code: "terraform-template-in-value",
    title: "rejects a Terraform template in a string that lands in the Terraform JSON",
    props: props({ handler: { ...BASE.handler, environment: { GREETING: '${upper("x")}' } } }),
    message:
      'handler.environment.GREETING: the value holds "${", which starts a template that Terraform would evaluate; only literal text is allowed (write "$${" for a literal "${" and "%%{" for a literal "%{") (got "${upper(\\"x\\")}")',
  },
  {
    code: "dead-letters-mode-invalid",
    title: "rejects a dead-letter mode other than retain or archive",
    props: props({ deadLetters: { mode: "s3" } }),
    message: 'deadLetters.mode must be "retain" (dead letters stay in the DLQ) or "archive" (drained to S3) (got "s3")',
  },
  {
    code: "archive-bucket-invalid",
    title: "rejects a caller's bucket whose ARN names another bucket",
    props: props({ deadLetters: { mode: "archive", bucket: { name: "dlq-archive", arn: "arn:aws:s3:::other" } } }),
    message:
      'deadLetters.bucket.arn must name the same bucket as deadLetters.bucket.name = "dlq-archive" (got "arn:aws:s3:::other", which names "other")',
  },
  {
    code: "archive-prefix-invalid",
    title: "rejects an archive prefix that does not end with a slash",
    props: props({ deadLetters: { mode: "archive", prefix: "dead-letters" } }),
    message:
      'deadLetters.prefix must be 1-200 characters of A-Z, a-z, 0-9, ! - _ . \' ( ) in "/"-separated segments (no "." or ".." segment, no "*"), ending with "/", like "dead-letters/" (got "dead-letters")',
  },
  {
    code: "archive-expiry-invalid",
    title: "rejects an archive expiry of zero days",
    props: props({ deadLetters: { mode: "archive", expireAfterDays: 0 } }),
    message: "deadLetters.expireAfterDays must be a whole number between 1 and 3,650 (got 0)",
  },
  {
    code: "archiver-invalid",
    title: "rejects an archiver timeout above Lambda's 900 seconds",
    props: props({ deadLetters: { mode: "archive", archiver: { timeoutSeconds: 901 } } }),
    message: "deadLetters.archiver.timeoutSeconds must be a whole number between 1 and 900 (got 901)",
  },
  {
    code: "archive-needs-alarm-topic",
    title: "rejects archive mode with alarms switched off, since the archiver alerts through their topic",
    props: props({ deadLetters: { mode: "archive" }, alarms: false }),
    message:
      'deadLetters.mode "archive" alerts through the alarm topic, which alarms: false removes; turn alarms on (or give alarms.topicArn) or use mode "retain" (got alarms: false)',
  },
];

interface WarningCase {
  readonly code: string;
  readonly title: string;
  readonly props: QueueProcessorProps;
  readonly message: string;
}

const WARNING_CASES: readonly WarningCase[] = [
  {
    code: "visibility-below-advice",
    title: "warns when the visibility timeout is below 6 x timeout + window",
    props: props({
      handler: { ...BASE.handler, timeoutSeconds: 50 },
      queue: { visibilityTimeoutSeconds: 300 },
      eventSource: { maxBatchingWindowSeconds: 5 },
    }),
    message:
      "queue.visibilityTimeoutSeconds is below AWS's advice of 6 x handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds = 305; throttled or retried batches may be received again while still in flight (got 300)",
  },
  {
    code: "max-receive-count-below-advice",
    title: "warns when maxReceiveCount is below 5",
    props: props({ queue: { maxReceiveCount: 3 } }),
    message:
      "queue.maxReceiveCount is below AWS's advice of 5 for Lambda consumers; throttled invocations count as receives and can move healthy messages to the DLQ (got 3)",
  },
  {
    code: "filter-deletes-unmatched",
    title: "warns that filtered-out records are deleted, not dead-lettered",
    props: props({ eventSource: { filterPatterns: [{ body: { type: ["order_created"] } }] } }),
    message:
      "eventSource.filterPatterns: records that match no pattern (including malformed JSON) are deleted by Lambda without reaching the function or the DLQ",
  },
  {
    code: "filter-patterns-above-default-quota",
    title: "warns when more than 5 filter patterns need a quota increase",
    props: props({ eventSource: { filterPatterns: Array.from({ length: 6 }, (_, i) => ({ body: { n: [i] } })) } }),
    message:
      "eventSource.filterPatterns holds more than the default quota of 5 patterns per mapping; the account needs a quota increase (got 6)",
  },
  {
    code: "filtered-out-alarm-without-filter",
    title: "warns that a tuned filtered-out alarm is not created without filter patterns",
    props: props({ alarms: { filteredOutEvents: { threshold: 5 } } }),
    message:
      "alarms.filteredOutEvents has no effect without eventSource.filterPatterns: nothing is filtered out, so the alarm is not created",
  },
  {
    code: "environment-secret-looking",
    title: "warns about a secret in an environment variable, without printing it",
    props: props({ handler: { ...BASE.handler, environment: { DB_PASSWORD: "hunter2hunter2" } } }),
    message:
      "handler.environment.DB_PASSWORD is named like a secret (a value of 14 characters): environment variables are plain text in the function's configuration, the Terraform plan and the state. Keep the secret in AWS Secrets Manager or SSM Parameter Store (SecureString), pass its name or ARN, and let the function read it",
  },
];

describe("checkQueueProcessorProps", () => {
  it("accepts the minimal props and reports no warnings", () => {
    const { config, warnings } = checkQueueProcessorProps(BASE);
    expect(warnings).toEqual([]);
    expect(config.queue.visibilityTimeoutSeconds).toBe(180);
  });

  describe.each(ERROR_CASES)("rule $code", ({ code, title, props: input, message }) => {
    it(title, () => {
      const error = errorOf(input);
      expect(error.issues.find((issue) => issue.code === code)?.message).toBe(message);
      expect(error.message).toContain(`[${code}] ${message}`);
    });
  });

  describe.each(WARNING_CASES)("advice $code", ({ code, title, props: input, message }) => {
    it(title, () => {
      expect(warningsOf(input).find((warning) => warning.code === code)?.message).toBe(message);
    });
  });

  it("has a case above for every rule in the rule table", () => {
    const tested = new Set([...ERROR_CASES, ...WARNING_CASES].map((c) => c.code));
    expect(RULES.map((rule) => rule.code).filter((code) => !tested.has(code))).toEqual([]);
  });

  it("reports every broken rule at once, each naming the property and the value", () => {
    const error = errorOf(
      props({ handler: { ...BASE.handler, timeoutSeconds: 0 }, eventSource: { batchSize: 0, maxConcurrency: 5000 } }),
    );
    expect(error.codes).toEqual(["timeout-range", "batch-size-range", "max-concurrency-range"]);
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "handler.timeoutSeconds",
      "eventSource.batchSize",
      "eventSource.maxConcurrency",
    ]);
    expect(error.message).toMatch(/^Invalid QueueProcessor "orders":\n/);
  });

  it("allows a batch of up to 10,000 on a standard queue with a window", () => {
    expect(() =>
      checkQueueProcessorProps(props({ eventSource: { batchSize: 10_000, maxBatchingWindowSeconds: 10 } })),
    ).not.toThrow();
    expect(
      errorOf(props({ eventSource: { batchSize: 10_001, maxBatchingWindowSeconds: 10 } })).issues[0]!.message,
    ).toBe("eventSource.batchSize must be a whole number between 1 and 10,000 for standard queues (got 10001)");
  });

  it("gives a batch above 10 a 1 s window by default instead of failing", () => {
    const { config } = checkQueueProcessorProps(props({ eventSource: { batchSize: 100 } }));
    expect(config.eventSource.maxBatchingWindowSeconds).toBe(1);
  });

  it("rejects a filter pattern longer than 4,096 characters", () => {
    const error = errorOf(props({ eventSource: { filterPatterns: [{ body: { id: ["x".repeat(4100)] } }] } }));
    expect(error.issues[0]!.message).toBe(
      "eventSource.filterPatterns[0] must be at most 4,096 characters as JSON (got 4,120)",
    );
  });

  it("rejects an empty body pattern", () => {
    expect(errorOf(props({ eventSource: { filterPatterns: [{ body: {} }] } })).issues[0]!.message).toBe(
      "eventSource.filterPatterns[0].body must be a non-empty object of field patterns (got {})",
    );
  });

  it("rejects an alarm evaluated over more than a day", () => {
    expect(
      errorOf(props({ alarms: { functionErrors: { periodSeconds: 3600, evaluationPeriods: 25 } } })).issues[0]!.message,
    ).toBe(
      "alarms.functionErrors.evaluationPeriods x periodSeconds must be at most 86,400 seconds (got 25 x 3600 = 90,000)",
    );
  });

  it("rejects a negative alarm threshold", () => {
    expect(errorOf(props({ alarms: { oldestMessageAge: { threshold: -1 } } })).issues[0]!.message).toBe(
      "alarms.oldestMessageAge.threshold must be a number, 0 or more (got -1)",
    );
  });

  it("rejects an environment variable the construct sets itself", () => {
    expect(errorOf(props({ handler: { ...BASE.handler, environment: { QUEUE_URL: "x" } } })).issues[0]!.message).toBe(
      'handler.environment.QUEUE_URL: QUEUE_URL is set by QueueProcessor itself (QUEUE_URL, DLQ_URL, NODE_OPTIONS) (got "QUEUE_URL")',
    );
  });

  it("rejects a name so long that the derived role name would pass IAM's 64 characters", () => {
    expect(() => checkQueueProcessorProps(props({ name: "a".repeat(49) }))).not.toThrow();
    expect(errorOf(props({ name: "a".repeat(50) })).codes).toEqual(["name-invalid"]);
  });

  it("rejects a misspelled key inside an alarm's tuning", () => {
    expect(errorOf(props({ alarms: { queueDepth: { treshold: 5 } } })).issues[0]!.message).toBe(
      "alarms.queueDepth.treshold is not a known property (allowed: threshold, periodSeconds, evaluationPeriods); did you mean alarms.queueDepth.threshold?",
    );
  });

  it("rejects a non-integer where a whole number is needed, echoing the value as typed", () => {
    expect(errorOf(props({ eventSource: { batchSize: "10" } })).issues[0]!.message).toBe(
      'eventSource.batchSize must be a whole number between 1 and 10,000 for standard queues (got "10")',
    );
  });
});
