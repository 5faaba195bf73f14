import { SQS } from "../aws-limits.js";
import type { OutgoingMessage, SendResult } from "./types.js";

/** SQS's limit on entries in one SendMessageBatch request. */
const MAX_BATCH_ENTRIES = SQS.batchRequest.maxEntries;

/** One input message and what has happened to it so far. */
export interface Slot {
  readonly index: number;
  readonly message: OutgoingMessage;
  readonly bytes: number;
  /** FIFO queues only; standard queues promise no order, so their messages have no group to keep in line. */
  readonly group: string | undefined;
  attempts: number;
  inFlight: boolean;
  /** The first MessageId SQS returned: once accepted, a message is in the queue whatever a re-send reports. */
  messageId: string | undefined;
  result: SendResult | undefined;
}

/** What may go into the next request of the current round. */
export interface RoundState {
  /** FIFO groups with a retryable failure this round: nothing more of them goes out before the next round. */
  readonly held: Set<string>;
  /** FIFO groups carried by a request in flight. */
  readonly busy: Set<string>;
  /** Standard-queue messages that failed this round and wait for the next. */
  readonly deferred: Set<number>;
}

export interface BatchLimits {
  readonly maxBatchBytes: number;
  readonly maxAttempts: number;
}

function eligible(slot: Slot, round: RoundState): boolean {
  if (slot.result !== undefined || slot.inFlight) return false;
  if (slot.group === undefined) return !round.deferred.has(slot.index);
  return !round.held.has(slot.group) && !round.busy.has(slot.group);
}

/**
 * The next request: up to 10 entries and maxBatchBytes, in input order. A message that does not fit is
 * skipped for a smaller later one, but in FIFO its group is closed for this request, since a later
 * message of the group must never travel ahead of it.
 */
export function nextBatch(slots: readonly Slot[], round: RoundState, limits: BatchLimits): Slot[] {
  const batch: Slot[] = [];
  const closed = new Set<string>();
  let bytes = 0;
  for (const slot of slots) {
    if (batch.length === MAX_BATCH_ENTRIES) break;
    if (!eligible(slot, round)) continue;
    if (slot.group !== undefined && closed.has(slot.group)) continue;
    if (bytes + slot.bytes > limits.maxBatchBytes) {
      if (slot.group !== undefined) closed.add(slot.group);
      continue;
    }
    batch.push(slot);
    bytes += slot.bytes;
    // A retry on its last attempt travels without later messages of its group: should it fail for good,
    // they are not in the queue yet and can be held back instead of landing after a gap.
    if (slot.group !== undefined && slot.attempts > 0 && slot.attempts === limits.maxAttempts - 1) {
      closed.add(slot.group);
    }
  }
  return batch;
}
