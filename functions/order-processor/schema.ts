import * as v from "valibot";
import { PoisonMessageError } from "../lib/errors.js";

/** Bodies larger than this are refused before parsing: no real order comes near it. */
const MAX_BODY_BYTES = 256 * 1024;
const ORDER_EVENT_TYPES = ["order_created", "order_updated"] as const;

/**
 * ISO 8601 date-time, with or without a zone (the seed's Python producer sends naive UTC times),
 * normalized to UTC `YYYY-MM-DDTHH:mm:ss.sssZ` so that stored times compare as strings.
 */
const timestamp = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/, "must be an ISO 8601 date-time"),
  // Date() rolls 2026-02-31 over to 3 March; a date that does not exist is refused instead.
  v.check(isCalendarDateTime, "must be a real date and time"),
  v.transform((text) => new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`)),
  v.check((date) => !Number.isNaN(date.getTime()), "must be a real date"),
  v.transform((date) => date.toISOString()),
);
function isCalendarDateTime(text: string): boolean {
  // The pipe runs this check even when the format check failed: a missing part is NaN, which fails every comparison.
  const parts = (text.match(/\d+/g) ?? []).map(Number);
  const [year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = 0] = parts;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

const id = v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(200, "must be at most 200 characters"));
const amount = v.pipe(v.number(), v.finite(), v.minValue(0));

const orderItem = v.object({
  sku: id,
  quantity: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
  unit_price: v.optional(amount),
});

const orderCreatedData = v.object({
  order_id: id,
  customer_id: id,
  items: v.pipe(v.array(orderItem), v.minLength(1, "must hold at least one item"), v.maxLength(1000)),
  total: amount,
});

const orderUpdatedData = v.object({
  order_id: id,
  status: v.pipe(v.string(), v.regex(/^[a-z][a-z_]{0,49}$/, "must be a lower-case status word")),
});

const envelope = {
  timestamp,
  correlation_id: v.optional(id),
};

const orderEvent = v.variant("type", [
  v.object({ type: v.literal("order_created"), data: orderCreatedData, ...envelope }),
  v.object({ type: v.literal("order_updated"), data: orderUpdatedData, ...envelope }),
]);

export type OrderEvent = v.InferOutput<typeof orderEvent>;
export type OrderCreated = Extract<OrderEvent, { type: "order_created" }>;
export type OrderUpdated = Extract<OrderEvent, { type: "order_updated" }>;

/**
 * Parses and validates a message body. Every way a body can be wrong is poison, with its reason:
 * `empty-body`, `body-too-large`, `malformed-json`, `unknown-type`, `schema-violation`.
 */
export function parseOrderEvent(body: string): OrderEvent {
  if (body.length === 0) throw new PoisonMessageError("empty-body", "the message body is empty");
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > MAX_BODY_BYTES) {
    throw new PoisonMessageError(
      "body-too-large",
      `the body is ${bytes} bytes; at most ${MAX_BODY_BYTES} are accepted`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new PoisonMessageError("malformed-json", `the body is not JSON: ${(error as Error).message}`);
  }
  const correlationId = correlationIdOf(json);
  const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== "string" || !(ORDER_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new PoisonMessageError(
      "unknown-type",
      `type must be one of ${ORDER_EVENT_TYPES.join(", ")} (got ${JSON.stringify(type) ?? "nothing"})`,
      { correlationId },
    );
  }
  const result = v.safeParse(orderEvent, json);
  if (!result.success) {
    const issues = result.issues.slice(0, 5).map((issue) => `${v.getDotPath(issue) ?? "(body)"}: ${issue.message}`);
    throw new PoisonMessageError("schema-violation", `the ${type} message is invalid: ${issues.join("; ")}`, {
      correlationId,
    });
  }
  return result.output;
}

function correlationIdOf(json: unknown): string | undefined {
  const value =
    typeof json === "object" && json !== null ? (json as { correlation_id?: unknown }).correlation_id : undefined;
  return typeof value === "string" ? value.slice(0, 200) : undefined;
}
