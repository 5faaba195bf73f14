import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  PurgeQueueCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { vi } from "vitest";
import { queueCounts } from "../../../local/run/run-inspection.js";
import { type BatchHandler, lambdaContext } from "../../support/bundled-handler.js";
import { type QueuePair, receiveAll, toSqsEvent } from "../../support/local-aws.js";

export const ORDER_ENTRY = "functions/order-processor/handler.ts";

/** The environment the orders stack gives the function, pointed at local servers. */
export function handlerEnvironment(options: {
  sqsEndpoint: string;
  dynamoEndpoint: string;
  tableName: string;
  queues: QueuePair;
  logLevel?: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: options.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    TABLE_NAME: options.tableName,
    QUEUE_URL: options.queues.queueUrl,
    DLQ_URL: options.queues.deadLetterQueueUrl,
    LOG_LEVEL: options.logLevel ?? "ERROR",
  };
}

export const created = (orderId: string, timestamp = "2026-11-01T10:00:00.000Z", data: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "order_created",
    data: {
      order_id: orderId,
      customer_id: "customer-1",
      items: [{ sku: "sku-1", quantity: 2, unit_price: 9.5 }],
      total: 19,
      ...data,
    },
    timestamp,
    correlation_id: `corr-${orderId}`,
  });

export const updated = (orderId: string, status: string, timestamp: string) =>
  JSON.stringify({
    type: "order_updated",
    data: { order_id: orderId, status },
    timestamp,
    correlation_id: `corr-${orderId}-${status}`,
  });

/** A queue pair with its handler, and the checks a test makes on the queues and the table afterwards. */
export class Pipeline {
  constructor(
    readonly sqs: SQSClient,
    readonly dynamo: DynamoDBClient,
    readonly queues: QueuePair,
    readonly handler: BatchHandler,
    readonly tableName: string,
  ) {}

  async send(bodies: readonly string[], fifo?: (index: number) => { group: string; dedup: string }): Promise<void> {
    for (const [index, body] of bodies.entries()) {
      const ids = fifo?.(index);
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queues.queueUrl,
          MessageBody: body,
          ...(ids ? { MessageGroupId: ids.group, MessageDeduplicationId: ids.dedup } : {}),
        }),
      );
    }
  }

  /** Receives `count` messages as Lambda's poller would, and builds the event from them. */
  async receiveEvent(count: number): Promise<{ event: SQSEvent; messages: Message[] }> {
    const messages = await receiveAll(this.sqs, this.queues.queueUrl, count);
    if (messages.length !== count) throw new Error(`expected ${count} messages, received ${messages.length}`);
    return { event: toSqsEvent(messages, this.queues.queueArn), messages };
  }

  /**
   * Invokes the handler and then does what the event source mapping does with the response: deletes
   * every record not reported failed. Returns the response and the EMF documents printed.
   */
  async invoke(
    event: SQSEvent,
    context: Context = lambdaContext(),
  ): Promise<{ response: SQSBatchResponse; metrics: Record<string, unknown>[]; logs: Record<string, unknown>[] }> {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let response: SQSBatchResponse;
    try {
      response = await this.handler(event, context);
    } finally {
      spy.mockRestore();
    }
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const record of event.Records) {
      if (!failed.has(record.messageId)) {
        await this.sqs
          .send(new DeleteMessageCommand({ QueueUrl: this.queues.queueUrl, ReceiptHandle: record.receiptHandle }))
          .catch(() => undefined);
      }
    }
    const json = lines
      .flatMap((line) => line.split("\n"))
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { response, metrics: json.filter((line) => "_aws" in line), logs: json.filter((line) => !("_aws" in line)) };
  }

  /** Every message in the dead-letter queue, read and removed, with its reason and details. */
  async deadLetters(expected: number) {
    const messages = await receiveAll(this.sqs, this.queues.deadLetterQueueUrl, expected, expected === 0 ? 300 : 3000);
    for (const message of messages) {
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.queues.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
    return messages.map((message) => ({
      body: message.Body!,
      reason: message.MessageAttributes?.["dlq-reason"]?.StringValue,
      details: JSON.parse(message.MessageAttributes?.["dlq-details"]?.StringValue ?? "{}") as Record<string, unknown>,
      attributes: message.MessageAttributes ?? {},
    }));
  }

  queueCounts(): Promise<{ visible: number; inFlight: number }> {
    return queueCounts(this.sqs, this.queues.queueUrl);
  }

  async makeVisible(receiptHandle: string): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queues.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }

  async purge(): Promise<void> {
    await this.sqs.send(new PurgeQueueCommand({ QueueUrl: this.queues.queueUrl }));
    await this.sqs.send(new PurgeQueueCommand({ QueueUrl: this.queues.deadLetterQueueUrl }));
  }

  /** The orders table as plain values, by order id. */
  async orders(): Promise<Record<string, Record<string, unknown>>> {
    const { Items = [] } = await this.dynamo.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true }));
    return Object.fromEntries(Items.map((item) => [String(item.pk?.S).replace(/^ORDER#/, ""), plain(item)]));
  }
}

function plain(item: Record<string, AttributeValue>): Record<string, unknown> {
  const value = (attribute: AttributeValue): unknown => {
    if (attribute.S !== undefined) return attribute.S;
    if (attribute.N !== undefined) return Number(attribute.N);
    if (attribute.BOOL !== undefined) return attribute.BOOL;
    if (attribute.NULL) return null;
    if (attribute.L) return attribute.L.map(value);
    if (attribute.M) return plain(attribute.M);
    return undefined;
  };
  return Object.fromEntries(Object.entries(item).map(([key, attribute]) => [key, value(attribute)]));
}
