import type { Message } from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";

/** The region named by an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>). */
export function regionOfArn(queueArn: string): string {
  return queueArn.split(":")[3] ?? "us-east-1";
}

/**
 * The record Lambda's SQS event source mapping delivers for a received message, in the event's
 * casing: `messageAttributes` use `stringValue`/`dataType`, binary values are base64.
 */
export function toSqsRecord(message: Message, eventSourceARN: string): SQSRecord {
  const messageAttributes: SQSRecord["messageAttributes"] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: present(value.DataType, `the DataType of message attribute ${name}`),
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: present(message.MessageId, "a MessageId"),
    receiptHandle: present(message.ReceiptHandle, "a ReceiptHandle"),
    body: message.Body ?? "",
    attributes: (message.Attributes ?? {}) as unknown as SQSRecord["attributes"],
    messageAttributes,
    // SQS always sends it; a hand-built message without one gets an empty digest.
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN,
    awsRegion: regionOfArn(eventSourceARN),
  };
}

/** A field SQS always returns with a received message; a message without it cannot be delivered. */
function present(value: string | undefined, what: string): string {
  if (value === undefined) throw new TypeError(`SQS returned a message without ${what}`);
  return value;
}
