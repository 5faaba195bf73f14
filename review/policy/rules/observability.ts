/** Rules on what makes trouble visible: an alarm on every dead-letter queue, and logs that expire. */
import { CLOUDWATCH } from "../../../functions/aws-limits.js";
import { constantOf } from "../expressions.js";
import type { PlanGraph, ResourceNode } from "../plan-graph.js";
import { QUEUE } from "../resource-kinds.js";
import { unset } from "../resource-values.js";
import type { Rule } from "../rule.js";

const DEPTH_METRIC = "ApproximateNumberOfMessagesVisible";

export const dlqAlarmMissing: Rule = {
  id: "dlq-alarm-missing",
  severity: "advisory",
  reason: "Messages in a dead-letter queue go unnoticed without an alarm on its ApproximateNumberOfMessagesVisible.",
  check: ({ graph, redrives }) => {
    const deadLetterQueues = new Map<ResourceNode, ResourceNode[]>();
    for (const redrive of redrives) {
      for (const target of redrive.targets)
        deadLetterQueues.set(target, [...(deadLetterQueues.get(target) ?? []), ...redrive.sources]);
    }
    const alarms = graph.live("aws_cloudwatch_metric_alarm");
    // An alarm on the metric whose queue the plan cannot tell might be any DLQ's: no finding then.
    if (
      alarms.some((alarm) => graph.valueOf(alarm, "metric_name") === DEPTH_METRIC && unresolvedDimension(graph, alarm))
    )
      return [];
    return [...deadLetterQueues]
      .filter(([queue]) => !alarms.some((alarm) => watchesDepth(graph, alarm, queue)))
      .map(([queue, sources]) => {
        const of = [...new Set(sources.map((source) => source.address))].join(", ");
        return {
          address: queue.address,
          message:
            `${queue.address} is the dead-letter queue${of ? ` of ${of}` : ""} but no aws_cloudwatch_metric_alarm watches its ApproximateNumberOfMessagesVisible; ` +
            `expected an alarm with dimension QueueName = its name`,
        };
      });
  },
};

export const logRetentionUnset: Rule = {
  id: "log-retention-unset",
  severity: "advisory",
  reason: "A log group without retention keeps (and bills) logs forever.",
  check: ({ graph }) =>
    graph.live("aws_cloudwatch_log_group").flatMap((group) => {
      const retention = graph.valueOf(group, "retention_in_days");
      if (retention !== null && retention !== CLOUDWATCH.logRetentionNeverExpires) return [];
      return [
        {
          address: group.address,
          message:
            `${group.address} retention_in_days is ${retention === null || unset(group, "retention_in_days") ? "unset" : "0"} (logs never expire); ` +
            `expected a retention in days, e.g. 30`,
        },
      ];
    }),
};

function unresolvedDimension(graph: PlanGraph, alarm: ResourceNode): boolean {
  const known = graph.valueAt(alarm, ["dimensions", "QueueName"]);
  return (
    known === undefined &&
    graph.resolve(alarm.modulePath, alarm.expressions?.dimensions).length === 0 &&
    graph.isSet(alarm, "dimensions")
  );
}

/** Whether an alarm's metric (or one of its metric queries) is the queue's visible-message count. */
function watchesDepth(graph: PlanGraph, alarm: ResourceNode, queue: ResourceNode): boolean {
  const name = graph.valueOf(queue, "name");
  const refersToQueue = (expression: unknown) =>
    graph.referenced(alarm.modulePath, expression, [QUEUE]).includes(queue);
  const keyed = (expression: unknown) => {
    const constant = (expression as { constant_value?: unknown } | undefined)?.constant_value;
    return constant === undefined || (typeof constant === "object" && constant !== null && "QueueName" in constant);
  };
  // The metric itself.
  if (graph.valueOf(alarm, "metric_name") === DEPTH_METRIC) {
    const known = graph.valueAt(alarm, ["dimensions", "QueueName"]);
    if (typeof known === "string" && known === name) return true;
    const expression = alarm.expressions?.dimensions;
    if (known === undefined && refersToQueue(expression) && keyed(expression)) return true;
  }
  // Metric math: metric_query blocks with a metric.
  const queries = graph.valueAt(alarm, ["metric_query"]);
  if (Array.isArray(queries)) {
    for (let i = 0; i < queries.length; i++) {
      const metric = graph.valueAt(alarm, ["metric_query", i, "metric", 0]) as Record<string, unknown> | undefined;
      if (metric?.metric_name !== DEPTH_METRIC) continue;
      const known = (metric.dimensions as Record<string, unknown> | null | undefined)?.QueueName;
      if (typeof known === "string" && known === name) return true;
    }
  }
  const configured = Array.isArray(alarm.expressions?.metric_query)
    ? (alarm.expressions.metric_query as Record<string, unknown>[])
    : [];
  for (const query of configured) {
    for (const metric of Array.isArray(query.metric) ? (query.metric as Record<string, unknown>[]) : []) {
      if (
        constantOf(metric.metric_name) === DEPTH_METRIC &&
        refersToQueue(metric.dimensions) &&
        keyed(metric.dimensions)
      )
        return true;
    }
  }
  return false;
}
