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

// Added by the ops-dlq lane so `ops archive replay` compiles before the merge: the archiver lane owns
// this function, and the merge takes its version (same name and signature) in place of this one.
/** The archived dead letter in `text`, or an error naming the key and the field that is wrong. */
export function parseArchivedDeadLetter(text: string, key: string): ArchivedDeadLetter {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${key}: not JSON (${(error as Error).message})`);
  }
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (record.format !== DEAD_LETTER_RECORD_FORMAT) {
    throw new Error(
      `${key}: format must be ${JSON.stringify(DEAD_LETTER_RECORD_FORMAT)} (got ${JSON.stringify(record.format)})`,
    );
  }
  for (const field of ["messageId", "reason", "body", "deadLetterQueueArn", "sentAt", "archivedAt"]) {
    if (typeof record[field] !== "string") throw new Error(`${key}: ${field} must be a string`);
  }
  for (const field of ["attributes", "messageAttributes"]) {
    if (typeof record[field] !== "object" || record[field] === null)
      throw new Error(`${key}: ${field} must be an object`);
  }
  if (Number.isNaN(Date.parse(record.sentAt as string))) throw new Error(`${key}: sentAt must be an ISO 8601 time`);
  return record as unknown as ArchivedDeadLetter;
}
