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
      dataType: value.DataType!,
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: (message.Attributes ?? {}) as unknown as SQSRecord["attributes"],
    messageAttributes,
    md5OfBody: message.MD5OfBody!,
    eventSource: "aws:sqs",
    eventSourceARN,
    awsRegion: regionOfArn(eventSourceARN),
  };
}
