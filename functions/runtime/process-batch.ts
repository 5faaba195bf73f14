import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { backoffSeconds } from "./backoff.js";
import { createDeadline, type Deadline } from "./deadline.js";
import { describeValue } from "./describe-value.js";
import { InvalidBatchEventError, PoisonMessageError, TransientError } from "./errors.js";
import { groupByMessageGroup, isFifoSource } from "./fifo.js";
import { createLogger, type Logger, parseLogLevel } from "./log.js";
import {
  type BatchCounts,
  emptyCounts,
  failedTotal,
  type MetricsSample,
  metricsDocument,
  metricValues,
} from "./metrics.js";
import { type BatchOptions, queueUrlFromArn, type ResolvedBatchOptions, resolveBatchOptions } from "./options.js";
import { sendToDeadLetterQueue } from "./poison.js";
import { runBounded } from "./pool.js";
import { batchResponse } from "./response.js";
import { changeVisibility, type VisibilityChange } from "./visibility.js";

/** What became of a record the handler returned from; returning nothing means processed. */
export type RecordOutcome = "processed" | "duplicate" | "ignored";
/**
 * Processes one record. Throw {@link PoisonMessageError} or {@link TransientError} to say how it failed.
 * `Promise<void>` is its own member so that a handler with no `return` (typed `Promise<void>`) still fits.
 */
export type RecordHandler = (record: SQSRecord, context: Context) => Promise<RecordOutcome | undefined> | Promise<void>;

type FailureReason = "transient" | "error" | "deadline" | "dead-letter" | "short-circuit";
type RecordResult =
  | { readonly status: "succeeded" | "duplicate" | "ignored" | "poisoned" }
  | { readonly status: "failed"; readonly reason: FailureReason };

const COUNTER: Record<FailureReason, keyof BatchCounts> = {
  transient: "failedTransient",
  error: "failedError",
  deadline: "failedDeadline",
  "dead-letter": "failedDeadLetter",
  "short-circuit": "shortCircuited",
};

/** A Lambda handler for an SQS event source, built from a per-record handler. Options are checked now. */
export function createBatchHandler(
  handler: RecordHandler,
  options: BatchOptions = {},
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const resolved = resolveBatchOptions(options);
  return (event, context) => runBatch(event, context, handler, resolved);
}

/** Runs `handler` over the batch and returns the checked partial batch response. */
export function processBatch(
  event: SQSEvent,
  context: Context,
  handler: RecordHandler,
  options: BatchOptions = {},
): Promise<SQSBatchResponse> {
  return runBatch(event, context, handler, resolveBatchOptions(options));
}

async function runBatch(
  event: SQSEvent,
  context: Context,
  handler: RecordHandler,
  options: ResolvedBatchOptions,
): Promise<SQSBatchResponse> {
  const startedAt = Date.now();
  const records = recordsOf(event);
  const logger = options.logger ?? createLogger({ level: parseLogLevel(process.env.LOG_LEVEL) });
  const results: (RecordResult | undefined)[] = new Array(records.length);
  const deadline = createDeadline(context, options.deadlineMarginMs);
  const run = (record: SQSRecord) => runRecord(record, context, handler, options, deadline, logger);
  const work = isFifoSource(records[0])
    ? // One group's records strictly in order; a failure fails the rest of its group; groups in parallel.
      runBounded(groupByMessageGroup(records), options.concurrency, async (group) => {
        let blocked = false;
        for (const { index, record } of group) {
          const result: RecordResult = blocked ? { status: "failed", reason: "short-circuit" } : await run(record);
          results[index] ??= result;
          blocked ||= result.status === "failed";
        }
      })
    : runBounded(records, options.concurrency, (record, index) =>
        run(record).then((result) => {
          results[index] ??= result;
        }),
      );
  // One race for the whole batch: records still running when it is time to abandon them are reported
  // failed; whatever they do afterwards can no longer change the response.
  const abandoned = await Promise.race([work.then(() => false), deadline.abandon.then(() => true)]);
  deadline.dispose();
  if (abandoned) {
    records.forEach((record, index) => {
      if (results[index] === undefined) {
        results[index] = { status: "failed", reason: "deadline" };
        logger.warn("record abandoned at the deadline, will retry", { messageId: record.messageId });
      }
    });
  }

  const counts = emptyCounts();
  counts.received = records.length;
  const failedIds: string[] = [];
  const changes: VisibilityChange[] = [];
  records.forEach((record, index) => {
    const result = results[index] ?? { status: "failed", reason: "error" };
    if (result.status !== "failed") {
      counts[result.status === "duplicate" ? "duplicates" : result.status] += 1;
      return;
    }
    counts[COUNTER[result.reason]] += 1;
    failedIds.push(record.messageId);
    const seconds = retryDelaySeconds(record, result.reason, options);
    if (seconds !== undefined)
      changes.push({ messageId: record.messageId, receiptHandle: record.receiptHandle, seconds });
  });
  if (changes.length > 0 && options.sqs) {
    const queueUrl = options.queueUrl ?? queueUrlFromArn(records[0]?.eventSourceARN ?? "");
    if (queueUrl) await changeVisibility(options.sqs, queueUrl, changes, logger);
  }

  publish(counts, records, startedAt, context, options);
  if (records.length > 0) {
    logger.info("batch processed", {
      received: counts.received,
      failed: failedTotal(counts),
      poisoned: counts.poisoned,
      durationMs: Date.now() - startedAt,
    });
  }
  return batchResponse(event, failedIds);
}

