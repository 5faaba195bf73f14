import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "@aws-sdk/client-sqs";
import { SQS } from "../aws-limits.js";
import { matchesAnyPattern } from "./filter-pattern.js";
import { invokeHandler } from "./invocation.js";
import { deleteMessages, type PolledQueue, receiveMessages, releaseMessage } from "./queue-operations.js";
import { resolveSettings } from "./settings.js";
import type { EventSourceMapping, MappingOptions } from "./types.js";

/**
 * Lambda's SQS event source mapping, outside Lambda: polls a real SQS endpoint and invokes `handler` with
 * batches, deleting what succeeded and leaving the rest for the queue's visibility timeout and
 * redrive policy, as AWS does.
 */
export function createEventSourceMapping(options: MappingOptions): EventSourceMapping {
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
    const messages = await receiveMessages(queue, Math.min(SQS.receiveMaxMessages, settings.batchSize), 1);
    if (messages.length === 0 || settings.windowMs === 0) return messages;
    const windowEnd = Date.now() + settings.windowMs;
    while (running && messages.length < settings.batchSize) {
      const remaining = windowEnd - Date.now();
      if (remaining <= 0) break;
      const more = await receiveMessages(
        queue,
        Math.min(SQS.receiveMaxMessages, settings.batchSize - messages.length),
        remaining >= 1000 ? 1 : 0,
      );
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
    if (retry !== "all")
      await deleteMessages(
        queue,
        messages.filter((message) => message.MessageId === undefined || !retry.has(message.MessageId)),
      );
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
