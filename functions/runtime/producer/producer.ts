import type { SQSClient } from "@aws-sdk/client-sqs";
import { checkMessage, messageBytes } from "./message-checks.js";
import { checkArguments, type ResolvedSendOptions, resolveSendOptions } from "./options.js";
import { nextBatch, type RoundState, type Slot } from "./send-batches.js";
import { applyOutcomes, blockGroup, markFailed, type SendState, settleGroup } from "./send-outcomes.js";
import { sendRequest } from "./send-request.js";
import type { OutgoingMessage, SendMessagesOptions, SendResult } from "./types.js";

/** Requests in flight at once: enough to overlap round trips, few enough not to provoke throttling. */
const MAX_IN_FLIGHT = 4;

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
      throw new Error(
        `sendMessages finished without a result for message ${slot.index}; this is a bug in the producer`,
      );
    }
    return slot.result;
  });
}
