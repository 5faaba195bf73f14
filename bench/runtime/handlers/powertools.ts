/**
 * The order processor built on Powertools for AWS Lambda 2.35, doing what
 * functions/order-processor/handler.ts does: Batch (standard and FIFO), Logger, Metrics (EMF) and
 * Idempotency (DynamoDB persistence layer); the same DynamoDB and SQS clients; the same body
 * validation and the same DynamoDB put/update per record (the project's schema.ts and orders.ts, so
 * the two bundles differ only in the framework); poison bodies sent to the dead-letter queue and
 * transient failures delayed with ChangeMessageVisibility, which Powertools leaves to the handler.
 * Only bundled and required by bench/runtime.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { createOrder, updateOrder } from "../../../functions/order-processor/orders.js";
import { type OrderEvent, parseOrderEvent } from "../../../functions/order-processor/schema.js";
import { PoisonMessageError, TransientError } from "../../../functions/runtime/errors.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} must be set`);
  return value;
}

const clientOptions = { maxAttempts: 3, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } };
const sqs = new SQSClient(clientOptions);
const dynamo = new DynamoDBClient(clientOptions);
const table = { client: dynamo, tableName: required("TABLE_NAME") };
const deadLetterQueueUrl = required("DLQ_URL");
const queueUrl = process.env.QUEUE_URL;

const logger = new Logger({ serviceName: "orders" });
const metrics = new Metrics({ namespace: "Orders", serviceName: "orders" });
const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: "messageId" });
const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: table.tableName,
  keyAttr: "pk",
  sortKeyAttr: "sk",
  awsSdkV3Client: dynamo,
});
const standardProcessor = new BatchProcessor(EventType.SQS);
const fifoProcessor = new SqsFifoPartialProcessorAsync();

const processOrder = makeIdempotent(
  async (record: SQSRecord): Promise<string> => {
    let event: OrderEvent;
    try {
      event = parseOrderEvent(record.body);
    } catch (error) {
      if (!(error instanceof PoisonMessageError)) throw error;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MessageBody: record.body || "(empty body)",
          MessageAttributes: { "dlq-reason": { DataType: "String", StringValue: error.reason } },
          ...(record.eventSourceARN.endsWith(".fifo")
            ? {
                MessageGroupId: record.attributes.MessageGroupId ?? "dead-letter",
                MessageDeduplicationId: record.messageId,
              }
            : {}),
        }),
      );
      logger.error("poison message sent to the dead-letter queue", {
        messageId: record.messageId,
        reason: error.reason,
      });
      metrics.addMetric("RecordsPoisoned", MetricUnit.Count, 1);
      return "poisoned";
    }
    const outcome = event.type === "order_created" ? await createOrder(table, event) : await updateOrder(table, event);
    logger.info(`order ${outcome}`, {
      messageId: record.messageId,
      correlationId: event.correlation_id,
      orderId: event.data.order_id,
    });
    metrics.addMetric(outcome === "processed" ? "RecordsSucceeded" : "RecordsIgnored", MetricUnit.Count, 1);
    return outcome;
  },
  { persistenceStore, config: idempotencyConfig },
);

async function recordHandler(record: SQSRecord): Promise<string> {
  try {
    return await processOrder(record);
  } catch (error) {
    metrics.addMetric("RecordsFailed", MetricUnit.Count, 1);
    logger.warn("record failed, will retry", { messageId: record.messageId, error: error as Error });
    if (error instanceof TransientError && queueUrl) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount);
      const seconds = Math.min(300, 5 * 2 ** Math.min(receiveCount - 1, 10));
      await sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: seconds,
          }),
        )
        .catch((visibilityError: unknown) =>
          logger.warn("visibility change failed", { error: visibilityError as Error }),
        );
    }
    throw error;
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  idempotencyConfig.registerLambdaContext(context);
  const processor = event.Records[0]?.eventSourceARN.endsWith(".fifo") ? fifoProcessor : standardProcessor;
  try {
    metrics.addMetric("RecordsReceived", MetricUnit.Count, event.Records.length);
    return await processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
  } finally {
    metrics.publishStoredMetrics();
  }
};
