import type { SQSClient } from "@aws-sdk/client-sqs";
import { SQS } from "./aws-limits.js";
import { type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
import { describeValue } from "./describe-value.js";
import type { Logger } from "./log.js";
import type { MetricsOptions } from "./metrics.js";

/** How a batch is processed. Unknown keys are rejected: a misspelled option must not be ignored. */
export interface BatchOptions {
  /** Client for dead-lettering poison messages and for backoff. Without it, neither happens. */
  readonly sqs?: SQSClient | undefined;
  /** The work queue's URL, for backoff. Default: derived from the event's queue ARN (AWS endpoints only). */
  readonly queueUrl?: string | undefined;
  /** Where poison messages go. Without it, a poison message is reported failed and SQS redrives it later. */
  readonly deadLetterQueueUrl?: string | undefined;
  /** Records (standard) or message groups (FIFO) in progress at once. 1-1,000. Default 10. */
  readonly concurrency?: number | undefined;
  /** Retry delay of transient failures, or `false` to leave it to the queue's visibility timeout. */
  readonly backoff?: BackoffOptions | false | undefined;
  /**
   * Time kept free at the end of the invocation, in ms. 0-60,000. Default 2,000. At most half the
   * time left when the batch starts is kept, so a function timeout shorter than the margin still
   * processes records.
   */
  readonly deadlineMarginMs?: number | undefined;
  readonly logger?: Logger | undefined;
  /** Where the per-invocation metrics go, or `false` for none. */
  readonly metrics?: MetricsOptions | false | undefined;
}

export interface ResolvedBatchOptions {
  readonly sqs: SQSClient | undefined;
  readonly queueUrl: string | undefined;
  readonly deadLetterQueueUrl: string | undefined;
  readonly concurrency: number;
  readonly backoff: Required<BackoffOptions> | false;
  readonly deadlineMarginMs: number;
  readonly logger: Logger | undefined;
  readonly metrics: (Required<Pick<MetricsOptions, "namespace">> & MetricsOptions) | false;
}

const KNOWN = [
  "sqs",
  "queueUrl",
  "deadLetterQueueUrl",
  "concurrency",
  "backoff",
  "deadlineMarginMs",
  "logger",
  "metrics",
];

function wholeNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new TypeError(`${name} must be a whole number between ${min} and ${max} (got ${describeValue(value)})`);
}

export function resolveBatchOptions(options: BatchOptions = {}): ResolvedBatchOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new TypeError(`${key} is not a batch option (allowed: ${KNOWN.join(", ")})`);
  }
  let backoff: ResolvedBatchOptions["backoff"] = false;
  if (options.backoff !== false) {
    const baseSeconds = wholeNumber(
      "backoff.baseSeconds",
      options.backoff?.baseSeconds ?? DEFAULT_BACKOFF.baseSeconds,
      0,
      SQS.visibilityTimeoutSeconds.max,
    );
    const maxSeconds = wholeNumber(
      "backoff.maxSeconds",
      options.backoff?.maxSeconds ?? DEFAULT_BACKOFF.maxSeconds,
      baseSeconds,
      SQS.visibilityTimeoutSeconds.max,
    );
    backoff = { baseSeconds, maxSeconds };
  }
  if (options.metrics && options.metrics.sink !== undefined && typeof options.metrics.sink !== "function") {
    throw new TypeError(`metrics.sink must be a function (got ${describeValue(options.metrics.sink)})`);
  }
  return {
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    deadLetterQueueUrl: options.deadLetterQueueUrl,
    concurrency: wholeNumber("concurrency", options.concurrency ?? 10, 1, 1000),
    backoff,
    deadlineMarginMs: wholeNumber("deadlineMarginMs", options.deadlineMarginMs ?? 2000, 0, 60_000),
    logger: options.logger,
    metrics: options.metrics === false ? false : { namespace: "QueueProcessor", ...options.metrics },
  };
}

/** `arn:aws:sqs:<region>:<account>:<name>` → its queue URL on AWS. */
export function queueUrlFromArn(arn: string): string | undefined {
  const match = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):(.+)$/.exec(arn);
  if (!match) return undefined;
  const domain = match[1] === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${match[2]}.${domain}/${match[3]}/${match[4]}`;
}
