import { ARNS, SQS } from "@queue-processor/runtime/aws-limits";
import { booleanRule, got, isInteger, issueUnless, number, type Rule, rangeRule } from "./rule.js";

/** `queue`: the work queue and its dead-letter queue. */
export const QUEUE_RULES: readonly Rule[] = [
  booleanRule("fifo-invalid", "queue.fifo", (p) => p.queue?.fifo),
  booleanRule(
    "content-based-deduplication-invalid",
    "queue.contentBasedDeduplication",
    (p) => p.queue?.contentBasedDeduplication,
  ),
  booleanRule("high-throughput-fifo-invalid", "queue.highThroughputFifo", (p) => p.queue?.highThroughputFifo),
  {
    code: "fifo-only-option",
    level: "error",
    check: (props, config) =>
      config.queue.fifo
        ? []
        : (["contentBasedDeduplication", "highThroughputFifo"] as const)
            .filter((key) => props.queue?.[key] !== undefined)
            .map((key) => ({
              path: `queue.${key}`,
              message: `queue.${key} applies only to FIFO queues; set queue.fifo to true or remove it ${got(props.queue?.[key])}`,
            })),
  },
  rangeRule(
    "visibility-timeout-range",
    "queue.visibilityTimeoutSeconds",
    // A derived value that is no number comes from settings that their own rules report.
    (c) =>
      c.queue.visibilityTimeoutIsDerived && Number.isNaN(c.queue.visibilityTimeoutSeconds)
        ? undefined
        : c.queue.visibilityTimeoutSeconds,
    SQS.visibilityTimeoutSeconds,
  ),
  rangeRule("retention-range", "queue.retentionSeconds", (c) => c.queue.retentionSeconds, SQS.retentionSeconds),
  rangeRule(
    "dlq-retention-range",
    "queue.deadLetterRetentionSeconds",
    (c) => c.queue.deadLetterRetentionSeconds,
    SQS.retentionSeconds,
  ),
  rangeRule("max-receive-count-range", "queue.maxReceiveCount", (c) => c.queue.maxReceiveCount, SQS.maxReceiveCount),
  rangeRule("max-message-size-range", "queue.maxMessageSizeBytes", (c) => c.queue.maxMessageSizeBytes, {
    min: SQS.maxMessageSizeBytes.min,
    max: SQS.maxMessageSizeBytes.terraformProviderMax,
  }),
  rangeRule(
    "receive-wait-range",
    "queue.receiveWaitTimeSeconds",
    (c) => c.queue.receiveWaitTimeSeconds,
    SQS.receiveWaitTimeSeconds,
  ),
  rangeRule(
    "delivery-delay-range",
    "queue.deliveryDelaySeconds",
    (c) => c.queue.deliveryDelaySeconds,
    SQS.deliveryDelaySeconds,
  ),
  {
    code: "kms-key-arn-invalid",
    level: "error",
    check: (_props, config) => {
      const arn: unknown = config.queue.kmsKeyArn;
      return issueUnless(
        arn === undefined || (typeof arn === "string" && ARNS.kmsKey.test(arn)),
        "queue.kmsKeyArn",
        `queue.kmsKeyArn must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id> (aliases cannot be scoped in IAM) ${got(arn)}`,
      );
    },
  },
  {
    code: "dlq-retention-below-source",
    level: "error",
    check: (_props, { queue }) => {
      const { retentionSeconds, deadLetterRetentionSeconds } = queue;
      if (!isInteger(deadLetterRetentionSeconds) || !isInteger(retentionSeconds)) return [];
      return issueUnless(
        deadLetterRetentionSeconds >= retentionSeconds,
        "queue.deadLetterRetentionSeconds",
        `queue.deadLetterRetentionSeconds must be at least queue.retentionSeconds = ` +
          `${number(retentionSeconds)}: a message keeps its original enqueue time in the DLQ ` +
          `and would expire early (got ${number(deadLetterRetentionSeconds)})`,
      );
    },
  },
  {
    code: "max-receive-count-below-advice",
    level: "warning",
    check: (_props, { queue }) =>
      issueUnless(
        !isInteger(queue.maxReceiveCount) || queue.maxReceiveCount >= SQS.maxReceiveCount.advisedMin,
        "queue.maxReceiveCount",
        `queue.maxReceiveCount is below AWS's advice of ${SQS.maxReceiveCount.advisedMin} for Lambda ` +
          `consumers; throttled invocations count as receives and can move healthy messages to the DLQ ` +
          got(queue.maxReceiveCount),
      ),
  },
];
