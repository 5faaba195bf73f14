import { SQS_EVENT_SOURCE } from "@queue-processor/runtime/aws-limits";
import { isInteger, issueUnless, number, type Rule } from "./rule.js";

/** Settings of different sections that must agree: the queue with the function and the mapping. */
export const CROSS_RESOURCE_RULES: readonly Rule[] = [
  {
    code: "visibility-below-timeout",
    level: "error",
    check: (_props, { queue, handler, eventSource }) => {
      const { timeoutSeconds, maxBatchingWindowSeconds } = { ...handler, ...eventSource };
      if (![queue.visibilityTimeoutSeconds, timeoutSeconds, maxBatchingWindowSeconds].every(isInteger)) return [];
      const needed = timeoutSeconds + maxBatchingWindowSeconds;
      return issueUnless(
        queue.visibilityTimeoutSeconds >= needed,
        "queue.visibilityTimeoutSeconds",
        `queue.visibilityTimeoutSeconds must be at least handler.timeoutSeconds + ` +
          `eventSource.maxBatchingWindowSeconds = ${number(needed)}, or messages reappear while ` +
          `still being processed (got ${number(queue.visibilityTimeoutSeconds)})`,
      );
    },
  },
  {
    code: "max-concurrency-above-reserved",
    // An error, not advice: the policy check of the same id in review/policy agrees (blocking).
    level: "error",
    check: (_props, { handler, eventSource }) => {
      const max = eventSource.maxConcurrency;
      const reserved = handler.reservedConcurrency;
      if (!isInteger(max) || !isInteger(reserved)) return [];
      return issueUnless(
        max <= reserved,
        "eventSource.maxConcurrency",
        `eventSource.maxConcurrency must not exceed handler.reservedConcurrency = ${number(reserved)}: ` +
          `the extra pollers would only be throttled, and throttles use up receives (got ${number(max)})`,
      );
    },
  },
  {
    code: "visibility-below-advice",
    level: "warning",
    check: (_props, { queue, handler, eventSource }) => {
      const factor = SQS_EVENT_SOURCE.advisedVisibilityFactor;
      const inputs = [queue.visibilityTimeoutSeconds, handler.timeoutSeconds, eventSource.maxBatchingWindowSeconds];
      if (!inputs.every(isInteger)) return [];
      const advised = factor * handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds;
      return issueUnless(
        queue.visibilityTimeoutIsDerived || queue.visibilityTimeoutSeconds >= advised,
        "queue.visibilityTimeoutSeconds",
        `queue.visibilityTimeoutSeconds is below AWS's advice of ${factor} x handler.timeoutSeconds + ` +
          `eventSource.maxBatchingWindowSeconds = ${number(advised)}; throttled or retried batches may ` +
          `be received again while still in flight (got ${number(queue.visibilityTimeoutSeconds)})`,
      );
    },
  },
];
