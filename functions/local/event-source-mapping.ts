import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { setTimeout as sleep } from "node:timers/promises";
import { matchesAnyPattern, type BodyFilterPattern } from "./filter-pattern.js";
import { invokeHandler } from "./invocation.js";
import { resolveSettings } from "./mapping-settings.js";
import { deleteMessages, receiveMessages, releaseMessage, type PolledQueue } from "./queue-operations.js";

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
  /**
   * Called after messages matching no filter pattern were deleted, with how many SQS confirmed
   * deleted; not called when none were (an undeleted one returns and is counted then).
   */
  readonly onFiltered?: (count: number) => void;
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
  const { queueArn } = options;
  const queue: PolledQueue = { client: options.client, queueUrl: options.queueUrl };
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

  /** One batch: a long poll, then (with a window) more receives until batchSize or the window elapses. */
  async function gather(): Promise<Message[]> {
    const messages = await receiveMessages(queue, Math.min(10, settings.batchSize), 1);
    if (messages.length === 0 || settings.windowMs === 0) return messages;
    const windowEnd = Date.now() + settings.windowMs;
    while (running && messages.length < settings.batchSize) {
      const remaining = windowEnd - Date.now();
      if (remaining <= 0) break;
      const more = await receiveMessages(queue, Math.min(10, settings.batchSize - messages.length), remaining >= 1000 ? 1 : 0);
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
      for (const message of held.reverse()) await releaseMessage(queue, message);
    }
    if (settings.filterPatterns.length === 0) return { admitted: candidates, heldBack };
    const unmatched = candidates.filter((message) => !matchesAnyPattern(message.Body ?? "", settings.filterPatterns));
    const deleted = await deleteMessages(queue, unmatched);
    if (deleted > 0) notify(() => options.onFiltered?.(deleted));
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
    const { outcome, retry, durationMs } = await invokeHandler(options.handler, messages, queueArn, settings);
    if (retry !== "all") await deleteMessages(queue, messages.filter((message) => !retry.has(message.MessageId!)));
    const failed = retry === "all" ? messages.length : retry.size;
    notify(() => options.onInvocation?.({ records: messages.length, failed, durationMs, outcome }));
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

function groupOf(message: Message): string {
  return message.Attributes?.MessageGroupId ?? "";
}

function notify(observer: () => void): void {
  try {
    observer();
  } catch {
    // An observer's error changes nothing the mapping does.
  }
}
