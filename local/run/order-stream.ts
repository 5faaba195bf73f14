import { createHash } from "node:crypto";
import { type OrderEventInput, orderEventMessage } from "../../functions/order-processor/producer.js";
import type { OutgoingMessage } from "../../functions/runtime/index.js";
import { seededRandom } from "./seeded-random.js";

type StreamMessageKind = "create" | "update" | "duplicate" | "stale-update" | "early-update" | "poison";

export interface StreamMessage {
  /** What to send: from orderEventMessage for order events, a raw body (plus FIFO ids) for unparseable poison. */
  readonly message: OutgoingMessage;
  readonly kind: StreamMessageKind;
  readonly orderId: string;
  /** The id the function logs; a duplicate shares its original's. Absent when the body cannot be parsed. */
  readonly correlationId?: string;
  /** Poison only: the `dlq-reason` the message must reach the dead-letter queue with (were no filter in the way). */
  readonly poisonReason?: string;
  /** Whether the dev event source mapping's filter on `body.type` lets the message through. */
  readonly passesFilter: boolean;
}

export interface OrderStream {
  readonly messages: readonly StreamMessage[];
  /** Orders whose first table write a fault proxy fails; none has an early update, so each fault is the only retry cause. */
  readonly transientOrders: ReadonlySet<string>;
  /** Orders with valid events (poison orders not counted). */
  readonly orders: number;
}

export interface OrderStreamOptions {
  readonly count: number;
  /** Share of messages that are poison, 0-1. */
  readonly poisonShare: number;
  /** Share of messages belonging to transientOrders, 0-1 (approximate: whole orders are chosen). */
  readonly transientShare: number;
  readonly seed: number;
  /**
   * FIFO: messages carry group (the order id) and deduplication ids, and there are no early updates:
   * one would block its group, the create behind it included, until its retries ran out.
   */
  readonly fifo?: boolean;
}

const START = Date.UTC(2026, 0, 15, 8, 0, 0);
/** Statuses in lifecycle order, each update the next one: an update applied out of order shows in the final state. */
const LIFECYCLE = ["paid", "packed", "shipped", "in_transit", "delivered"] as const;
const CATALOG = [
  ["sku-espresso", 1250],
  ["sku-grinder", 8999],
  ["sku-filter", 450],
  ["sku-mug", 1575],
  ["sku-beans", 1899],
] as const;
/** A producer retry re-sends something it sent moments ago, not an hour ago. */
const RETRY_WINDOW = 50;

type EventTemplate = (orderId: string, timestamp: string) => Omit<OrderEventInput, "correlationId">;
const GOOD = { customer_id: "cust-0001", items: [{ sku: "sku-mug", quantity: 1, unit_price: 15.75 }], total: 15.75 };
const badCreate =
  (changes: object, timestamp?: string): EventTemplate =>
  (order_id, now) => ({ type: "order_created", data: { order_id, ...GOOD, ...changes }, timestamp: timestamp ?? now });
const badUpdate =
  (status: string, timestamp?: string): EventTemplate =>
  (order_id, now) => ({ type: "order_updated", data: { order_id, status }, timestamp: timestamp ?? now });
/** Schema violations: their type passes the dev filter, so they reach the function and must be dead-lettered. */
const SCHEMA_VIOLATIONS: readonly EventTemplate[] = [
  badCreate({ customer_id: undefined }),
  badCreate({ total: -15.75 }),
  badCreate({ items: [], total: 0 }),
  badCreate({ items: [{ sku: "sku-mug", quantity: 0 }] }),
  badCreate({ total: "15.75" }),
  badCreate({}, "2026-02-30T10:00:00.000Z"),
  badUpdate("shipped", "yesterday"),
  badUpdate("Shipped"),
  badUpdate(""),
];

interface ActiveOrder {
  readonly id: string;
  /** Updates sent so far, and planned in all: the next update's status is LIFECYCLE[sent]. */
  sent: number;
  readonly planned: number;
}

