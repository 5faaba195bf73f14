import type { SQSRecord } from "aws-lambda";
import {
  type ArchivedDeadLetter,
  type ArchivedMessageAttribute,
  DEAD_LETTER_RECORD_FORMAT,
  isSqsQueueArn,
  REDRIVEN_WITHOUT_REASON,
} from "../archive/dead-letter-record.js";
import { describeValue } from "../describe-value.js";

/** What the runtime's `dlq-details` attribute says about the original (see lib/poison.ts); all optional. */
interface DeadLetterDetails {
  readonly sourceQueueArn?: string;
  readonly messageId?: string;
}

/**
 * The archived form of one record of the dead-letter queue. The reason is the runtime's `dlq-reason`,
 * or {@link REDRIVEN_WITHOUT_REASON} for a message SQS moved after maxReceiveCount. The source queue
 * is the one `dlq-details` names, or SQS's `DeadLetterQueueSourceArn` when it gives one (left out when
 * neither is a queue ARN).
 * Throws when the record has no SentTimestamp or queue ARN: the archive key is made of them, and a
 * key made up here would store a redelivered dead letter twice.
 */
export function toArchivedDeadLetter(record: SQSRecord, archivedAt: Date): ArchivedDeadLetter {
  const sentTimestamp = Number(record.attributes?.SentTimestamp);
  if (!Number.isSafeInteger(sentTimestamp) || sentTimestamp <= 0) {
    throw new TypeError(
      `record ${record.messageId}: attributes.SentTimestamp must be milliseconds since 1970 (got ${describeValue(record.attributes?.SentTimestamp)})`,
    );
  }
  if (!isSqsQueueArn(record.eventSourceARN)) {
    throw new TypeError(
      `record ${record.messageId}: eventSourceARN must be the dead-letter queue's ARN (got ${describeValue(record.eventSourceARN)})`,
    );
  }
  const messageAttributes = archivedAttributes(record);
  const reason = messageAttributes["dlq-reason"]?.stringValue || REDRIVEN_WITHOUT_REASON;
  const details = parseDetails(messageAttributes["dlq-details"]?.stringValue);
  const redriveSource = (record.attributes as unknown as Record<string, unknown> | undefined)?.DeadLetterQueueSourceArn;
  const sourceQueueArn = [details.sourceQueueArn, redriveSource].find(isSqsQueueArn);
  return {
    format: DEAD_LETTER_RECORD_FORMAT,
    messageId: record.messageId,
    ...(details.messageId ? { sourceMessageId: details.messageId } : {}),
    reason,
    body: record.body,
    attributes: stringAttributes(record.attributes),
    messageAttributes,
    ...(sourceQueueArn ? { sourceQueueArn } : {}),
    deadLetterQueueArn: record.eventSourceARN,
    sentAt: new Date(sentTimestamp).toISOString(),
    archivedAt: archivedAt.toISOString(),
  };
}

function archivedAttributes(record: SQSRecord): Record<string, ArchivedMessageAttribute> {
  const archived: Record<string, ArchivedMessageAttribute> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    archived[name] = {
      dataType: value.dataType,
      ...(value.stringValue !== undefined ? { stringValue: value.stringValue } : {}),
      ...(value.binaryValue !== undefined ? { binaryValue: value.binaryValue } : {}),
    };
  }
  return archived;
}

function stringAttributes(attributes: SQSRecord["attributes"] | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** The details as far as they are readable: a hand-made or truncated attribute only costs the source queue. */
function parseDetails(text: string | undefined): DeadLetterDetails {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) return {};
    const { sourceQueueArn, messageId } = parsed as Record<string, unknown>;
    return {
      ...(typeof sourceQueueArn === "string" && sourceQueueArn ? { sourceQueueArn } : {}),
      ...(typeof messageId === "string" && messageId ? { messageId } : {}),
    };
  } catch {
    return {};
  }
}
