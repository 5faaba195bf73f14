import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

export async function queueCounts(client: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** The function's `dlq-reason`; absent when SQS's redrive moved the message after maxReceiveCount. */
  readonly reason?: string;
  readonly details?: string;
}

/**
 * Reads every message in a dead-letter queue without removing it: each is made visible again
 * afterwards, so a user's own tools still find them all.
 */
export async function readDeadLetters(client: SQSClient, queueUrl: string): Promise<DeadLetter[]> {
  const found = new Map<string, DeadLetter>();
  const handles: { id: string; handle: string }[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const { MessageId: id, ReceiptHandle: handle, MessageAttributes, Body } of Messages) {
      // SQS gives every received message both; without them it could be neither counted nor made visible.
      if (id === undefined || handle === undefined)
        throw new Error(`${queueUrl} returned a message without an id or receipt handle`);
      handles.push({ id, handle });
      const reason = MessageAttributes?.["dlq-reason"]?.StringValue;
      const details = MessageAttributes?.["dlq-details"]?.StringValue;
      found.set(id, {
        messageId: id,
        body: Body ?? "",
        ...(reason !== undefined ? { reason } : {}),
        ...(details !== undefined ? { details } : {}),
      });
    }
  }
  for (let i = 0; i < handles.length; i += 10) {
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: handles
          .slice(i, i + 10)
          .map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.handle, VisibilityTimeout: 0 })),
      }),
    );
  }
  return [...found.values()];
}

/** Every item of a table, page by page, read consistently. */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
