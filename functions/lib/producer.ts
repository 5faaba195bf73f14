import type { MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import { checkMessage, messageBytes } from "./message-checks.js";
import { checkArguments, resolveSendOptions, type ResolvedSendOptions } from "./producer-options.js";
import { nextBatch, type RoundState, type Slot } from "./send-batches.js";
import { applyOutcomes, blockGroup, markFailed, settleGroup, type SendState } from "./send-outcomes.js";
import { sendRequest } from "./send-request.js";

export interface OutgoingMessage {
  readonly body: string;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  /** FIFO queues: required. */
  readonly groupId?: string;
  /** FIFO queues: required unless the queue has content-based deduplication. */
  readonly deduplicationId?: string;
  /** Standard queues only, 0-900. */
  readonly delaySeconds?: number;
}

export type SendResult =
  | { readonly index: number; readonly status: "sent"; readonly messageId: string; readonly attempts: number }
  | {
      readonly index: number;
      readonly status: "failed";
      readonly code: string;
      readonly reason: string;
      readonly attempts: number;
      readonly senderFault: boolean;
    };

export interface SendMessagesOptions {
  /**
   * Most bytes in one SendMessageBatch request (sum of bodies + attribute names, types and values).
   * Default 1_048_576 (SQS's limit); allowed 1024-1_048_576.
   */
  readonly maxBatchBytes?: number;
  /** Attempts per message, first try included. Default 5, allowed 1-20. */
  readonly maxAttempts?: number;
  /**
   * Exponential backoff with jitter between retry rounds: base and cap in ms. Default { baseMs: 50, maxMs: 2000 };
   * allowed 1-15000, maxMs at least baseMs.
   */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Default: the queue URL ends in ".fifo". */
  readonly fifo?: boolean;
  /** Injected for tests (default setTimeout-based sleep, Math.random). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Requests in flight at once: enough to overlap round trips, few enough not to provoke throttling. */
export const MAX_IN_FLIGHT = 4;

/** Equal jitter: the floor still doubles each round, so a throttled queue really gets a pause. */
function backoffDelay(retryRound: number, options: ResolvedSendOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (retryRound - 1));
  return Math.min(ceiling, Math.round(ceiling / 2 + (options.random() * ceiling) / 2));
}

async function runRound(client: SQSClient, queueUrl: string, state: SendState): Promise<number> {
  const round: RoundState = { held: new Set(), busy: new Set(), deferred: new Set() };
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  for (;;) {
    while (inFlight.size < MAX_IN_FLIGHT) {
      const batch = nextBatch(state.slots, round, state.options);
      if (batch.length === 0) break;
      started += 1;
      const groups = new Set<string>();
      for (const slot of batch) {
        slot.inFlight = true;
        slot.attempts += 1;
        if (slot.group !== undefined) groups.add(slot.group);
      }
      for (const group of groups) round.busy.add(group);
      const request: Promise<void> = sendRequest(client, queueUrl, batch).then((outcomes) => {
        inFlight.delete(request);
        for (const slot of batch) slot.inFlight = false;
        for (const group of groups) round.busy.delete(group);
        applyOutcomes(state, round, batch, outcomes);
        for (const group of groups) settleGroup(state.groups.get(group) ?? []);
      });
      inFlight.add(request);
    }
    if (inFlight.size === 0) return started;
    await Promise.race(inFlight);
  }
}

/**
 * Sends every message, in batches; resolves with exactly one result per input message, in input order.
 * Never drops a message silently. Rejects with a TypeError, before sending anything, on bad arguments.
 */
export async function sendMessages(
  client: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
  options?: SendMessagesOptions,
): Promise<SendResult[]> {
  checkArguments(queueUrl, messages);
  const resolved = resolveSendOptions(queueUrl, options);
  const slots: Slot[] = [];
  const groups = new Map<string, Slot[]>();
  for (const [index, message] of messages.entries()) {
    const problem = checkMessage(message, resolved.fifo, resolved.maxBatchBytes);
    const groupId: unknown = (message as Partial<OutgoingMessage> | null)?.groupId;
    const group = resolved.fifo && typeof groupId === "string" && groupId.length > 0 ? groupId : undefined;
    const slot: Slot = {
      index,
      message,
      bytes: problem === undefined ? messageBytes(message) : 0,
      group,
      attempts: 0,
      inFlight: false,
      messageId: undefined,
      result: undefined,
    };
    slots.push(slot);
    if (group !== undefined) {
      const members = groups.get(group) ?? [];
      members.push(slot);
      groups.set(group, members);
    }
    if (problem !== undefined) markFailed(slot, { ...problem, senderFault: true });
  }
  const state: SendState = { options: resolved, slots, groups };
  for (const slot of slots) {
    if (slot.result?.status === "failed" && slot.result.code !== "group-blocked" && slot.group !== undefined) {
      blockGroup(groups.get(slot.group) ?? [], slot);
    }
  }

  for (let retryRound = 0; slots.some((slot) => slot.result === undefined); retryRound += 1) {
    if (retryRound > 0) await resolved.sleep(backoffDelay(retryRound, resolved));
    if ((await runRound(client, queueUrl, state)) === 0) {
      throw new Error("sendMessages made no progress in a round with unsent messages; this is a bug in the producer");
    }
  }
  return slots.map((slot) => {
    if (slot.result === undefined) {
      throw new Error(`sendMessages finished without a result for message ${slot.index}; this is a bug in the producer`);
    }
    return slot.result;
  });
}
