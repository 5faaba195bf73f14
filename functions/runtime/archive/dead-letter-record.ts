import { describeValue } from "../describe-value.js";

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

/** An archived object that is not a dead letter of this format; the message names the object's key and the field. */
export class ArchivedDeadLetterFormatError extends Error {
  override readonly name = "ArchivedDeadLetterFormatError";
}

const FIELDS: readonly (keyof ArchivedDeadLetter)[] = [
  "format",
  "messageId",
  "sourceMessageId",
  "reason",
  "body",
  "attributes",
  "messageAttributes",
  "sourceQueueArn",
  "deadLetterQueueArn",
  "sentAt",
  "archivedAt",
];
const SQS_QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** `arn:<partition>:sqs:<region>:<account>:<queue name>`, as every queue ARN of the format must be. */
export function isSqsQueueArn(value: unknown): value is string {
  return typeof value === "string" && SQS_QUEUE_ARN.test(value);
}
/** As `Date.prototype.toISOString` writes it, which is how the archiver writes every time. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The archived dead letter in `text`, the body of the object at `key`, checked field by field: a
 * replay must never send a half-read or foreign object back to a queue. Refused: text that is not
 * JSON, another format, a missing, mistyped or unknown field, times not in the archiver's ISO form,
 * and an object whose key is not the one {@link archiveKey} gives its contents (a copy under the wrong
 * name, or an edited message id). Every error names the key and the field.
 */
export function parseArchivedDeadLetter(text: string, key: string): ArchivedDeadLetter {
  const fail = (field: string, problem: string): never => {
    throw new ArchivedDeadLetterFormatError(`archived dead letter ${key}: ${field} ${problem}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail("(the object)", `is not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(value)) return fail("(the object)", `must be a JSON object (got ${describeValue(value)})`);
  const unknown = Object.keys(value).filter((field) => !FIELDS.includes(field as keyof ArchivedDeadLetter));
  if (unknown.length > 0)
    fail(unknown[0] ?? "", `is not a field of ${DEAD_LETTER_RECORD_FORMAT} (fields: ${FIELDS.join(", ")})`);
  if (value.format !== DEAD_LETTER_RECORD_FORMAT) {
    fail("format", `must be ${JSON.stringify(DEAD_LETTER_RECORD_FORMAT)} (got ${describeValue(value.format)})`);
  }
  const stringField = (
    field: string,
    options: { optional?: boolean; nonEmpty?: boolean; pattern?: RegExp; allowed?: string } = {},
  ) => {
    const found = value[field];
    if (found === undefined && options.optional) return undefined;
    if (typeof found !== "string") return fail(field, `must be a string (got ${describeValue(found)})`);
    if (options.nonEmpty && found === "") return fail(field, "must not be empty");
    if (options.pattern && !options.pattern.test(found)) {
      return fail(field, `must be ${options.allowed} (got ${describeValue(found)})`);
    }
    return found;
  };
  const instant = (field: string) => {
    const found = stringField(field, {
      pattern: ISO_INSTANT,
      allowed: "an ISO 8601 UTC time such as 2026-11-30T14:05:00.000Z",
    });
    if (Number.isNaN(Date.parse(found as string)) || new Date(found as string).toISOString() !== found) {
      fail(field, `must be a time that exists (got ${describeValue(found)})`);
    }
    return found as string;
  };
  const messageId = stringField("messageId", { nonEmpty: true }) as string;
  const sourceMessageId = stringField("sourceMessageId", { optional: true, nonEmpty: true });
  const reason = stringField("reason", { nonEmpty: true }) as string;
  const body = stringField("body") as string;
  const sourceQueueArn = stringField("sourceQueueArn", {
    optional: true,
    pattern: SQS_QUEUE_ARN,
    allowed: "an SQS queue ARN",
  });
  const deadLetterQueueArn = stringField("deadLetterQueueArn", {
    pattern: SQS_QUEUE_ARN,
    allowed: "an SQS queue ARN",
  }) as string;
  const sentAt = instant("sentAt");
  const archivedAt = instant("archivedAt");

  const attributes = value.attributes;
  if (!isPlainObject(attributes)) return fail("attributes", `must be an object (got ${describeValue(attributes)})`);
  for (const [name, attribute] of Object.entries(attributes)) {
    if (typeof attribute !== "string") fail(`attributes.${name}`, `must be a string (got ${describeValue(attribute)})`);
  }
  const messageAttributes = value.messageAttributes;
  if (!isPlainObject(messageAttributes)) {
    return fail("messageAttributes", `must be an object (got ${describeValue(messageAttributes)})`);
  }
  for (const [name, attribute] of Object.entries(messageAttributes)) {
    const field = `messageAttributes.${name}`;
    if (!isPlainObject(attribute)) fail(field, `must be an object (got ${describeValue(attribute)})`);
    const { dataType, stringValue, binaryValue, ...rest } = attribute as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined)
      fail(`${field}.${extra}`, "is not a field of a message attribute (fields: dataType, stringValue, binaryValue)");
    if (typeof dataType !== "string" || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      fail(
        `${field}.dataType`,
        `must be String, Number or Binary, optionally with a .label (got ${describeValue(dataType)})`,
      );
    }
    if (stringValue !== undefined && typeof stringValue !== "string") {
      fail(`${field}.stringValue`, `must be a string (got ${describeValue(stringValue)})`);
    }
    if (binaryValue !== undefined && (typeof binaryValue !== "string" || !BASE64.test(binaryValue))) {
      fail(`${field}.binaryValue`, `must be base64 text (got ${describeValue(binaryValue)})`);
    }
    if ((stringValue === undefined) === (binaryValue === undefined)) {
      fail(field, "must have exactly one of stringValue and binaryValue");
    }
  }

  const deadLetter: ArchivedDeadLetter = {
    format: DEAD_LETTER_RECORD_FORMAT,
    messageId,
    ...(sourceMessageId !== undefined ? { sourceMessageId } : {}),
    reason,
    body,
    attributes: attributes as Record<string, string>,
    messageAttributes: messageAttributes as Record<string, ArchivedMessageAttribute>,
    ...(sourceQueueArn !== undefined ? { sourceQueueArn } : {}),
    deadLetterQueueArn,
    sentAt,
    archivedAt,
  };
  const expectedSuffix = archiveKey("", deadLetter);
  if (!key.endsWith(expectedSuffix)) {
    fail(
      "(the key)",
      `does not match the contents: a dead letter of ${deadLetterQueueArn}, sent ${sentAt}, message ${messageId} is stored as <prefix>${expectedSuffix}`,
    );
  }
  return deadLetter;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
