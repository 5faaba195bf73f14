import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import { REDRIVEN_WITHOUT_REASON } from "../archive/dead-letter-record.js";
import type { OutgoingMessage } from "../lib/index.js";

/** The attributes the runtime adds to a dead letter; a message sent back goes without them. */
const DEAD_LETTER_ATTRIBUTES = new Set(["dlq-reason", "dlq-details"]);

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
  readonly message: Message;
}

export function toDeadLetter(message: Message): DeadLetter {
  const attributes = message.Attributes ?? {};
  const groupId = attributes.MessageGroupId;
  return {
    messageId: String(message.MessageId),
    receiptHandle: String(message.ReceiptHandle),
    reason: message.MessageAttributes?.["dlq-reason"]?.StringValue || REDRIVEN_WITHOUT_REASON,
    body: message.Body ?? "",
    sentAtMs: Number(attributes.SentTimestamp ?? 0),
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0),
    ...(groupId ? { groupId } : {}),
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
): OutgoingMessage {
  const kept = Object.entries(attributes ?? {}).filter(([name]) => !DEAD_LETTER_ATTRIBUTES.has(name));
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
