import { ALARM_KINDS } from "../queue-processor/resolve.js";
import { hclString, interpolate } from "./hcl.js";
import { SENTINEL_ENVIRONMENT_KEY, SENTINEL_STATEMENT_SID } from "./sentinels.js";

type Body = Record<string, unknown>;

/** The relative path of the retain-mode DLQ alarm, taken from the retain-mode synth. */
export const RETAINED_DLQ_ALARM = "alarms/deadLetterQueueNotEmpty#retained";

/** When a part exists: the `count` condition of a resource or data source, by its path in the construct. */
export function conditionOf(path: string): string | undefined {
  if (path.startsWith("dead-letter-archive/bucket")) return "local.create_archive_bucket";
  if (path.startsWith("dead-letter-archive/")) return "local.archive";
  if (path.startsWith("queues/unarchived") || path === "queues/dead-letter-redrive") return "local.archive";
  if (path === "alarms/topic") return "local.create_alarm_topic";
  if (path === RETAINED_DLQ_ALARM) return "local.alarms.deadLetterQueueNotEmpty.enabled && !local.archive";
  const kind = ALARM_KINDS.find((candidate) => path === `alarms/${candidate}`);
  if (kind === "deadLetterQueueNotEmpty") return `local.alarms.${kind}.enabled && local.archive`;
  if (kind) return `local.alarms.${kind}.enabled`;
  return undefined;
}

/** A value that is one `${expression}` as the bare expression; anything else as an HCL string. */
const asExpression = (value: unknown): string => {
  const text = String(value);
  const expression = /^\$\{([^{}]*)\}$/.exec(text)?.[1];
  return expression ?? hclString(text);
};

/** Turns the statement with `sid` into a dynamic block over `forEach`, its content from `content`. */
function dynamicStatement(body: Body, sid: string, forEach: string, content?: Body): void {
  const statements = body.statement as Body[];
  const index = statements.findIndex((statement) => statement.sid === sid);
  if (index < 0) throw new Error(`statement ${sid} not found in the synthesized policy`);
  const [statement] = statements.splice(index, 1);
  body.dynamic ??= { statement: [] };
  (body.dynamic as { statement: Body[] }).statement.push({
    for_each: interpolate(forEach),
    content: content ?? statement,
  });
}

const QUEUE_KEY_STATEMENT = "UseQueueKey";
const noKey = "var.kms_key_arn == null";

/**
 * Rewrites the attributes that a prop switches on or off (FIFO, the key, the concurrency cap, the
 * filter, the statements) into conditional expressions and dynamic blocks. `body` is the synthesized
 * block of the sentinel synth, where every such part is on.
 */
export function applyStructure(path: string, type: string, body: Body): void {
  if (type === "aws_sqs_queue") {
    body.name = `${String(body.name)}\${local.fifo_suffix}`;
    body.fifo_queue = "${var.fifo ? true : null}";
    body.kms_data_key_reuse_period_seconds = interpolate(`${noKey} ? null : ${body.kms_data_key_reuse_period_seconds}`);
    body.sqs_managed_sse_enabled = interpolate(`${noKey} ? true : null`);
  }
  if (path === "queues/queue") {
    body.content_based_deduplication = "${var.fifo ? local.content_based_deduplication : null}";
    body.deduplication_scope = '${var.fifo ? (local.high_throughput_fifo ? "messageGroup" : "queue") : null}';
    body.fifo_throughput_limit = '${var.fifo ? (local.high_throughput_fifo ? "perMessageGroupId" : "perQueue") : null}';
  }
  if (path === "queues/dead-letter-queue") {
    body.visibility_timeout_seconds = "${local.archive ? local.dead_letter_visibility_timeout_seconds : null}";
  }
  if (path === "event-source") mappingStructure(body);
  if (path === "processor/function") {
    const variables = { ...(body.environment as { variables: Body }).variables };
    delete variables[SENTINEL_ENVIRONMENT_KEY];
    const own = Object.entries(variables).map(([key, value]) => `${key} = ${asExpression(value)}`);
    body.environment = { variables: interpolate(`merge(var.environment, { ${own.join(", ")} })`) };
    body.filename = "${var.handler_zip_path}";
    body.source_code_hash = "${filebase64sha256(var.handler_zip_path)}";
  }
  if (path === "dead-letter-archive/archiver/function") {
    body.filename = "${path.module}/archiver.zip";
    body.source_code_hash = '${filebase64sha256("${path.module}/archiver.zip")}';
  }
  if (path === "execution-role/permissions") {
    dynamicStatement(body, QUEUE_KEY_STATEMENT, `${noKey} ? [] : [1]`);
    dynamicStatement(body, SENTINEL_STATEMENT_SID, "var.extra_policy_statements", {
      sid: "${statement.value.sid}",
      effect: "Allow",
      actions: "${statement.value.actions}",
      resources: "${statement.value.resources}",
    });
  }
  if (path === "dead-letter-archive/execution-role/permissions") {
    dynamicStatement(body, QUEUE_KEY_STATEMENT, `${noKey} ? [] : [1]`);
  }
  if (path === "dead-letter-archive/bucket-encryption") {
    for (const rule of body.rule as Body[]) {
      const byDefault = rule.apply_server_side_encryption_by_default as Body;
      byDefault.sse_algorithm = interpolate(`${noKey} ? "AES256" : ${hclString(String(byDefault.sse_algorithm))}`);
      rule.bucket_key_enabled = interpolate(`${noKey} ? null : ${rule.bucket_key_enabled}`);
    }
  }
}

/** The mapping: no batching window on FIFO, and the cap, the filter and its metrics only when set. */
function mappingStructure(body: Body): void {
  body.maximum_batching_window_in_seconds = "${var.fifo ? null : local.max_batching_window_seconds}";
  const metrics = body.metrics_config;
  delete body.scaling_config;
  delete body.filter_criteria;
  delete body.metrics_config;
  body.dynamic = {
    scaling_config: {
      for_each: "${var.max_concurrency == null ? [] : [var.max_concurrency]}",
      content: { maximum_concurrency: "${scaling_config.value}" },
    },
    filter_criteria: {
      for_each: "${length(var.filter_patterns) == 0 ? [] : [1]}",
      content: {
        dynamic: { filter: { for_each: "${var.filter_patterns}", content: { pattern: "${filter.value}" } } },
      },
    },
    // A filter deletes what it does not match; EventCount metrics let the filteredOutEvents alarm see it.
    metrics_config: { for_each: "${length(var.filter_patterns) == 0 ? [] : [1]}", content: metrics },
  };
}
