import { SQS_EVENT_SOURCE } from "@queue-processor/runtime/aws-limits";
import { constructDefaults } from "./defaults.js";
import { got, type ModuleVariable, rule, wholeNumber } from "./variable.js";

const defaults = constructDefaults();
const BATCH = SQS_EVENT_SOURCE.batchSize;
const WINDOW = SQS_EVENT_SOURCE.maxBatchingWindowSeconds;
const FILTERS = SQS_EVENT_SOURCE.filterPatterns;

/** The event source mapping (`eventSource.*`). */
export const EVENT_SOURCE_VARIABLES: readonly ModuleVariable[] = [
  {
    name: "batch_size",
    type: "number",
    default: defaults.eventSource.batchSize,
    prop: "EventSourceProps.batchSize",
    validation: [
      wholeNumber(
        "batch_size",
        { min: BATCH.min, max: BATCH.fifoMax },
        { when: "var.fifo", qualifier: " for FIFO queues" },
      ),
      wholeNumber(
        "batch_size",
        { min: BATCH.min, max: BATCH.standardMax },
        { when: "!var.fifo", qualifier: " for standard queues" },
      ),
    ],
  },
  {
    name: "max_batching_window_seconds",
    type: "number",
    default: null,
    prop: "EventSourceProps.maxBatchingWindowSeconds",
    note: "null: the construct's default.",
    validation: [
      wholeNumber("max_batching_window_seconds", WINDOW),
      rule(
        "!var.fifo || var.max_batching_window_seconds == null ? true : var.max_batching_window_seconds == 0",
        `max_batching_window_seconds is not supported on FIFO queues; leave it null or set 0 ${got("max_batching_window_seconds")}.`,
      ),
      rule(
        `var.fifo || var.batch_size <= ${BATCH.withoutWindowMax} || var.max_batching_window_seconds == null ? true : var.max_batching_window_seconds >= ${WINDOW.minForLargerBatches}`,
        `max_batching_window_seconds must be at least ${WINDOW.minForLargerBatches} when batch_size is above ` +
          `${BATCH.withoutWindowMax} (batch_size \${var.batch_size}) ${got("max_batching_window_seconds")}.`,
      ),
    ],
  },
  {
    name: "max_concurrency",
    type: "number",
    default: null,
    prop: "EventSourceProps.maxConcurrency",
    validation: [
      wholeNumber("max_concurrency", SQS_EVENT_SOURCE.maxConcurrency),
      rule(
        "var.max_concurrency == null || var.reserved_concurrency == null ? true : var.max_concurrency <= var.reserved_concurrency",
        "max_concurrency must not exceed reserved_concurrency = ${jsonencode(var.reserved_concurrency)}: the extra " +
          `pollers would only be throttled, and throttles use up receives ${got("max_concurrency")}.`,
      ),
    ],
  },
  {
    name: "filter_patterns",
    type: "list(string)",
    default: [],
    prop: "EventSourceProps.filterPatterns",
    note: 'Each pattern as JSON, e.g. jsonencode({ body = { type = ["order_created"] } }).',
    validation: [
      rule(
        `length(var.filter_patterns) <= ${FILTERS.max}`,
        `filter_patterns may hold at most ${FILTERS.max} patterns (got \${length(var.filter_patterns)}).`,
      ),
      rule(
        `alltrue([for p in var.filter_patterns : length(p) <= ${FILTERS.maxJsonLength} && try(keys(jsondecode(p)) == ["body"] && length(keys(jsondecode(p).body)) > 0, false)])`,
        `filter_patterns: each must be a JSON object filtering on "body" only, with a non-empty body, at most ` +
          `${FILTERS.maxJsonLength} characters ${got("filter_patterns")}.`,
      ),
    ],
  },
];
