import type { QueueProcessorProps } from "../queue-processor/props.js";
import { ALARM_KINDS, type AlarmKind } from "../queue-processor/resolve.js";

/**
 * The construct is synthesized once with these props, every value distinctive and valid, and each one
 * is then found in the JSON and replaced by the Terraform expression that stands for it. They turn every
 * optional part on (archive mode, a customer-managed key, reserved concurrency, a concurrency cap, a
 * filter, every alarm, one extra IAM statement), so that `structure.ts` only has to switch parts off.
 */
const SENTINEL_NAME = "qpsentinel";
export const SENTINEL_ENVIRONMENT_KEY = "QP_SENTINEL_ENVIRONMENT";
export const SENTINEL_TAGS = { qp_sentinel_tag: "qp-sentinel-tag" } as const;
const SENTINEL_FILTER = { body: { qp_sentinel_filter: ["qp-sentinel"] } } as const;
export const SENTINEL_STATEMENT_SID = "QpSentinelStatement";
export const SENTINEL_STATEMENT_ACTION = "qpsentinelservice:QpSentinelAction";
export const SENTINEL_STATEMENT_RESOURCE = "arn:aws:qpsentinelservice:us-east-1:111122223333:qp-sentinel-resource";

const ARCHIVER_TIMEOUT = 61;

/** Alarm sentinels: a threshold, a period (a multiple of 60) and evaluation periods per kind, all distinct. */
const ALARM_SENTINELS: Record<AlarmKind, { threshold: number; periodSeconds: number; evaluationPeriods: number }> =
  Object.fromEntries(
    ALARM_KINDS.map((kind, index) => [
      kind,
      { threshold: 5101 + index, periodSeconds: 1260 + 60 * index, evaluationPeriods: 21 + index },
    ]),
  ) as Record<AlarmKind, { threshold: number; periodSeconds: number; evaluationPeriods: number }>;

/** A number in the JSON and the expression that replaces it. */
export interface NumberSentinel {
  readonly value: number;
  readonly expression: string;
}

/** A string in the JSON (whole or part of a longer one) and the expression that replaces it. */
export interface StringSentinel {
  readonly value: string;
  readonly expression: string;
}

/** The local that holds one alarm's resolved settings (see locals.ts). */
const alarmLocal = (kind: AlarmKind): string => `local.alarms.${kind}`;

export const NUMBER_SENTINELS: readonly NumberSentinel[] = [
  { value: 47, expression: "var.timeout_seconds" },
  { value: 1999, expression: "var.memory_size_mb" },
  { value: 888, expression: "var.reserved_concurrency" },
  { value: 545, expression: "var.log_retention_days" },
  { value: 4444, expression: "local.visibility_timeout_seconds" },
  { value: 654_321, expression: "var.retention_seconds" },
  { value: 765_432, expression: "var.dead_letter_retention_seconds" },
  { value: 987, expression: "var.max_receive_count" },
  { value: 200_001, expression: "var.max_message_size_bytes" },
  { value: 19, expression: "var.receive_wait_time_seconds" },
  { value: 899, expression: "var.delivery_delay_seconds" },
  { value: 1717, expression: "var.batch_size" },
  { value: 13, expression: "local.max_batching_window_seconds" },
  { value: 777, expression: "var.max_concurrency" },
  { value: 3333, expression: "local.archive_expire_after_days" },
  { value: ARCHIVER_TIMEOUT, expression: "var.archiver_timeout_seconds" },
  { value: 2345, expression: "var.archiver_memory_size_mb" },
  { value: 2192, expression: "var.archiver_log_retention_days" },
  // The DLQ's visibility timeout in archive mode: the construct derives it from the archiver's timeout.
  { value: 6 * ARCHIVER_TIMEOUT, expression: "local.dead_letter_visibility_timeout_seconds" },
  ...ALARM_KINDS.flatMap((kind) => [
    { value: ALARM_SENTINELS[kind].threshold, expression: `${alarmLocal(kind)}.threshold` },
    { value: ALARM_SENTINELS[kind].periodSeconds, expression: `${alarmLocal(kind)}.period_seconds` },
    { value: ALARM_SENTINELS[kind].evaluationPeriods, expression: `${alarmLocal(kind)}.evaluation_periods` },
  ]),
];

/** Checked in this order: a whole-string match first, then parts of strings. */
export const STRING_SENTINELS: readonly StringSentinel[] = [
  { value: "qpsentinel-dead-letters-", expression: "local.archive_bucket_prefix" },
  { value: "arn:aws:kms:us-east-1:111122223333:key/qpkms", expression: "var.kms_key_arn" },
  { value: "qp-sentinel-prefix/", expression: "var.archive_prefix" },
  { value: "x86_64", expression: "var.architecture" },
  { value: SENTINEL_NAME, expression: "var.name" },
];

/** Attributes whose strings carry numbers of the props (descriptions, JSON policies): replaced inside the text. */
export const NUMBERS_IN_TEXT_ATTRIBUTES: readonly string[] = ["alarm_description", "redrive_policy"];

/** The props of the sentinel synth; `archive` false gives the retain-mode variant. */
export function sentinelProps(entry: string, archive: boolean): QueueProcessorProps {
  const alarms = Object.fromEntries(ALARM_KINDS.map((kind) => [kind, ALARM_SENTINELS[kind]]));
  return {
    name: SENTINEL_NAME,
    handler: {
      entry,
      timeoutSeconds: 47,
      memorySizeMb: 1999,
      environment: { [SENTINEL_ENVIRONMENT_KEY]: "qp-sentinel-environment" },
      reservedConcurrency: 888,
      architecture: "x86_64",
      logRetentionDays: 545,
    },
    queue: {
      visibilityTimeoutSeconds: 4444,
      retentionSeconds: 654_321,
      deadLetterRetentionSeconds: 765_432,
      maxReceiveCount: 987,
      kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/qpkms",
      maxMessageSizeBytes: 200_001,
      receiveWaitTimeSeconds: 19,
      deliveryDelaySeconds: 899,
    },
    eventSource: {
      batchSize: 1717,
      maxBatchingWindowSeconds: 13,
      maxConcurrency: 777,
      filterPatterns: [SENTINEL_FILTER],
    },
    alarms,
    deadLetters: archive
      ? {
          mode: "archive",
          prefix: "qp-sentinel-prefix/",
          expireAfterDays: 3333,
          archiver: { timeoutSeconds: ARCHIVER_TIMEOUT, memorySizeMb: 2345, logRetentionDays: 2192 },
        }
      : { mode: "retain" },
    tags: SENTINEL_TAGS,
  };
}
