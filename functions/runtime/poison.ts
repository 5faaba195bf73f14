import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { SQS } from "./aws-limits.js";
import type { PoisonMessageError } from "./errors.js";
import { capText } from "./text-limits.js";

/** SQS allows 10 message attributes; the DLQ copy adds up to 2 of its own. */
const MAX_MESSAGE_ATTRIBUTES = SQS.maxMessageAttributes;
/** SQS's largest message since 2025, body and attributes together. */
const DEFAULT_MAX_MESSAGE_BYTES = SQS.maxMessageSizeBytes.max;
/** SQS refuses an empty body; an empty original is kept as this text, flagged in the details. */
const EMPTY_BODY_PLACEHOLDER = "(empty body)";

class DeadLetterSendError extends Error {
  override readonly name = "DeadLetterSendError";
}

/** How much of the reason fitted on the dead-letter copy. */
export type ReasonAttached = "reason-and-details" | "reason-only" | "none";

/** SQS counts the body and every attribute's name, type and value toward its size limit. */
function messageBytes(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let bytes = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    bytes +=
      value.StringValue !== undefined ? Buffer.byteLength(value.StringValue) : (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

const isSizeRejection = (error: unknown) =>
  /InvalidParameterValue|MessageTooLong/.test(String((error as Error)?.name)) &&
  /shorter than|too long|size/i.test(String((error as Error)?.message));

/**
 * Sends a poison record to the dead-letter queue: its original body and message attributes, plus
 * `dlq-reason` (the reason code) and `dlq-details` (JSON: error, source queue, message id, receive
 * count, times). The original always goes whole; the reason goes as far as SQS's limits allow:
 * with too many attributes or too little size left (a body at the queue's maximum size), first the
 * details, then the reason are left off, and the caller logs them instead. If even the original
 * alone cannot be sent, this throws, the record is reported failed, and SQS's own redrive moves it
 * untouched after maxReceiveCount. FIFO copies keep the group and deduplicate on the message id.
 * An empty body (possible only in a hand-made event) is sent as a placeholder, flagged `bodyWasEmpty`.
 */
export async function sendToDeadLetterQueue(
  client: SQSClient,
  deadLetterQueueUrl: string,
  record: SQSRecord,
  error: PoisonMessageError,
  options: { now?: number; maxMessageBytes?: number } = {},
): Promise<{ reasonAttached: ReasonAttached; deadLetterMessageId: string | undefined }> {
  const original = originalAttributes(record);
  const body = record.body === "" ? EMPTY_BODY_PLACEHOLDER : record.body;
  const details = {
    error: capText(error.message),
    sourceQueueArn: record.eventSourceARN,
    messageId: record.messageId,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
    sentTimestamp: Number(record.attributes?.SentTimestamp ?? 0) || undefined,
    failedAt: new Date(options.now ?? Date.now()).toISOString(),
    ...(record.body === "" ? { bodyWasEmpty: true } : {}),
  };
  const reason: MessageAttributeValue = { DataType: "String", StringValue: sqsText(capText(error.reason)) };
  const variants: [ReasonAttached, Record<string, MessageAttributeValue>][] = [
    [
      "reason-and-details",
      {
        ...original,
        "dlq-reason": reason,
        "dlq-details": { DataType: "String", StringValue: sqsText(JSON.stringify(details)) },
      },
    ],
    ["reason-only", { ...original, "dlq-reason": reason }],
    ["none", original],
  ];
  const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const fitting = variants.filter(
    ([, attributes]) =>
      Object.keys(attributes).length <= MAX_MESSAGE_ATTRIBUTES && messageBytes(body, attributes) <= limit,
  );
  if (fitting.length === 0) {
    throw new DeadLetterSendError(
      `message ${record.messageId} cannot be copied to the dead-letter queue: over SQS's size or attribute limits`,
    );
  }
  const fifo = record.eventSourceARN?.endsWith(".fifo")
    ? { MessageGroupId: record.attributes?.MessageGroupId ?? "dead-letter", MessageDeduplicationId: record.messageId }
    : {};
  for (const [index, [reasonAttached, attributes]] of fitting.entries()) {
    try {
      const sent = await client.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MessageBody: body,
          MessageAttributes: attributes,
          ...fifo,
        }),
      );
      return { reasonAttached, deadLetterMessageId: sent.MessageId };
    } catch (sendError) {
      // A DLQ with a smaller size limit than assumed: try the next, smaller copy.
      if (!isSizeRejection(sendError) || index === fitting.length - 1) throw sendError;
    }
  }
  throw new DeadLetterSendError(`message ${record.messageId} was not sent to the dead-letter queue`);
}

/**
 * `text` with every character SQS refuses in an attribute value written as a `\uXXXX` escape: in the
 * JSON details that is the same string once parsed (JSON.stringify already escaped control characters
 * and lone surrogates; U+FFFE and U+FFFF are left), in the reason a readable stand-in.
 */
function sqsText(text: string): string {
  // Only characters of the Basic Multilingual Plane are refused: each is one UTF-16 unit.
  return text.replace(
    SQS.invalidMessageCharacter,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The event's attribute casing back to the SDK's. */
function originalAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    attributes[name] = {
      DataType: value.dataType,
      ...(value.stringValue !== undefined ? { StringValue: value.stringValue } : {}),
      ...(value.binaryValue !== undefined ? { BinaryValue: Buffer.from(value.binaryValue, "base64") } : {}),
    };
  }
  return attributes;
}
