import type { ResolvedSendOptions } from "./options.js";
import type { RoundState, Slot } from "./send-batches.js";
import type { Failure, Outcome } from "./send-request.js";

export interface SendState {
  readonly options: ResolvedSendOptions;
  readonly slots: readonly Slot[];
  /** FIFO only: each group's slots in input order. */
  readonly groups: ReadonlyMap<string, readonly Slot[]>;
}

function markSent(slot: Slot): void {
  slot.result = { index: slot.index, status: "sent", messageId: slot.messageId ?? "", attempts: slot.attempts };
}

export function markFailed(slot: Slot, failure: Pick<Failure, "code" | "reason" | "senderFault">): void {
  const { code, reason, senderFault } = failure;
  slot.result = { index: slot.index, status: "failed", code, reason, attempts: slot.attempts, senderFault };
}

/**
 * `failed` has failed for good: every later message of its group that SQS has not accepted fails
 * unsent, since sending it would put it in the queue after a gap the consumer cannot see.
 */
export function blockGroup(groupSlots: readonly Slot[], failed: Slot): void {
  const code = failed.result?.status === "failed" ? failed.result.code : "unknown";
  for (const slot of groupSlots) {
    if (slot.index <= failed.index || slot.result !== undefined) continue;
    if (slot.messageId !== undefined) {
      markSent(slot);
      continue;
    }
    markFailed(slot, {
      code: "group-blocked",
      reason:
        `not sent: message ${failed.index} of FIFO group ${JSON.stringify(slot.group)} failed for good (${code}), ` +
        "and a group's later messages are never sent after a failed one",
      senderFault: false,
    });
  }
}

/** A group whose first unfinished message is already in the queue needs no re-send of it. */
export function settleGroup(groupSlots: readonly Slot[]): void {
  for (const slot of groupSlots) {
    if (slot.result !== undefined) continue;
    if (slot.messageId === undefined || slot.inFlight) return;
    markSent(slot);
  }
}

/**
 * Settles what a request decided. A message SQS accepted once is sent, whatever a re-send reports, as it
 * is in the queue. A retryable failure waits for the next round; in FIFO it holds its whole group.
 */
export function applyOutcomes(
  state: SendState,
  round: RoundState,
  batch: readonly Slot[],
  outcomes: ReadonlyMap<number, Outcome>,
): void {
  for (const slot of batch) {
    const outcome = outcomes.get(slot.index);
    if (outcome?.accepted) slot.messageId ??= outcome.messageId;
  }
  const canRetry = (slot: Slot, failure: Failure): boolean =>
    failure.retryable && slot.attempts < state.options.maxAttempts;

  const stopped = new Set<string>();
  for (const slot of batch) {
    const outcome = outcomes.get(slot.index);
    if (outcome === undefined || slot.result !== undefined) continue;
    const group = slot.group;
    if (group !== undefined && stopped.has(group)) continue;
    if (slot.messageId !== undefined || outcome.accepted) {
      markSent(slot);
      continue;
    }
    if (canRetry(slot, outcome)) {
      // In FIFO, this entry and all after it in its group, accepted or not, go again next round, in order.
      if (group === undefined) round.deferred.add(slot.index);
      else {
        round.held.add(group);
        stopped.add(group);
      }
      continue;
    }
    markFailed(slot, outcome);
    if (group !== undefined) {
      blockGroup(state.groups.get(group) ?? [], slot);
      stopped.add(group);
    }
  }
}
