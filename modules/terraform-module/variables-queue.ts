import { ARNS, SQS } from "@queue-processor/runtime/aws-limits";
import { constructDefaults } from "./defaults.js";
import { hclRegex } from "./hcl.js";
import { got, type ModuleVariable, rule, wholeNumber } from "./variable.js";

const defaults = constructDefaults();

/** The work queue and its dead-letter queue (`queue.*`). */
export const QUEUE_VARIABLES: readonly ModuleVariable[] = [
  { name: "fifo", type: "bool", default: defaults.queue.fifo, prop: "QueueProps.fifo" },
  {
    name: "visibility_timeout_seconds",
    type: "number",
    default: null,
    prop: "QueueProps.visibilityTimeoutSeconds",
    note: "null: the construct's default.",
    validation: [
      wholeNumber("visibility_timeout_seconds", SQS.visibilityTimeoutSeconds),
      rule(
        "var.visibility_timeout_seconds == null ? true : var.visibility_timeout_seconds >= var.timeout_seconds + local.max_batching_window_seconds",
        "visibility_timeout_seconds must be at least timeout_seconds + max_batching_window_seconds = " +
          "${var.timeout_seconds + local.max_batching_window_seconds}, or messages reappear while still being " +
          `processed ${got("visibility_timeout_seconds")}.`,
      ),
    ],
  },
  {
    name: "retention_seconds",
    type: "number",
    default: defaults.queue.retentionSeconds,
    prop: "QueueProps.retentionSeconds",
    validation: [wholeNumber("retention_seconds", SQS.retentionSeconds)],
  },
  {
    name: "dead_letter_retention_seconds",
    type: "number",
    default: defaults.queue.deadLetterRetentionSeconds,
    prop: "QueueProps.deadLetterRetentionSeconds",
    validation: [
      wholeNumber("dead_letter_retention_seconds", SQS.retentionSeconds),
      rule(
        "var.dead_letter_retention_seconds >= var.retention_seconds",
        "dead_letter_retention_seconds must be at least retention_seconds = ${var.retention_seconds}: a message " +
          `keeps its original enqueue time in the DLQ and would expire early ${got("dead_letter_retention_seconds")}.`,
      ),
    ],
  },
  {
    name: "max_receive_count",
    type: "number",
    default: defaults.queue.maxReceiveCount,
    prop: "QueueProps.maxReceiveCount",
    validation: [wholeNumber("max_receive_count", SQS.maxReceiveCount)],
  },
  {
    name: "kms_key_arn",
    type: "string",
    default: null,
    prop: "QueueProps.kmsKeyArn",
    validation: [
      rule(
        `var.kms_key_arn == null ? true : can(regex(${hclRegex(ARNS.kmsKey)}, var.kms_key_arn))`,
        "kms_key_arn must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id> (aliases cannot be " +
          `scoped in IAM) ${got("kms_key_arn")}.`,
      ),
    ],
  },
  {
    name: "max_message_size_bytes",
    type: "number",
    default: defaults.queue.maxMessageSizeBytes,
    prop: "QueueProps.maxMessageSizeBytes",
    validation: [
      wholeNumber("max_message_size_bytes", {
        min: SQS.maxMessageSizeBytes.min,
        max: SQS.maxMessageSizeBytes.terraformProviderMax,
      }),
    ],
  },
  {
    name: "receive_wait_time_seconds",
    type: "number",
    default: defaults.queue.receiveWaitTimeSeconds,
    prop: "QueueProps.receiveWaitTimeSeconds",
    validation: [wholeNumber("receive_wait_time_seconds", SQS.receiveWaitTimeSeconds)],
  },
  {
    name: "delivery_delay_seconds",
    type: "number",
    default: defaults.queue.deliveryDelaySeconds,
    prop: "QueueProps.deliveryDelaySeconds",
    validation: [wholeNumber("delivery_delay_seconds", SQS.deliveryDelaySeconds)],
  },
  ...(["content_based_deduplication", "high_throughput_fifo"] as const).map(
    (name): ModuleVariable => ({
      name,
      type: "bool",
      default: null,
      prop:
        name === "content_based_deduplication"
          ? "QueueProps.contentBasedDeduplication"
          : "QueueProps.highThroughputFifo",
      note: "null: the construct's default.",
      validation: [
        rule(
          `var.fifo || var.${name} == null`,
          `${name} applies only to FIFO queues; set fifo to true or leave it null ${got(name)}.`,
        ),
      ],
    }),
  ),
];
