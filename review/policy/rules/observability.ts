/** Rules on what makes trouble visible: an alarm on every dead-letter queue, and logs that expire. */
import { CLOUDWATCH } from "../../../functions/runtime/aws-limits.js";
import { constantOf } from "../expressions.js";
import type { PlanGraph, ResourceNode } from "../plan-graph.js";
import { QUEUE } from "../resource-kinds.js";
import { listOf, unset } from "../resource-values.js";
import type { Rule } from "../rule.js";

const DEPTH_METRIC = "ApproximateNumberOfMessagesVisible";

export const dlqAlarmMissing: Rule = {
  id: "dlq-alarm-missing",
  severity: "advisory",
  reason: "Messages in a dead-letter queue go unnoticed without an alarm on its ApproximateNumberOfMessagesVisible.",
  check: ({ graph, redrives }) => {
    const deadLetterQueues = new Map<ResourceNode, { sources: Set<string>; certain: boolean }>();
    const note = (queue: ResourceNode, sources: readonly ResourceNode[], certain: boolean) => {
      const entry = deadLetterQueues.get(queue) ?? { sources: new Set<string>(), certain: false };
      for (const source of sources) entry.sources.add(source.address);
      entry.certain ||= certain;
      deadLetterQueues.set(queue, entry);
    };
    for (const redrive of redrives) {
      for (const target of redrive.targets.exact) note(target, redrive.sources.exact, true);
      // A redrive that refers to the DLQs' collection without saying which instance: each may be one.
      for (const target of redrive.targets.possible) note(target, redrive.sources.exact, false);
    }
    const alarms = graph.live("aws_cloudwatch_metric_alarm");
    // An alarm on the metric whose queue the plan cannot tell might be any DLQ's: no finding then.
    if (
      alarms.some((alarm) => graph.valueOf(alarm, "metric_name") === DEPTH_METRIC && unresolvedDimension(graph, alarm))
    )
      return [];
    const byName = new Map<string, ResourceNode[]>();
    for (const queue of graph.live(QUEUE)) {
      const name = graph.valueOf(queue, "name");
      if (typeof name === "string" && name !== "") byName.set(name, [...(byName.get(name) ?? []), queue]);
    }
    const watched = new Set(alarms.flatMap((alarm) => watchedQueues(graph, alarm, byName)));
    return [...deadLetterQueues]
      .filter(([queue]) => !watched.has(queue))
      .map(([queue, { sources, certain }]) => {
        const of = sources.size > 0 ? ` of ${listOf(sources)}` : "";
        const role = certain
          ? `is the dead-letter queue${of}`
          : `may be the dead-letter queue${of} (a redrive refers to ${queue.configAddress} without saying which instance)`;
        return {
          address: queue.address,
          message:
            `${queue.address} ${role} but no aws_cloudwatch_metric_alarm watches its ApproximateNumberOfMessagesVisible; ` +
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
    graph.resolve(alarm, alarm.expressions?.dimensions).length === 0 &&
    graph.isSet(alarm, "dimensions")
  );
}

/**
 * The queues whose visible-message count an alarm's metric (or one of its metric queries) watches:
 * by a known QueueName, or by a dimension that certainly refers to the queue's instance.
 */
function watchedQueues(
  graph: PlanGraph,
  alarm: ResourceNode,
  byName: ReadonlyMap<string, readonly ResourceNode[]>,
): ResourceNode[] {
  const watched: ResourceNode[] = [];
  const referredTo = (expression: unknown) => graph.referenced(alarm, expression, [QUEUE]).exact;
  const keyed = (expression: unknown) => {
    const constant = (expression as { constant_value?: unknown } | undefined)?.constant_value;
    return constant === undefined || (typeof constant === "object" && constant !== null && "QueueName" in constant);
  };
  // The metric itself.
  if (graph.valueOf(alarm, "metric_name") === DEPTH_METRIC) {
    const known = graph.valueAt(alarm, ["dimensions", "QueueName"]);
    if (typeof known === "string") watched.push(...(byName.get(known) ?? []));
    const expression = alarm.expressions?.dimensions;
    if (known === undefined && keyed(expression)) watched.push(...referredTo(expression));
  }
  // Metric math: metric_query blocks with a metric.
  const queries = graph.valueAt(alarm, ["metric_query"]);
  if (Array.isArray(queries)) {
    for (let i = 0; i < queries.length; i++) {
      const metric = graph.valueAt(alarm, ["metric_query", i, "metric", 0]) as Record<string, unknown> | undefined;
      if (metric?.metric_name !== DEPTH_METRIC) continue;
      const known = (metric.dimensions as Record<string, unknown> | null | undefined)?.QueueName;
      if (typeof known === "string") watched.push(...(byName.get(known) ?? []));
    }
  }
  const configured = Array.isArray(alarm.expressions?.metric_query)
    ? (alarm.expressions.metric_query as Record<string, unknown>[])
    : [];
  for (const query of configured) {
    for (const metric of Array.isArray(query.metric) ? (query.metric as Record<string, unknown>[]) : []) {
      if (constantOf(metric.metric_name) === DEPTH_METRIC && keyed(metric.dimensions))
        watched.push(...referredTo(metric.dimensions));
    }
  }
  return watched;
}
