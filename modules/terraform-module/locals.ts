import { SQS, SQS_EVENT_SOURCE } from "@queue-processor/runtime/aws-limits";
import { ALARM_KINDS, type AlarmKind, resolveConfig } from "../queue-processor/resolve.js";
import { constructDefaults } from "./defaults.js";
import { hclString } from "./hcl.js";
import { alarmVariableName } from "./variables-alarms.js";

const defaults = constructDefaults();
const BATCH = SQS_EVENT_SOURCE.batchSize;
const WINDOW = SQS_EVENT_SOURCE.maxBatchingWindowSeconds;
const FACTOR = SQS_EVENT_SOURCE.advisedVisibilityFactor;

/** The queue depth alarm's threshold without maxConcurrency, as the construct resolves it. */
function queueDepthDefaultWithoutConcurrency(): number {
  const config = resolveConfig({ name: "defaults", handler: { entry: "handler.ts" } });
  if (config.alarms === false || config.alarms.byKind.queueDepth === false)
    throw new Error("unexpected default alarms");
  return config.alarms.byKind.queueDepth.threshold;
}

/** A default threshold: the construct's formula where it derives one (resolve.ts), else its constant. */
function defaultThreshold(kind: AlarmKind): string {
  if (kind === "queueDepth") {
    return `var.max_concurrency == null ? ${queueDepthDefaultWithoutConcurrency()} : 2 * var.batch_size * var.max_concurrency`;
  }
  if (kind === "oldestMessageAge") {
    return "min(var.max_receive_count * local.visibility_timeout_seconds, floor(var.retention_seconds / 2))";
  }
  const alarm = defaults.alarms.byKind[kind];
  if (alarm === false) throw new Error(`no default for ${kind}`);
  return String(alarm.threshold);
}

function alarmLocal(kind: AlarmKind): Record<string, string> {
  const variable = `var.${alarmVariableName(kind)}`;
  const alarm = defaults.alarms.byKind[kind];
  if (alarm === false) throw new Error(`no default for ${kind}`);
  // Without a filter nothing is filtered out, and Lambda publishes no FilteredOutEventCount.
  const extra = kind === "filteredOutEvents" ? " && length(var.filter_patterns) > 0" : "";
  return {
    enabled: `\${var.alarms_enabled && ${variable}.enabled${extra}}`,
    threshold: `\${coalesce(${variable}.threshold, ${defaultThreshold(kind)})}`,
    period_seconds: `\${coalesce(${variable}.period_seconds, ${alarm.periodSeconds})}`,
    evaluation_periods: `\${coalesce(${variable}.evaluation_periods, ${alarm.evaluationPeriods})}`,
  };
}

/**
 * The values the construct derives from several props (resolve.ts), and the switches of the optional
 * parts. `topicRef` and `bucketRef` are the module's own addresses of the topic and bucket it may create.
 */
export function moduleLocals(topicRef: string, bucketRef: string): Record<string, unknown> {
  return {
    fifo_suffix: `\${var.fifo ? ${hclString(SQS.queueName.fifoSuffix)} : ""}`,
    max_batching_window_seconds: `\${var.max_batching_window_seconds != null ? var.max_batching_window_seconds : (!var.fifo && var.batch_size > ${BATCH.withoutWindowMax} ? ${WINDOW.minForLargerBatches} : ${WINDOW.default})}`,
    visibility_timeout_seconds: `\${var.visibility_timeout_seconds != null ? var.visibility_timeout_seconds : min(${SQS.visibilityTimeoutSeconds.max}, ${FACTOR} * var.timeout_seconds + local.max_batching_window_seconds)}`,
    dead_letter_visibility_timeout_seconds: `\${min(${SQS.visibilityTimeoutSeconds.max}, ${FACTOR} * var.archiver_timeout_seconds)}`,
    content_based_deduplication: `\${coalesce(var.content_based_deduplication, ${defaults.queue.contentBasedDeduplication})}`,
    high_throughput_fifo: `\${coalesce(var.high_throughput_fifo, ${defaults.queue.highThroughputFifo})}`,
    archive: '${var.dead_letters_mode == "archive"}',
    create_archive_bucket: "${local.archive && var.archive_bucket == null}",
    archive_expire_after_days: `\${coalesce(var.archive_expire_after_days, ${defaults.deadLetters.expireAfterDays})}`,
    archive_bucket_name: `\${var.archive_bucket != null ? var.archive_bucket.name : one(${bucketRef}[*].bucket)}`,
    archive_bucket_arn: `\${var.archive_bucket != null ? var.archive_bucket.arn : one(${bucketRef}[*].arn)}`,
    // resolve.ts's archiveBucketPrefix: lowercase, "_" as "-", no repeated or leading "-", cut to fit 37 characters.
    archive_bucket_base:
      '${replace(substr(replace(replace(replace(lower(var.name), "_", "-"), "/-{2,}/", "-"), "/^-+/", ""), 0, 23), "/-+$/", "")}',
    archive_bucket_prefix:
      '${local.archive_bucket_base == "" ? "dead-letters-" : "${local.archive_bucket_base}-dead-letters-"}',
    create_alarm_topic: "${var.alarms_enabled && var.alarm_topic_arn == null}",
    alarm_topic_arn: `\${!var.alarms_enabled ? null : var.alarm_topic_arn != null ? var.alarm_topic_arn : one(${topicRef}[*].arn)}`,
    alarms: Object.fromEntries(ALARM_KINDS.map((kind) => [kind, alarmLocal(kind)])),
  };
}
