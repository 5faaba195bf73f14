import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { setTimeout as sleep } from "node:timers/promises";
import { checkBatchResponse } from "../lib/response.js";
import { matchesAnyPattern, type BodyFilterPattern } from "./filter-pattern.js";
import { createLambdaContext } from "./lambda-context.js";
import { regionOfArn, toSqsRecord } from "./sqs-record.js";

export type InvocationOutcome = "ok" | "partial" | "error" | "timeout" | "invalid-response";

export interface InvocationInfo {
  /** Records delivered to the handler. */
  readonly records: number;
  /** Records left on the queue to be retried (all of them unless the outcome is ok or partial). */
  readonly failed: number;
  readonly durationMs: number;
  readonly outcome: InvocationOutcome;
}

export interface LocalMappingOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /** Default 10; 1-10 for FIFO, 1-10,000 standard (above 10 needs a batching window, as on AWS). */
  readonly batchSize?: number;
  /** Default 0 (one receive per batch); otherwise gather from the first message until batchSize or the window elapses. */
  readonly maxBatchingWindowSeconds?: number;
  /** Concurrent invocations, default 2 (2-1000). */
  readonly maxConcurrency?: number;
  /** Default 30; an invocation that runs longer counts as failed (the whole batch returns). */
  readonly functionTimeoutSeconds?: number;
  /** Records matching none are deleted without invoking (as AWS does). */
  readonly filterPatterns?: readonly BodyFilterPattern[];
  /** Default true. */
  readonly reportBatchItemFailures?: boolean;
  /** Name in the handler's context; default `local-<queue name>`. */
  readonly functionName?: string;
  readonly onInvocation?: (info: InvocationInfo) => void;
}

export interface LocalMapping {
  start(): void;
  /** Stops receiving, waits for in-flight invocations, resolves. */
  stop(): Promise<void>;
  /** Invocations in flight now. */
  readonly inFlight: number;
}

/**
 * Lambda's SQS event source mapping, locally: polls a real SQS endpoint and invokes `handler` with
 * batches, deleting what succeeded and leaving the rest for the queue's visibility timeout and
 * redrive policy, as AWS does.
 */
export function createLocalMapping(options: LocalMappingOptions): LocalMapping {
  const settings = resolveSettings(options);
  const { client, queueUrl, queueArn } = options;
  const invocations = new Set<Promise<void>>();
  const busyGroups = new Set<string>();
  let running = false;
  let loop: Promise<void> | undefined;

  async function pollLoop(): Promise<void> {
    while (running) {
      while (invocations.size >= settings.maxConcurrency) await Promise.race(invocations);
      if (!running) break;
      let messages: Message[];
      try {
        messages = await gather();
      } catch {
        // The endpoint is down or refused: back off briefly, as the mapping's pollers do.
        if (running) await sleep(200);
        continue;
      }
      const { admitted, heldBack } = await admit(messages);
      if (admitted.length > 0) dispatch(admitted);
      // Only messages of busy groups came back (their visibility timeout lapsed mid-invocation):
      // receiving again at once would get them again, raising their receive count towards the
      // redrive limit, so wait for an invocation to settle first.
      else if (heldBack > 0 && invocations.size > 0) await Promise.race([...invocations, sleep(1000)]);
    }
  }

  async function receive(max: number, waitTimeSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    return Messages;
  }

  /** One batch: a long poll, then (with a window) more receives until batchSize or the window elapses. */
  async function gather(): Promise<Message[]> {
    const messages = await receive(Math.min(10, settings.batchSize), 1);
    if (messages.length === 0 || settings.windowMs === 0) return messages;
    const windowEnd = Date.now() + settings.windowMs;
    while (running && messages.length < settings.batchSize) {
      const remaining = windowEnd - Date.now();
      if (remaining <= 0) break;
      const more = await receive(Math.min(10, settings.batchSize - messages.length), remaining >= 1000 ? 1 : 0);
      messages.push(...more);
      if (more.length === 0 && remaining < 1000) await sleep(Math.min(50, remaining));
    }
    return messages;
  }

  /** Holds back messages of a FIFO group already in flight, deletes filtered-out ones; returns the rest. */
  async function admit(messages: Message[]): Promise<{ admitted: Message[]; heldBack: number }> {
    let candidates = messages;
    let heldBack = 0;
    if (settings.fifo) {
      const held = candidates.filter((message) => busyGroups.has(groupOf(message)));
      candidates = candidates.filter((message) => !busyGroups.has(groupOf(message)));
      heldBack = held.length;
      // Reverse order: a FIFO queue puts a released message back at the head of its group.
      for (const message of held.reverse()) await release(message);
    }
    if (settings.filterPatterns.length === 0) return { admitted: candidates, heldBack };
    const unmatched = candidates.filter((message) => !matchesAnyPattern(message.Body ?? "", settings.filterPatterns));
    await deleteMessages(unmatched);
    return { admitted: candidates.filter((message) => !unmatched.includes(message)), heldBack };
  }

  function dispatch(messages: Message[]): void {
    const groups = settings.fifo ? [...new Set(messages.map(groupOf))] : [];
    for (const group of groups) busyGroups.add(group);
    const invocation: Promise<void> = invoke(messages)
      .catch(() => undefined)
      .finally(() => {
        for (const group of groups) busyGroups.delete(group);
        invocations.delete(invocation);
      });
    invocations.add(invocation);
  }

  async function invoke(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, queueArn)) };
    const context = createLambdaContext(settings.functionName, settings.region, settings.timeoutSeconds);
    const started = performance.now();
    let outcome: InvocationOutcome;
    let retry: ReadonlySet<string> | "all";
    try {
      const result = await withTimeout(
        Promise.resolve().then(() => options.handler(event, context)),
        settings.timeoutSeconds * 1000,
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
    } catch {
      outcome = "error";
      retry = "all";
    }
    const durationMs = performance.now() - started;
    if (retry !== "all") {
      const keep = retry;
      await deleteMessages(messages.filter((message) => !keep.has(message.MessageId!)));
    }
    const failed = retry === "all" ? messages.length : retry.size;
    try {
      options.onInvocation?.({ records: messages.length, failed, durationMs, outcome });
    } catch {
      // An observer's error does not change the batch's outcome.
    }
  }

  async function deleteMessages(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      try {
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
          }),
        );
      } catch {
        // Undeleted messages come back after the visibility timeout: at-least-once, as on AWS.
      }
    }
  }

  async function release(message: Message): Promise<void> {
    try {
      await client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }),
      );
    } catch {
      // It becomes visible again after the visibility timeout anyway.
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      const previous = loop ?? Promise.resolve();
      loop = previous.then(pollLoop);
    },
    async stop() {
      running = false;
      await loop;
      while (invocations.size > 0) await Promise.all([...invocations]);
    },
    get inFlight() {
      return invocations.size;
    },
  };
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

