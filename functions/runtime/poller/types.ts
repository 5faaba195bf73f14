import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent } from "aws-lambda";
import type { BodyFilterPattern } from "./filter-pattern.js";

export type InvocationOutcome = "ok" | "partial" | "error" | "timeout" | "invalid-response";

export interface InvocationInfo {
  /** Records delivered to the handler. */
  readonly records: number;
  /** Records left on the queue to be retried (all of them unless the outcome is ok or partial). */
  readonly failed: number;
  readonly durationMs: number;
  readonly outcome: InvocationOutcome;
}

export interface MappingOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** What it resolves with is read as Lambda reads it: a partial batch response, or nothing (all succeeded). */
  readonly handler: (event: SQSEvent, context: Context) => Promise<unknown>;
  /** Default 10; 1-10 for FIFO, 1-10,000 standard (above 10 needs a batching window, as on AWS). */
  readonly batchSize?: number;
  /** Default 0 (one receive per batch); otherwise gather from the first message until batchSize or the window elapses. */
  readonly maxBatchingWindowSeconds?: number;
  /** Concurrent invocations, default 2 (2-1000). */
  readonly maxConcurrency?: number;
  /** Default 30; an invocation that runs longer counts as failed (the whole batch returns). */
  readonly functionTimeoutSeconds?: number;
  /**
   * The handler runs in a runtime with Lambda's Init phase (the local function containers), whose cold
   * start has up to 10 s of its own before the function timeout starts: the mapping's timer allows it.
   * Default false: an in-process handler has no init.
   */
  readonly handlerHasInitPhase?: boolean;
  /** Records matching none are deleted without invoking (as AWS does). */
  readonly filterPatterns?: readonly BodyFilterPattern[];
  /** Default true. */
  readonly reportBatchItemFailures?: boolean;
  /** Name in the handler's context; default `local-<queue name>`. */
  readonly functionName?: string;
  readonly onInvocation?: (info: InvocationInfo) => void;
  /**
   * Called after messages matching no filter pattern were deleted, with how many SQS confirmed
   * deleted; not called when none were (an undeleted one returns and is counted then).
   */
  readonly onFiltered?: (count: number) => void;
}

export interface EventSourceMapping {
  start(): void;
  /** Stops receiving, waits for in-flight invocations, resolves. */
  stop(): Promise<void>;
  /** Invocations in flight now. */
  readonly inFlight: number;
}