export function generateOrderStream(options: OrderStreamOptions): OrderStream {
  const { count, poisonShare, transientShare, seed } = options;
  const invalid =
    !Number.isInteger(count) || count < 0
      ? "count"
      : !Number.isInteger(seed)
        ? "seed"
        : !(poisonShare >= 0 && poisonShare <= 1)
          ? "poisonShare"
          : !(transientShare >= 0 && transientShare <= 1)
            ? "transientShare"
            : undefined;
  if (invalid)
    throw new RangeError(
      `${invalid} is out of range: count and seed must be integers (count >= 0), shares between 0 and 1`,
    );
  const fifo = options.fifo ?? false;
  const random = seededRandom(seed);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const messages: StreamMessage[] = [];
  const active: ActiveOrder[] = [];
  const recent: StreamMessage[] = [];
  const earlyOrders = new Set<string>();
  let clock = START;
  let orderNumber = 0;
  let correlationNumber = 0;
  // The clock only moves forward, so every event's timestamp is distinct and an order's events increase.
  const tick = () => {
    clock += between(1, 2000);
    return new Date(clock).toISOString();
  };
  const newOrderId = () => `order-${String(++orderNumber).padStart(6, "0")}`;
  const newCorrelationId = () => `corr-${(seed >>> 0).toString(16)}-${String(++correlationNumber).padStart(6, "0")}`;

  const sendEvent = (kind: StreamMessageKind, event: Omit<OrderEventInput, "correlationId">) => {
    const correlationId = newCorrelationId();
    const sent: StreamMessage = {
      message: orderEventMessage({ ...event, correlationId }, { fifo }),
      kind,
      orderId: event.data.order_id,
      correlationId,
      passesFilter: true,
    };
    messages.push(sent);
    recent.push(sent);
    if (recent.length > RETRY_WINDOW) recent.shift();
  };
  const updateEvent = (order: ActiveOrder, timestamp: string) => ({
    type: "order_updated" as const,
    // Invariant: an order plans at most LIFECYCLE.length updates, and none is sent past its plan.
    data: { order_id: order.id, status: itemAt(LIFECYCLE, order.sent++) },
    timestamp,
  });

  const create = (early: boolean) => {
    const order: ActiveOrder = { id: newOrderId(), sent: 0, planned: between(early ? 1 : 0, LIFECYCLE.length) };
    const created = {
      type: "order_created" as const,
      data: { order_id: order.id, ...orderContents(random) },
      timestamp: tick(),
    };
    if (early) {
      // The update is newer than the create but overtakes it; the create right behind lands before its first retry.
      earlyOrders.add(order.id);
      sendEvent("early-update", updateEvent(order, tick()));
    }
    sendEvent("create", created);
    if (order.sent < order.planned) active.push(order);
  };
  const update = (order: ActiveOrder, pairAllowed: boolean) => {
    if (!pairAllowed || order.planned - order.sent < 2) {
      sendEvent("update", updateEvent(order, tick()));
    } else {
      // Two updates overtaking each other: the older one, arriving second, must be ignored.
      const older = updateEvent(order, tick());
      sendEvent("update", updateEvent(order, tick()));
      sendEvent("stale-update", older);
    }
    if (order.sent === order.planned) active.splice(active.indexOf(order), 1);
  };
  const duplicate = () => {
    messages.push({ ...pick(recent, random), kind: "duplicate" });
  };

  // Poison goes where the remaining slots say, so there is exactly round(count x poisonShare) of it.
  const poisonTotal = Math.round(count * poisonShare);
  let poisonLeft = poisonTotal;
  while (messages.length < count) {
    const slots = count - messages.length;
    if (random() * slots < poisonLeft) {
      poisonLeft -= 1;
      messages.push(poisonMessage(newOrderId(), newCorrelationId(), tick(), random, fifo));
      continue;
    }
    const pairAllowed = slots - poisonLeft >= 2;
    const roll = random();
    if (active.length === 0 || roll < 0.3) {
      create(pairAllowed && !fifo && random() < 0.1);
    } else if (roll < 0.37 && recent.length > 0) {
      duplicate();
    } else {
      update(pick(active, random), pairAllowed && roll < 0.45);
    }
  }
  const transientOrders = chooseTransientOrders(messages, earlyOrders, Math.round(count * transientShare), random);
  // Every valid order has a create and its own number; every poison message took one number too.
  return { messages, transientOrders, orders: orderNumber - poisonTotal };
}