/**
 * The message ids to retry, or "invalid" for a response Lambda treats as a whole-batch failure.
 * No response, `{}` and `{ batchItemFailures: null }` are complete successes, as Lambda documents.
 */
function failuresOf(response: unknown, event: SQSEvent): string[] | "invalid" {
  if (response === undefined || response === null) return [];
  if (typeof response === "object" && !Array.isArray(response)) {
    const keys = Object.keys(response);
    if (keys.length === 0) return [];
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (keys.length === 1 && keys[0] === "batchItemFailures" && (failures === null || failures === undefined)) return [];
  }
  try {
    checkBatchResponse(response, event);
  } catch {
    return "invalid";
  }
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

function groupOf(message: Message): string {
  return message.Attributes?.MessageGroupId ?? "";
}

interface Settings {
  readonly fifo: boolean;
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
  readonly timeoutSeconds: number;
  readonly filterPatterns: readonly BodyFilterPattern[];
  readonly reportBatchItemFailures: boolean;
  readonly functionName: string;
  readonly region: string;
}

/** The options with AWS's defaults, checked against AWS's limits. */
function resolveSettings(options: LocalMappingOptions): Settings {
  const fifo = options.queueArn.endsWith(".fifo");
  const batchSize = options.batchSize ?? 10;
  const window = options.maxBatchingWindowSeconds ?? 0;
  const maxConcurrency = options.maxConcurrency ?? 2;
  const timeoutSeconds = options.functionTimeoutSeconds ?? 30;
  checkRange("batchSize", batchSize, 1, fifo ? 10 : 10_000, true);
  checkRange("maxBatchingWindowSeconds", window, 0, 300, false);
  checkRange("maxConcurrency", maxConcurrency, 2, 1000, true);
  checkRange("functionTimeoutSeconds", timeoutSeconds, 0.001, 900, false);
  if (batchSize > 10 && window === 0) {
    throw new RangeError("batchSize above 10 needs maxBatchingWindowSeconds of at least 1 (as on AWS)");
  }
  const queueName = options.queueArn.split(":").pop() ?? "queue";
  return {
    fifo,
    batchSize,
    windowMs: window * 1000,
    maxConcurrency,
    timeoutSeconds,
    filterPatterns: options.filterPatterns ?? [],
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    functionName: options.functionName ?? `local-${queueName.replace(/\.fifo$/, "")}`,
    region: regionOfArn(options.queueArn),
  };
}

function checkRange(name: string, value: number, min: number, max: number, integer: boolean): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be ${integer ? "an integer " : ""}from ${min} to ${max} (got ${value})`);
  }
}
