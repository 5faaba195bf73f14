/**
 * One archived dead letter: the S3 object the archiver writes for each message of the dead-letter
 * queue, and what `ops archive replay` reads back. The key is a function of the dead letter alone
 * (its queue, the day SQS took it, its message id), so a redelivered dead letter lands on the same key
 * and is stored once.
 */
export const DEAD_LETTER_RECORD_FORMAT = "queue-processor/dead-letter@1";

/** Where archived dead letters go in the bucket unless the stack says otherwise. */
export const DEFAULT_ARCHIVE_PREFIX = "dead-letters/";

/** The reason recorded for a dead letter SQS moved after maxReceiveCount, which carries no `dlq-reason`. */
export const REDRIVEN_WITHOUT_REASON = "max-receive-count";

export interface ArchivedMessageAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  /** Base64, as SQS returns binary values. */
  readonly binaryValue?: string;
}

export interface ArchivedDeadLetter {
  readonly format: typeof DEAD_LETTER_RECORD_FORMAT;
  /** The dead letter's message id in the dead-letter queue. */
  readonly messageId: string;
  /** The original message's id in the source queue, when the runtime's `dlq-details` names it. */
  readonly sourceMessageId?: string;
  /** The `dlq-reason` the runtime attached, or {@link REDRIVEN_WITHOUT_REASON}. */
  readonly reason: string;
  readonly body: string;
  /** SQS's system attributes of the dead letter as received (SentTimestamp, ApproximateReceiveCount, ...). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Every message attribute, `dlq-reason` and `dlq-details` included. */
  readonly messageAttributes: Readonly<Record<string, ArchivedMessageAttribute>>;
  /** The queue the message failed on: `dlq-details.sourceQueueArn`, or the redrive source; undefined if unknown. */
  readonly sourceQueueArn?: string;
  readonly deadLetterQueueArn: string;
  /** When SQS took the dead letter (its SentTimestamp), ISO 8601. */
  readonly sentAt: string;
  /** When the archiver stored it, ISO 8601. */
  readonly archivedAt: string;
}

/** `<prefix><dead-letter queue name>/<yyyy>/<mm>/<dd>/<message id>.json`, the day being `sentAt`'s (UTC). */
export function archiveKey(
  prefix: string,
  deadLetter: Pick<ArchivedDeadLetter, "deadLetterQueueArn" | "messageId" | "sentAt">,
): string {
  const queueName = deadLetter.deadLetterQueueArn.split(":").at(-1) ?? "";
  const day = deadLetter.sentAt.slice(0, 10).replaceAll("-", "/");
  return `${prefix}${queueName}/${day}/${deadLetter.messageId}.json`;
}
