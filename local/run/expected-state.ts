import type { OrderStream } from "./order-stream.js";

interface ExpectedItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unit_price?: number;
}

/** One order as the table must hold it once every event is processed; field names are the table's attributes. */
export interface ExpectedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly created_at: string;
  readonly customer_id: string;
  readonly items: readonly ExpectedItem[];
  readonly total: number;
  /** Only once an update was applied. */
  readonly updated_at?: string;
}

/** The stream's valid events: creates and updates (its poison is skipped before parsing). */
type SentEvent = SentCreate | SentUpdate;

interface SentCreate {
  readonly type: "order_created";
  readonly timestamp: string;
  readonly data: {
    readonly order_id: string;
    readonly customer_id: string;
    readonly items: readonly ExpectedItem[];
    readonly total: number;
  };
}

interface SentUpdate {
  readonly type: "order_updated";
  readonly timestamp: string;
  readonly data: { readonly order_id: string; readonly status: string };
}

/**
 * The final table derived from the events alone, by the rules the system promises (a create fixes the
 * order's contents, the newest update's status wins whatever the arrival order), deliberately without
 * the handler's code: a bug there must not be copied into the expectation. Orders that never get a
 * create are absent: their updates can never apply.
 */
export function expectedOrders(stream: Pick<OrderStream, "messages">): Map<string, ExpectedOrder> {
  const creates = new Map<string, SentCreate>();
  const newestUpdates = new Map<string, SentUpdate>();
  for (const { kind, message } of stream.messages) {
    if (kind === "poison") continue;
    const event = JSON.parse(message.body) as SentEvent;
    const orderId = event.data.order_id;
    if (event.type === "order_created") {
      // A re-sent create cannot change the order: the first one wins (the stream's duplicates are identical anyway).
      if (!creates.has(orderId)) creates.set(orderId, event);
    } else {
      const newest = newestUpdates.get(orderId);
      // The stream's timestamps are all UTC with milliseconds, so string order is time order.
      if (newest === undefined || event.timestamp > newest.timestamp) newestUpdates.set(orderId, event);
    }
  }
  const orders = new Map<string, ExpectedOrder>();
  for (const [orderId, created] of creates) {
    const update = newestUpdates.get(orderId);
    orders.set(orderId, {
      orderId,
      status: update?.data.status ?? "pending",
      created_at: created.timestamp,
      customer_id: created.data.customer_id,
      items: created.data.items,
      total: created.data.total,
      ...(update !== undefined ? { updated_at: update.timestamp } : {}),
    });
  }
  return orders;
}
