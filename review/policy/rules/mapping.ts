/**
 * Rules on how an SQS event source mapping meets its queue and function: the visibility timeout
 * covers the work, one failed record does not return the whole batch, and the mapping does not
 * start more pollers than the function may run.
 */
import { LAMBDA, SQS, SQS_EVENT_SOURCE } from "../../../functions/runtime/aws-limits.js";
import type { LinkedPlan } from "../links.js";
import type { ResourceNode } from "../plan-graph.js";
import { QUEUE } from "../resource-kinds.js";
import { json, numberOf, unset } from "../resource-values.js";
import type { Rule } from "../rule.js";

/** What AWS applies when the queue or the function does not set a value. */
const DEFAULT_VISIBILITY_SECONDS = SQS.visibilityTimeoutSeconds.default;
const DEFAULT_FUNCTION_TIMEOUT_SECONDS = LAMBDA.timeoutSeconds.default;
const ADVISED_VISIBILITY_FACTOR = SQS_EVENT_SOURCE.advisedVisibilityFactor;

export const visibilityBelowTimeout: Rule = {
  id: "visibility-below-timeout",
  severity: "blocking",
  reason:
    "A visibility timeout below the function timeout plus the batching window redelivers messages still being processed.",
  check: (plan) =>
    visibilityComparisons(plan)
      .filter(({ visibility, minimum }) => visibility < minimum)
      .map(({ queue, found, terms, minimum, advised }) => ({
        address: queue.address,
        message: `${found}, below timeout + window = ${minimum} s (${terms}); expected at least ${minimum} s, advised ${advised} s`,
      })),
};

export const visibilityBelowAdvice: Rule = {
  id: "visibility-below-advice",
  severity: "advisory",
  reason: `AWS advises a visibility timeout of at least ${ADVISED_VISIBILITY_FACTOR} x the function timeout plus the batching window, so throttled retries fit.`,
  check: (plan) =>
    visibilityComparisons(plan)
      .filter(({ visibility, minimum, advised }) => visibility >= minimum && visibility < advised)
      .map(({ queue, found, terms, advised }) => ({
        address: queue.address,
        message: `${found}, below the advised ${ADVISED_VISIBILITY_FACTOR} x timeout + window = ${advised} s (${terms}); expected at least ${advised} s`,
      })),
};

export const partialBatchResponsesOff: Rule = {
  id: "partial-batch-responses-off",
  severity: "blocking",
  reason: "Without ReportBatchItemFailures one failed record returns the whole batch to the queue.",
  check: ({ graph, mappings }) =>
    mappings.flatMap(({ node, sqs }) => {
      if (!sqs) return [];
      const types = graph.valueOf(node, "function_response_types");
      if (types === undefined || (Array.isArray(types) && types.includes("ReportBatchItemFailures"))) return [];
      return [
        {
          address: node.address,
          message:
            `${node.address} function_response_types is ${types === null ? "unset" : json(types)}; ` +
            `expected ["ReportBatchItemFailures"], so one failed record does not return its whole batch`,
        },
      ];
    }),
};

/**
 * Blocking, as the construct's validation makes it an error at synth: a maximum concurrency above the
 * reserved concurrency is a certain contradiction, not a judgement call.
 */
export const maxConcurrencyAboveReserved: Rule = {
  id: "max-concurrency-above-reserved",
  severity: "blocking",
  reason:
    "A mapping's maximum concurrency above the function's reserved concurrency gets throttled and burns receives toward the DLQ.",
  check: ({ graph, mappings }) =>
    mappings.flatMap(({ node, sqs, functions }) => {
      if (!sqs) return [];
      const maximum = graph.valueAt(node, ["scaling_config", 0, "maximum_concurrency"]);
      if (typeof maximum !== "number") return [];
      // Only the functions the mapping certainly invokes: never a sibling instance's.
      return functions.exact.flatMap((fn) => {
        const reserved = graph.valueOf(fn, "reserved_concurrent_executions");
        if (
          typeof reserved !== "number" ||
          reserved === LAMBDA.reservedConcurrency.terraformUnreserved ||
          maximum <= reserved
        )
          return [];
        return [
          {
            address: node.address,
            message:
              `${node.address} scaling_config.maximum_concurrency is ${maximum}, above ${fn.address} reserved_concurrent_executions ${reserved}; ` +
              `expected at most ${reserved}`,
          },
        ];
      });
    }),
};

interface VisibilityComparison {
  readonly queue: ResourceNode;
  readonly visibility: number;
  /** The function timeout plus the batching window. */
  readonly minimum: number;
  /** 6 x the function timeout plus the batching window. */
  readonly advised: number;
  /** The queue's visibility timeout, in words. */
  readonly found: string;
  /** The function timeout and the batching window it is compared with, in words. */
  readonly terms: string;
}

/**
 * Each SQS queue's visibility timeout against each function that consumes it, where all three are
 * known. Only certain links are paired: a queue is never compared with a sibling instance's function.
 */
function visibilityComparisons({ graph, mappings }: LinkedPlan): VisibilityComparison[] {
  const comparisons: VisibilityComparison[] = [];
  for (const mapping of mappings) {
    if (!mapping.sqs) continue;
    const window = numberOf(
      graph,
      mapping.node,
      "maximum_batching_window_in_seconds",
      SQS_EVENT_SOURCE.maxBatchingWindowSeconds.default,
    );
    for (const queue of mapping.queues.exact) {
      if (queue.kind !== QUEUE) continue; // a data source does not show the visibility timeout
      const visibility = numberOf(graph, queue, "visibility_timeout_seconds", DEFAULT_VISIBILITY_SECONDS);
      for (const fn of mapping.functions.exact) {
        const timeout = numberOf(graph, fn, "timeout", DEFAULT_FUNCTION_TIMEOUT_SECONDS);
        if (visibility === undefined || timeout === undefined || window === undefined) continue;
        comparisons.push({
          queue,
          visibility,
          minimum: timeout + window,
          advised: ADVISED_VISIBILITY_FACTOR * timeout + window,
          found: `${queue.address} visibility_timeout_seconds is ${visibility}${unset(queue, "visibility_timeout_seconds") ? " (unset: the default)" : ""}`,
          terms:
            `${fn.address} timeout ${timeout} s${unset(fn, "timeout") ? " (the default)" : ""}, ` +
            `batching window ${window} s of ${mapping.node.address}`,
        });
      }
    }
  }
  return comparisons;
}
