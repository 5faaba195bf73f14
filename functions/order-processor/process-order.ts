import type { SQSRecord } from "aws-lambda";
import type { Logger } from "../lib/log.js";
import type { RecordOutcome } from "../lib/process-batch.js";
import { createOrder, type OrdersTable, updateOrder } from "./orders.js";
import { parseOrderEvent } from "./schema.js";

/** One order event: validated (poison if not), then applied to the table idempotently and in order. */
export async function processOrderRecord(
  record: SQSRecord,
  table: OrdersTable,
  logger: Logger,
): Promise<RecordOutcome> {
  const event = parseOrderEvent(record.body);
  const outcome = event.type === "order_created" ? await createOrder(table, event) : await updateOrder(table, event);
  logger.info(outcomeMessage[event.type][outcome], {
    messageId: record.messageId,
    correlationId: event.correlation_id,
    orderId: event.data.order_id,
    // A count above 1 says the effect landed on a redelivery: what an operator looks for after a crash.
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
  });
  return outcome;
}

const outcomeMessage = {
  order_created: { processed: "order created", duplicate: "order already exists, create ignored", ignored: "" },
  order_updated: { processed: "order updated", ignored: "stale or repeated update ignored", duplicate: "" },
} as const;
