import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LOCAL_CREDENTIALS, startLocalDynamo, startLocalSqs, type LocalDynamo, type LocalSqs } from "../../functions/local/local-servers.js";
import type { SQSEvent } from "aws-lambda";
import { toSqsRecord } from "../../functions/local/sqs-record.js";

export const REGION = "us-east-1";
export const CREDENTIALS = LOCAL_CREDENTIALS;

/** The servers the tests run against: the same ones `npm run local` starts. */
export { startLocalDynamo, startLocalSqs, type LocalDynamo, type LocalSqs };

/** The orders table as the stack defines it: string pk and sk. */
export async function createOrdersTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
    }),
  );
}

export interface QueuePair {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
}

/** A work queue and its DLQ (same type), with redrive after `maxReceiveCount` receives. */
export async function createQueuePair(
  client: SQSClient,
  name: string,
  options: { fifo?: boolean; maxReceiveCount?: number; visibilityTimeoutSeconds?: number; maxMessageSizeBytes?: number } = {},
): Promise<QueuePair> {
  const suffix = options.fifo ? ".fifo" : "";
  const fifo = options.fifo ? { FifoQueue: "true" } : {};
  const size = { MaximumMessageSize: String(options.maxMessageSizeBytes ?? 262_144) };
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: { ...fifo, ...size } }),
  );
  const deadLetterQueueArn = await queueArn(client, dlq.QueueUrl!);
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: `${name}-queue${suffix}`,
      Attributes: {
        ...fifo,
        ...size,
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: options.maxReceiveCount ?? 3 }),
      },
    }),
  );
  return {
    queueUrl: queue.QueueUrl!,
    queueArn: await queueArn(client, queue.QueueUrl!),
    deadLetterQueueUrl: dlq.QueueUrl!,
    deadLetterQueueArn,
  };
}

export async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  return Attributes!.QueueArn!;
}

/** Receives until `count` messages arrived or `waitMs` passed, with every attribute. */
export async function receiveAll(
  client: SQSClient,
  queueUrl: string,
  count: number,
  waitMs = 3000,
): Promise<Message[]> {
  const messages: Message[] = [];
  const until = Date.now() + waitMs;
  while (messages.length < count && Date.now() < until) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

/** The record Lambda's SQS mapping would deliver for a received message: the local poller's own conversion. */
export { toSqsRecord };

export function toSqsEvent(messages: readonly Message[], eventSourceARN: string): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, eventSourceARN)) };
}
