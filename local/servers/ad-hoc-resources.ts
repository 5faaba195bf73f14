import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { createQueue } from "./create-queue.js";

// Resources made by hand, not from a synthesized stack: for scenarios and tests that need a queue
// pair or the table without synthesizing (see local-resources.ts for the stack-driven ones).

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
  options: {
    fifo?: boolean;
    maxReceiveCount?: number;
    visibilityTimeoutSeconds?: number;
    maxMessageSizeBytes?: number;
  } = {},
): Promise<QueuePair> {
  const suffix = options.fifo ? ".fifo" : "";
  const fifo = options.fifo ? { FifoQueue: "true" } : {};
  const size = { MaximumMessageSize: String(options.maxMessageSizeBytes ?? 262_144) };
  const deadLetterQueue = await createQueue(client, `${name}-dlq${suffix}`, { ...fifo, ...size });
  const queue = await createQueue(client, `${name}-queue${suffix}`, {
    ...fifo,
    ...size,
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueue.arn,
      maxReceiveCount: options.maxReceiveCount ?? 3,
    }),
  });
  return {
    queueUrl: queue.url,
    queueArn: queue.arn,
    deadLetterQueueUrl: deadLetterQueue.url,
    deadLetterQueueArn: deadLetterQueue.arn,
  };
}
