import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { OutgoingMessage } from "@queue-processor/runtime";
import { REDRIVEN_WITHOUT_REASON } from "@queue-processor/runtime/archive";

/**
 * On each copy a redrive sends: the run's id. A copy that fails again comes back to the DLQ with it
 * (the runtime's DLQ copy and SQS's own redrive both keep message attributes), so the run knows it
 * arrived during the run and does not move it again: without it a redrive would chase its own copies
 * for as long as the pipeline keeps dead-lettering them.
 */
export const REDRIVE_RUN_ATTRIBUTE = "redrive-run";

/** SQS's limit of message attributes per message. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/** The attributes a dead letter or a redrive adds; a message sent back goes without them. */
const DEAD_LETTER_ATTRIBUTES = new Set(["dlq-reason", "dlq-details", REDRIVE_RUN_ATTRIBUTE]);

/** A message received from the dead-letter queue, as the ops verbs read it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** `dlq-reason`, or {@link REDRIVEN_WITHOUT_REASON} for one SQS moved after maxReceiveCount. */
  readonly reason: string;
  readonly body: string;
  /** When SQS took it (SentTimestamp), epoch ms. */
  readonly sentAtMs: number;
  readonly receiveCount: number;
  readonly groupId?: string;
  /** The redrive run whose copy this dead letter is, if any. */
  readonly redriveRun?: string;
  readonly message: Message;
}

export function toDeadLetter(message: Message): DeadLetter {
  const attributes = message.Attributes ?? {};
  const groupId = attributes.MessageGroupId;
  const redriveRun = message.MessageAttributes?.[REDRIVE_RUN_ATTRIBUTE]?.StringValue;
  return {
    messageId: String(message.MessageId),
    receiptHandle: String(message.ReceiptHandle),
    reason: message.MessageAttributes?.["dlq-reason"]?.StringValue || REDRIVEN_WITHOUT_REASON,
    body: message.Body ?? "",
    sentAtMs: Number(attributes.SentTimestamp ?? 0),
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
    ...(groupId ? { groupId } : {}),
    ...(redriveRun ? { redriveRun } : {}),
    message,
  };
}

/**
 * The message to send back: the body and the producer's attributes as they were. On FIFO the group is
 * kept, and the deduplication id is the dead letter's own id, so a send repeated after an interruption
 * within SQS's 5-minute window is dropped by SQS.
 */
export function sentBack(
  body: string,
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
  fifo: { groupId: string | undefined; deduplicationId: string } | undefined,
  redriveRun?: string,
): OutgoingMessage {
  const kept = Object.entries(attributes ?? {}).filter(([name]) => !DEAD_LETTER_ATTRIBUTES.has(name));
  // A message already at SQS's limit goes without the tag: the mover's time rule still applies to it.
  if (redriveRun !== undefined && kept.length < MAX_MESSAGE_ATTRIBUTES) {
    kept.push([REDRIVE_RUN_ATTRIBUTE, { DataType: "String", StringValue: redriveRun }]);
  }
  return {
    body,
    ...(kept.length > 0 ? { messageAttributes: Object.fromEntries(kept) } : {}),
    ...(fifo ? { deduplicationId: fifo.deduplicationId, ...(fifo.groupId ? { groupId: fifo.groupId } : {}) } : {}),
  };
}

/** `3 min`, `5 h`, `2 d`: an age at a glance. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