async function runRecord(
  record: SQSRecord,
  context: Context,
  handler: RecordHandler,
  options: ResolvedBatchOptions,
  deadline: Deadline,
  logger: Logger,
): Promise<RecordResult> {
  if (deadline.expired()) return { status: "failed", reason: "deadline" };
  try {
    const outcome = await handler(record, context);
    return outcome === "duplicate" ? DUPLICATE : outcome === "ignored" ? IGNORED : SUCCEEDED;
  } catch (error) {
    const log = logger.child({ messageId: record.messageId });
    if (error instanceof PoisonMessageError) return deadLetter(record, error, options, log);
    const transient = error instanceof TransientError;
    log.warn(transient ? "record failed, will retry" : "record failed with an unexpected error, will retry", {
      error,
      correlationId: transient ? error.correlationId : undefined,
      receiveCount: record.attributes?.ApproximateReceiveCount,
    });
    return { status: "failed", reason: transient ? "transient" : "error" };
  }
}

const SUCCEEDED: RecordResult = { status: "succeeded" };
const DUPLICATE: RecordResult = { status: "duplicate" };
const IGNORED: RecordResult = { status: "ignored" };

async function deadLetter(
  record: SQSRecord,
  error: PoisonMessageError,
  options: ResolvedBatchOptions,
  log: Logger,
): Promise<RecordResult> {
  const fields = { reason: error.reason, error: error.message, correlationId: error.correlationId };
  if (!options.sqs || !options.deadLetterQueueUrl) {
    log.error("poison message, but no dead-letter queue is configured; reporting it failed", fields);
    return { status: "failed", reason: "dead-letter" };
  }
  try {
    const sent = await sendToDeadLetterQueue(options.sqs, options.deadLetterQueueUrl, record, error);
    // When the copy had no room for the reason, this line is where it is kept, under both ids.
    const write = sent.reasonAttached === "reason-and-details" ? log.warn : log.error;
    write("poison message sent to the dead-letter queue", { ...fields, ...sent });
    return { status: "poisoned" };
  } catch (sendError) {
    log.error("poison message could not be dead-lettered; reporting it failed", { ...fields, sendError });
    return { status: "failed", reason: "dead-letter" };
  }
}

/** Transient failures back off; records the deadline cut short come back at once; others keep the queue's timeout. */
function retryDelaySeconds(
  record: SQSRecord,
  reason: FailureReason,
  options: ResolvedBatchOptions,
): number | undefined {
  if (options.backoff === false) return undefined;
  if (reason === "deadline") return 0;
  if (reason !== "transient" && reason !== "error") return undefined;
  return backoffSeconds(Number(record.attributes?.ApproximateReceiveCount ?? 1), options.backoff);
}

function recordsOf(event: SQSEvent): SQSRecord[] {
  const records: unknown = event?.Records;
  if (!Array.isArray(records)) throw new InvalidBatchEventError("event.Records must be an array of SQS records");
  for (let index = 0; index < records.length; index++) {
    const id = (records[index] as SQSRecord | null)?.messageId;
    if (typeof id !== "string" || id.length === 0) {
      throw new InvalidBatchEventError(
        `event.Records[${index}].messageId must be a non-empty string (got ${describeValue(id)})`,
      );
    }
  }
  return records as SQSRecord[];
}

function publish(
  counts: BatchCounts,
  records: readonly SQSRecord[],
  startedAt: number,
  context: Context,
  options: ResolvedBatchOptions,
): void {
  if (options.metrics === false) return;
  const sent = records.map((record) => Number(record.attributes?.SentTimestamp)).filter((value) => value > 0);
  const sample: MetricsSample = {
    namespace: options.metrics.namespace,
    service: options.metrics.service ?? context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? "unknown",
    timestamp: startedAt,
    values: metricValues(counts, {
      durationMs: Date.now() - startedAt,
      oldestRecordAgeMs: sent.length > 0 ? Math.max(0, startedAt - Math.min(...sent)) : undefined,
    }),
  };
  if (options.metrics.sink) {
    try {
      options.metrics.sink(sample);
    } catch {
      // Metrics never fail a batch: the records' outcomes are already decided.
    }
    return;
  }
  process.stdout.write(`${JSON.stringify(metricsDocument(sample))}\n`);
}
