import type { Logger, RecordOutcome } from "@queue-processor/runtime";
import { describeValue } from "@queue-processor/runtime";
import type { SQSRecord } from "aws-lambda";
import { createOrder, type OrdersTable, updateOrder } from "./orders.js";
import { DEFAULT_MAX_FUTURE_SKEW_SECONDS, parseOrderEvent } from "./schema.js";

/** How the order processor treats time. Unknown keys are rejected: a misspelled option must not be ignored. */
export interface OrderProcessorOptions {
  /**
   * How far ahead of this processor's clock an event's timestamp may be, in seconds: 0-86,400. Default
   * 300, the clock skew SigV4 itself tolerates: a producer whose clock runs further ahead cannot sign
   * its SendMessage, so a time further ahead was not stamped by a working producer's clock. An update
   * dated ahead wins over every update until that time, freezing the order's status meanwhile; such a
   * message is poison (`timestamp-in-future`), kept in the DLQ for a redrive once the clocks agree.
   */
  readonly maxFutureSkewSeconds?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
}

export const MAX_FUTURE_SKEW_SECONDS_LIMIT = 86_400;
const KNOWN_OPTIONS = ["maxFutureSkewSeconds", "now"];

/**
 * The record handler for order events, its options checked now: each record is validated (poison if
 * not valid), then applied to the table idempotently and in order.
 */
export function orderRecordHandler(
  table: OrdersTable,
  logger: Logger,
  options: OrderProcessorOptions = {},
): (record: SQSRecord) => Promise<RecordOutcome> {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new TypeError(`${key} is not an order processor option (allowed: ${KNOWN_OPTIONS.join(", ")})`);
    }
  }
  const skew = options.maxFutureSkewSeconds ?? DEFAULT_MAX_FUTURE_SKEW_SECONDS;
  if (!Number.isInteger(skew) || skew < 0 || skew > MAX_FUTURE_SKEW_SECONDS_LIMIT) {
    throw new RangeError(
      `maxFutureSkewSeconds must be a whole number of seconds from 0 to ${MAX_FUTURE_SKEW_SECONDS_LIMIT} (got ${describeValue(skew)})`,
    );
  }
  const now = options.now ?? Date.now;
  return async (record) => {
    const event = parseOrderEvent(record.body, { now: now(), maxFutureSkewSeconds: skew });
    const outcome = event.type === "order_created" ? await createOrder(table, event) : await updateOrder(table, event);
    logger.info(outcomeMessage[event.type][outcome], {
      messageId: record.messageId,
      correlationId: event.correlation_id,
      orderId: event.data.order_id,
      // A count above 1 says the effect landed on a redelivery: what an operator looks for after a crash.
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
    });
    return outcome;
  };
}

const outcomeMessage = {
  order_created: { processed: "order created", duplicate: "order already exists, create ignored", ignored: "" },
  order_updated: { processed: "order updated", ignored: "stale or repeated update ignored", duplicate: "" },
} as const;
