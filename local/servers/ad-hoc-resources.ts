import { CreateTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

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
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterQueueArn,
          maxReceiveCount: options.maxReceiveCount ?? 3,
        }),
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
