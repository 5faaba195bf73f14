/**
 * The order processor written the way the project's seeds write handlers: the same two SDK clients
 * and the same DynamoDB put/update per record, a sequential loop, `JSON.parse` and hand-written field
 * checks, invalid bodies sent to the dead-letter queue. Only bundled and required by bench/runtime.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

const clientOptions = { maxAttempts: 3, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } };
const dynamo = new DynamoDBClient(clientOptions);
const sqs = new SQSClient(clientOptions);
const TABLE_NAME = required("TABLE_NAME");
const DLQ_URL = required("DLQ_URL");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

class InvalidMessage extends Error {}

type OrderMessage =
  | {
      type: "order_created";
      timestamp: string;
      data: { order_id: string; customer_id: string; items: unknown[]; total: number };
    }
  | { type: "order_updated"; timestamp: string; data: { order_id: string; status: string } };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const isText = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= 200;

function check(body: string): OrderMessage {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    throw new InvalidMessage("malformed-json");
  }
  if (!isObject(message)) throw new InvalidMessage("not an object");
  if (typeof message.timestamp !== "string" || Number.isNaN(Date.parse(message.timestamp)))
    throw new InvalidMessage("bad timestamp");
  const data = message.data;
  if (!isObject(data) || !isText(data.order_id)) throw new InvalidMessage("bad order_id");
  if (message.type === "order_created") {
    if (!isText(data.customer_id)) throw new InvalidMessage("bad customer_id");
    if (!Array.isArray(data.items) || data.items.length === 0) throw new InvalidMessage("bad items");
    for (const item of data.items) {
      if (!isObject(item) || !isText(item.sku) || !Number.isInteger(item.quantity) || Number(item.quantity) < 1)
        throw new InvalidMessage("bad item");
    }
    if (typeof data.total !== "number" || data.total < 0) throw new InvalidMessage("bad total");
  } else if (message.type === "order_updated") {
    if (typeof data.status !== "string" || !/^[a-z][a-z_]{0,49}$/.test(data.status))
      throw new InvalidMessage("bad status");
  } else {
    throw new InvalidMessage("unknown type");
  }
  return message as unknown as OrderMessage;
}

async function handle(record: SQSRecord): Promise<void> {
  let message: OrderMessage;
  try {
    message = check(record.body);
  } catch (error) {
    if (!(error instanceof InvalidMessage)) throw error;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: DLQ_URL,
        MessageBody: record.body || "(empty body)",
        MessageAttributes: { "dlq-reason": { DataType: "String", StringValue: error.message } },
      }),
    );
    return;
  }
  const pk = { S: `ORDER#${message.data.order_id}` };
  try {
    if (message.type === "order_created") {
      await dynamo.send(
        new PutItemCommand({
          TableName: TABLE_NAME,
          Item: {
            pk,
            sk: { S: "METADATA" },
            status: { S: "pending" },
            created_at: { S: message.timestamp },
            customer_id: { S: message.data.customer_id },
            items: { S: JSON.stringify(message.data.items) },
            total: { N: String(message.data.total) },
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } else {
      await dynamo.send(
        new UpdateItemCommand({
          TableName: TABLE_NAME,
          Key: { pk, sk: { S: "METADATA" } },
          UpdateExpression: "SET #status = :status, updated_at = :ts",
          ConditionExpression: "attribute_exists(pk) AND (attribute_not_exists(updated_at) OR updated_at < :ts)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":status": { S: message.data.status }, ":ts": { S: message.timestamp } },
        }),
      );
    }
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    console.log(JSON.stringify({ message: "duplicate or stale message ignored", messageId: record.messageId }));
  }
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const record of event.Records) {
    try {
      await handle(record);
    } catch (error) {
      console.error(JSON.stringify({ message: "record failed", messageId: record.messageId, error: String(error) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
