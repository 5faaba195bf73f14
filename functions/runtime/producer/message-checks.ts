import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import { SQS } from "../aws-limits.js";
import { shown } from "./options.js";
import type { OutgoingMessage } from "./types.js";

/** SQS's limit on DelaySeconds of one message (15 minutes). */
const MAX_DELAY_SECONDS = SQS.deliveryDelaySeconds.max;

const utf8 = (text: string | undefined): number => (text === undefined ? 0 : Buffer.byteLength(text, "utf8"));

function attributeBytes(name: string, value: MessageAttributeValue): number {
  let bytes = utf8(name) + utf8(value.DataType) + utf8(value.StringValue) + (value.BinaryValue?.byteLength ?? 0);
  for (const item of value.StringListValues ?? []) bytes += utf8(item);
  for (const item of value.BinaryListValues ?? []) bytes += item.byteLength;
  return bytes;
}

/** What SQS counts against its size limits: body plus each attribute's name, data type and value. */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = utf8(message.body);
  for (const [name, value] of Object.entries(message.messageAttributes ?? {})) {
    bytes += attributeBytes(name, value);
  }
  return bytes;
}

export interface MessageProblem {
  readonly code: string;
  readonly reason: string;
}

/** Why SQS would refuse this message (or could never take it in one request), before it is sent. */
export function checkMessage(message: unknown, fifo: boolean, maxBatchBytes: number): MessageProblem | undefined {
  if (typeof message !== "object" || message === null) {
    const reason = `message must be an object with a string body (got ${shown(message)})`;
    return { code: "invalid-message", reason };
  }
  const { body, groupId, delaySeconds, messageAttributes } = message as OutgoingMessage;
  if (typeof body !== "string") {
    return { code: "invalid-body", reason: `body must be a string (got ${shown(body)})` };
  }
  if (body.length === 0) {
    const reason = `body must be at least 1 character long; SQS refuses empty messages (got "")`;
    return { code: "empty-body", reason };
  }
  if (fifo && (typeof groupId !== "string" || groupId.length === 0)) {
    return {
      code: "missing-group-id",
      reason: `groupId is required on a FIFO queue, a non-empty string (got ${shown(groupId)})`,
    };
  }
  if (fifo && delaySeconds !== undefined) {
    return {
      code: "invalid-delay",
      reason:
        "delaySeconds is not supported per message on a FIFO queue; set DelaySeconds on the queue instead " +
        `(got ${shown(delaySeconds)})`,
    };
  }
  if (
    delaySeconds !== undefined &&
    !(Number.isInteger(delaySeconds) && delaySeconds >= 0 && delaySeconds <= MAX_DELAY_SECONDS)
  ) {
    return {
      code: "invalid-delay",
      reason: `delaySeconds must be a whole number between 0 and ${MAX_DELAY_SECONDS} (got ${shown(delaySeconds)})`,
    };
  }
  const attributes: unknown = messageAttributes;
  if (
    attributes !== undefined &&
    (typeof attributes !== "object" ||
      attributes === null ||
      Object.values(attributes).some((value) => typeof value !== "object" || value === null))
  ) {
    return {
      code: "invalid-attributes",
      reason:
        "messageAttributes must map names to { DataType, StringValue | BinaryValue } objects " +
        `(got ${shown(attributes)})`,
    };
  }
  const bytes = messageBytes(message as OutgoingMessage);
  if (bytes > maxBatchBytes) {
    return {
      code: "too-large",
      reason:
        `message is ${bytes} bytes (body and attributes), more than maxBatchBytes ${maxBatchBytes}, ` +
        "so no request can carry it",
    };
  }
  return undefined;
}