function orderContents(random: () => number): { customer_id: string; items: object[]; total: number } {
  const lines = 1 + Math.floor(random() * 3);
  const first = Math.floor(random() * CATALOG.length);
  const items: object[] = [];
  let cents = 0;
  for (let line = 0; line < lines; line++) {
    const [sku, price] = itemAt(CATALOG, (first + line) % CATALOG.length);
    const quantity = 1 + Math.floor(random() * 4);
    cents += quantity * price;
    // unit_price is optional in the schema; leaving it out now and then keeps that path exercised.
    items.push(random() < 0.9 ? { sku, quantity, unit_price: price / 100 } : { sku, quantity });
  }
  return { customer_id: `cust-${String(1 + Math.floor(random() * 500)).padStart(4, "0")}`, items, total: cents / 100 };
}

function poisonMessage(
  orderId: string,
  correlationId: string,
  timestamp: string,
  random: () => number,
  fifo: boolean,
): StreamMessage {
  const variant = random();
  if (variant < 0.2) {
    // What the filter removes: their reason is what the function would give them without a filter.
    const unknownType = variant < 0.1;
    const data = { order_id: orderId, customer_id: "cust-0001" };
    const json = JSON.stringify({
      type: unknownType ? "order_deleted" : "order_created",
      data,
      timestamp,
      correlation_id: correlationId,
    });
    // Cut off mid-object: unparseable, yet still naming its own order, so every body is unique.
    const body = unknownType ? json : json.slice(0, -12);
    const ids = fifo ? { groupId: orderId, deduplicationId: createHash("sha256").update(body).digest("hex") } : {};
    const poison = unknownType ? { correlationId, poisonReason: "unknown-type" } : { poisonReason: "malformed-json" };
    return { message: { body, ...ids }, kind: "poison", orderId, ...poison, passesFilter: false };
  }
  const template = pick(SCHEMA_VIOLATIONS, random);
  const message = orderEventMessage({ ...template(orderId, timestamp), correlationId }, { fifo });
  return { message, kind: "poison", orderId, correlationId, poisonReason: "schema-violation", passesFilter: true };
}

/** Whole orders, shuffled, added while they fit under the target number of messages. */
function chooseTransientOrders(
  messages: readonly StreamMessage[],
  excluded: ReadonlySet<string>,
  target: number,
  random: () => number,
): Set<string> {
  const perOrder = new Map<string, number>();
  for (const { kind, orderId } of messages)
    if (kind !== "poison") perOrder.set(orderId, (perOrder.get(orderId) ?? 0) + 1);
  const candidates = [...perOrder].filter(([id]) => !excluded.has(id));
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [itemAt(candidates, j), itemAt(candidates, i)];
  }
  const chosen = new Set<string>();
  let covered = 0;
  for (const [id, size] of candidates) {
    if (covered + size > target) continue;
    chosen.add(id);
    covered += size;
  }
  return chosen;
}

/** One of `items`, chosen by `random`: callers only pick from lists they know are not empty. */
function pick<T>(items: readonly T[], random: () => number): T {
  return itemAt(items, Math.floor(random() * items.length));
}

/** `items[index]` for an index the caller knows is in range; fails loudly if that ever stops being true. */
function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`index ${index} is outside a list of ${items.length}`);
  return item;
}
