import type { Message } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { failuresOf } from "./batch-response-rules.js";
import { createLambdaContext } from "./context.js";
import { toSqsRecord } from "./record.js";
import type { MappingSettings } from "./settings.js";
import type { InvocationOutcome, MappingOptions } from "./types.js";

export interface InvocationResult {
  readonly outcome: InvocationOutcome;
  /** The message ids to leave on the queue for a retry, or every message of the batch. */
  readonly retry: ReadonlySet<string> | "all";
  readonly durationMs: number;
}

/**
 * One invocation with a batch, as Lambda runs it: the handler gets the function timeout as its
 * budget, and a throw, a timeout or an invalid partial batch response fails the whole batch.
 */
export async function invokeHandler(
  handler: MappingOptions["handler"],
  messages: readonly Message[],
  queueArn: string,
  settings: MappingSettings,
): Promise<InvocationResult> {
  const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, queueArn)) };
  const context = createLambdaContext(settings.functionName, settings.region, settings.timeoutSeconds);
  const started = performance.now();
  let outcome: InvocationOutcome;
  let retry: ReadonlySet<string> | "all";
  try {
    const result = await withTimeout(
      Promise.resolve().then(() => handler(event, context)),
      settings.timeoutSeconds * 1000 + settings.initAllowanceMs,
    );
    if (result === TIMED_OUT) {
      outcome = "timeout";
      retry = "all";
    } else {
      const failures = settings.reportBatchItemFailures ? failuresOf(result, event) : [];
      if (failures === "invalid") {
        outcome = "invalid-response";
        retry = "all";
      } else {
        outcome = failures.length === 0 ? "ok" : "partial";
        retry = new Set(failures);
      }
    }
  } catch (error) {
    // A runtime that kills the function at its timeout (the local containers) rejects at about the
    // same moment as the timer above: either way it is the timeout, as Lambda reports it.
    outcome = (error as Error)?.name === "FunctionTimeoutError" ? "timeout" : "error";
    retry = "all";
  }
  return { outcome, retry, durationMs: performance.now() - started };
}

const TIMED_OUT = Symbol("timed out");

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
