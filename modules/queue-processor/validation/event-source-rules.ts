import { SQS_EVENT_SOURCE } from "@queue-processor/runtime/aws-limits";
import { describeValue } from "../describe-value.js";
import {
  got,
  isInteger,
  isPlainObject,
  issueUnless,
  number,
  type Rule,
  type RuleIssue,
  rangeRule,
  wholeNumberIn,
} from "./rule.js";

const BATCH = SQS_EVENT_SOURCE.batchSize;
const WINDOW = SQS_EVENT_SOURCE.maxBatchingWindowSeconds;
const FILTERS = SQS_EVENT_SOURCE.filterPatterns;

/** `eventSource`: the SQS event source mapping, judged against the queue type it reads. */
export const EVENT_SOURCE_RULES: readonly Rule[] = [
  {
    code: "batch-size-range",
    level: "error",
    check: (_props, { queue, eventSource }) =>
      queue.fifo
        ? wholeNumberIn(
            "eventSource.batchSize",
            eventSource.batchSize,
            { min: BATCH.min, max: BATCH.fifoMax },
            " for FIFO queues",
          )
        : wholeNumberIn(
            "eventSource.batchSize",
            eventSource.batchSize,
            { min: BATCH.min, max: BATCH.standardMax },
            " for standard queues",
          ),
  },
  rangeRule(
    "batching-window-range",
    "eventSource.maxBatchingWindowSeconds",
    (c) => c.eventSource.maxBatchingWindowSeconds,
    WINDOW,
  ),
  {
    code: "batching-window-required",
    level: "error",
    check: (_props, { queue, eventSource }) => {
      const { batchSize, maxBatchingWindowSeconds: window } = eventSource;
      if (queue.fifo || !isInteger(batchSize) || batchSize <= BATCH.withoutWindowMax) return [];
      // "Below", not "not at least": a window that is no number at all is batching-window-range's to report.
      const tooShort = typeof window === "number" && window < WINDOW.minForLargerBatches;
      return issueUnless(
        !tooShort,
        "eventSource.maxBatchingWindowSeconds",
        `eventSource.maxBatchingWindowSeconds must be at least ${WINDOW.minForLargerBatches} when eventSource.batchSize ` +
          `is above ${BATCH.withoutWindowMax} (batchSize ${number(batchSize)}) ${got(window)}`,
      );
    },
  },
  {
    code: "batching-window-fifo",
    level: "error",
    check: (props, { queue }) => {
      const window = props.eventSource?.maxBatchingWindowSeconds;
      return issueUnless(
        !queue.fifo || window === undefined || window === 0,
        "eventSource.maxBatchingWindowSeconds",
        `eventSource.maxBatchingWindowSeconds is not supported on FIFO queues; remove it or set 0 ${got(window)}`,
      );
    },
  },
  rangeRule(
    "max-concurrency-range",
    "eventSource.maxConcurrency",
    (c) => c.eventSource.maxConcurrency,
    SQS_EVENT_SOURCE.maxConcurrency,
  ),
  {
    code: "filter-pattern-count",
    level: "error",
    check: (_props, { eventSource }) => {
      const patterns: unknown = eventSource.filterPatterns;
      if (!Array.isArray(patterns)) {
        return [
          {
            path: "eventSource.filterPatterns",
            message: `eventSource.filterPatterns must be an array of { body: {...} } patterns ${got(patterns)}`,
          },
        ];
      }
      return issueUnless(
        patterns.length <= FILTERS.max,
        "eventSource.filterPatterns",
        `eventSource.filterPatterns may hold at most ${FILTERS.max} patterns (got ${patterns.length})`,
      );
    },
  },
  {
    code: "filter-pattern-invalid",
    level: "error",
    check: (_props, { eventSource }) => {
      const patterns: unknown = eventSource.filterPatterns;
      if (!Array.isArray(patterns)) return [];
      return patterns.flatMap((pattern: unknown, index) =>
        filterPatternIssues(`eventSource.filterPatterns[${index}]`, pattern),
      );
    },
  },
  {
    code: "filter-deletes-unmatched",
    level: "warning",
    check: (_props, { eventSource }) =>
      issueUnless(
        !Array.isArray(eventSource.filterPatterns) || eventSource.filterPatterns.length === 0,
        "eventSource.filterPatterns",
        `eventSource.filterPatterns: records that match no pattern (including malformed JSON) are ` +
          `deleted by Lambda without reaching the function or the DLQ`,
      ),
  },
  {
    code: "filter-patterns-above-default-quota",
    level: "warning",
    check: (_props, { eventSource }) => {
      const count = Array.isArray(eventSource.filterPatterns) ? eventSource.filterPatterns.length : 0;
      return issueUnless(
        count <= FILTERS.defaultQuota || count > FILTERS.max,
        "eventSource.filterPatterns",
        `eventSource.filterPatterns holds more than the default quota of ${FILTERS.defaultQuota} ` +
          `patterns per mapping; the account needs a quota increase (got ${count})`,
      );
    },
  },
];

/** An SQS filter pattern: an object filtering on `body` only, not too long as JSON. */
function filterPatternIssues(path: string, pattern: unknown): RuleIssue[] {
  if (!isPlainObject(pattern)) {
    return [{ path, message: `${path} must be an object like { body: { type: ["order_created"] } } ${got(pattern)}` }];
  }
  const notBody = Object.keys(pattern).filter((key) => key !== "body");
  if (notBody.length > 0) {
    const found = notBody.map((key) => describeValue(key)).join(", ");
    return [{ path, message: `${path} may only filter on "body" for SQS (found ${found}) ${got(pattern)}` }];
  }
  if (!isPlainObject(pattern.body) || Object.keys(pattern.body).length === 0) {
    return [
      {
        path: `${path}.body`,
        message: `${path}.body must be a non-empty object of field patterns ${got(pattern.body)}`,
      },
    ];
  }
  const json = jsonOf(pattern);
  if (json === undefined) {
    return [{ path, message: `${path} must be plain JSON: no cycles, no BigInt values ${got(pattern)}` }];
  }
  const length = json.length;
  return issueUnless(
    length <= FILTERS.maxJsonLength,
    path,
    `${path} must be at most ${number(FILTERS.maxJsonLength)} characters as JSON (got ${number(length)})`,
  );
}

/** The pattern as Lambda receives it, or undefined when it cannot be written as JSON. */
function jsonOf(pattern: unknown): string | undefined {
  try {
    return JSON.stringify(pattern);
  } catch {
    return undefined;
  }
}
