import { createHash, randomUUID } from "node:crypto";
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  type OutgoingMessage,
  type SendMessagesOptions,
  type SendResult,
  sendMessages,
} from "@queue-processor/runtime";
import type { OrderEvent } from "./schema.js";

/** An order event to send: seed 002's message without the envelope fields the producer fills in. */
export interface OrderEventInput {
  readonly type: OrderEvent["type"];
  readonly data: Readonly<Record<string, unknown>> & { readonly order_id: string };
  /** ISO 8601; default now. */
  readonly timestamp?: string;
  /** Default: a new UUID. */
  readonly correlationId?: string;
}

/**
 * The SQS message for an order event. On FIFO queues the group is the order id, so one order's events
 * stay in order while different orders flow in parallel (the seed grouped by customer, which lets
 * an update without customer_id fall into one "default" group). The deduplication id hashes type,
 * order, timestamp and data: a retried send of the same event is deduplicated, while two different
 * updates of one order within SQS's 5-minute window are not (the seed's `<order_id>-<type>` would
 * silently drop the second).
 */
export function orderEventMessage(event: OrderEventInput, queue: { fifo: boolean }): OutgoingMessage {
  const timestamp = event.timestamp ?? new Date().toISOString();
  const body = JSON.stringify({
    type: event.type,
    data: event.data,
    timestamp,
    correlation_id: event.correlationId ?? randomUUID(),
  });
  const deduplicationId = createHash("sha256")
    .update(JSON.stringify([event.type, event.data.order_id, timestamp, event.data]))
    .digest("hex");
  // Standard queues take neither id (a group id would make them "fair queue" messages).
  return queue.fifo ? { body, groupId: event.data.order_id, deduplicationId } : { body };
}

/** Sends order events in batches of up to 10, in order; one result per event, never a silent drop. */
export function sendOrderEvents(
  client: SQSClient,
  queueUrl: string,
  events: readonly OrderEventInput[],
  options?: SendMessagesOptions,
): Promise<SendResult[]> {
  const queue = { fifo: options?.fifo ?? queueUrl.endsWith(".fifo") };
  return sendMessages(
    client,
    queueUrl,
    events.map((event) => orderEventMessage(event, queue)),
    options,
  );
}

/** Sends one order event; resolves with the SQS message id, or rejects with the reason it was not sent. */
export async function sendOrderEvent(
  client: SQSClient,
  queueUrl: string,
  event: OrderEventInput,
  options?: SendMessagesOptions,
): Promise<string> {
  const [result] = await sendOrderEvents(client, queueUrl, [event], options);
  if (result?.status === "sent") return result.messageId;
  throw new Error(
    `order event ${event.type} for ${event.data.order_id} was not sent: ${result?.status === "failed" ? `${result.code}: ${result.reason}` : "no result"}`,
  );
}
