import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { MetricsOptions } from "@queue-processor/runtime";
import { createBatchHandler, createLogger, parseLogLevel } from "@queue-processor/runtime";
import { ORDERS_METRICS_NAMESPACE } from "./metrics-namespace.js";
import { MAX_FUTURE_SKEW_SECONDS_LIMIT, orderRecordHandler } from "./process-order.js";

/** Configuration comes from the environment the QueueProcessor construct sets; a missing value fails the cold start. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} must be set (the orders stack sets it)`);
  return value;
}

/** A whole number of seconds from the environment, or undefined when unset or empty; anything else fails the cold start. */
function optionalSeconds(name: string, max: number): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > max) {
    throw new RangeError(`${name} must be a whole number of seconds from 0 to ${max} (got ${JSON.stringify(raw)})`);
  }
  return Number(raw);
}

// Created once per container and reused by every invocation. The SDK reads AWS_ENDPOINT_URL_SQS and
// AWS_ENDPOINT_URL_DYNAMODB itself, so the same bundle runs against local servers.
// throwOnRequestTimeout: without it this SDK only logs a warning when requestTimeout passes, and a call
// that never answers holds its record until the invocation's deadline.
const clientOptions = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true },
};
const sqs = new SQSClient(clientOptions);
const table = { client: new DynamoDBClient(clientOptions), tableName: required("TABLE_NAME") };
const logger = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL) });

const processOrder = orderRecordHandler(table, logger, {
  maxFutureSkewSeconds: optionalSeconds("MAX_FUTURE_SKEW_SECONDS", MAX_FUTURE_SKEW_SECONDS_LIMIT),
});

/**
 * The handler, with its per-invocation metrics going to `metricsSink` instead of an EMF document on
 * standard output: the long-running consumer passes its PutMetricData publisher.
 */
export function createOrderHandler(
  metrics: { readonly sink?: MetricsOptions["sink"]; readonly service?: string } = {},
): ReturnType<typeof createBatchHandler> {
  return createBatchHandler(processOrder, {
    sqs,
    queueUrl: process.env.QUEUE_URL,
    deadLetterQueueUrl: required("DLQ_URL"),
    logger,
    metrics: { namespace: ORDERS_METRICS_NAMESPACE, ...metrics },
  });
}

export const handler = createOrderHandler();
