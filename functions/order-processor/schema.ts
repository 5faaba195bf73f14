import { describeValue, loneSurrogateIndex, PoisonMessageError } from "@queue-processor/runtime";
import * as v from "valibot";
import { parseTimestamp } from "./timestamp.js";

/** Bodies larger than this are refused before parsing: no real order comes near it. */
const MAX_BODY_BYTES = 256 * 1024;
const ORDER_EVENT_TYPES = ["order_created", "order_updated"] as const;

/** How far ahead of this processor's clock an event's timestamp may be, unless configured. */
export const DEFAULT_MAX_FUTURE_SKEW_SECONDS = 300;

/** A string that is well-formed UTF-16: a lone surrogate has no UTF-8 form, and DynamoDB stores UTF-8. */
const text = v.pipe(
  v.string("must be a string"),
  v.check(
    (value) => loneSurrogateIndex(value) === -1,
    (issue) =>
      `must be well-formed Unicode (a lone surrogate at index ${loneSurrogateIndex(String(issue.input))} has no UTF-8 form)`,
  ),
);

/** See {@link parseTimestamp}; the output is the stored form. */
const timestamp = v.pipe(
  v.string("must be a string"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const parsed = parseTimestamp(dataset.value);
    if (parsed.ok) return parsed.stored;
    addIssue({ message: parsed.problem });
    return NEVER;
  }),
);

const id = v.pipe(text, v.minLength(1, "must not be empty"), v.maxLength(200, "must be at most 200 characters"));
const amount = v.pipe(
  v.number("must be a number"),
  v.finite("must be a finite number"),
  v.minValue(0, "must be at least 0"),
);

const orderItem = v.object({
  sku: id,
  quantity: v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number"),
    v.minValue(1, "must be at least 1"),
    v.maxValue(100_000, "must be at most 100,000"),
  ),
  unit_price: v.optional(amount),
});

const orderCreatedData = v.object({
  order_id: id,
  customer_id: id,
  items: v.pipe(
    v.array(orderItem, "must be an array"),
    v.minLength(1, "must hold at least one item"),
    v.maxLength(1000, "must hold at most 1,000 items"),
  ),
  total: amount,
});

const orderUpdatedData = v.object({
  order_id: id,
  status: v.pipe(text, v.regex(/^[a-z][a-z_]{0,49}$/, "must be a lower-case status word (a-z and _, at most 50)")),
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

export interface ParseOptions {
  /** The processor's clock, in epoch milliseconds. Default: now. */
  readonly now?: number;
  /** How far ahead of `now` a timestamp may be. Default: {@link DEFAULT_MAX_FUTURE_SKEW_SECONDS}. */
  readonly maxFutureSkewSeconds?: number;
}

/**
 * Parses and validates a message body. Every way a body can be wrong is poison, with its reason:
 * `empty-body`, `body-too-large`, `malformed-json`, `unknown-type`,
 * `schema-violation` (a field missing, mistyped, out of range, a string that is not well-formed
 * Unicode, a timestamp that does not exist or is outside 1970-9999), `timestamp-in-future` (more than
 * the allowed skew ahead of this processor's clock: applied, it would freeze the order's status until
 * that time). Messages describe values by type and size, never by echoing them whole.
 *
 * Nothing here recurses on the body, however deep it nests: V8's JSON.parse is iterative, valibot
 * walks only the schema's keys (unknown fields are dropped unseen), and values are described with a
 * bounded, iterative walk. So deep nesting gets the reason its place deserves, and a valid order
 * with a deep unknown field is applied.
 */
export function parseOrderEvent(body: string, options: ParseOptions = {}): OrderEvent {
  if (body.length === 0) throw new PoisonMessageError("empty-body", "the message body is empty");
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes > MAX_BODY_BYTES) {
    throw new PoisonMessageError(
      "body-too-large",
      `the body is ${bytes.toLocaleString("en-US")} bytes; at most ${MAX_BODY_BYTES.toLocaleString("en-US")} are accepted`,
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
      `type must be one of ${ORDER_EVENT_TYPES.join(", ")} (got ${describeValue(type)})`,
      { correlationId },
    );
  }
  const result = v.safeParse(orderEvent, json, { message: fallbackMessage });
  if (!result.success) {
    const issues = result.issues
      .slice(0, 5)
      .map((issue) => `${v.getDotPath(issue) ?? "(body)"}: ${issue.message} (got ${describeValue(issue.input)})`);
    throw new PoisonMessageError("schema-violation", `the ${type} message is invalid: ${issues.join("; ")}`, {
      correlationId,
    });
  }
  checkNotInFuture(result.output, options);
  return result.output;
}

/**
 * Valibot's own messages quote the value whole; the schemas above have their own, this covers the
 * rest: a missing key (an object issue on nothing) and the type checks.
 */
const fallbackMessage = (issue: v.BaseIssue<unknown>) =>
  issue.type === "object" && issue.input === undefined && issue.expected?.startsWith('"')
    ? "is required"
    : `must be ${EXPECTED[issue.expected ?? ""] ?? issue.expected ?? "valid"}`;
const EXPECTED: Record<string, string> = { Object: "an object", Array: "an array" };

function checkNotInFuture(event: OrderEvent, options: ParseOptions): void {
  const now = options.now ?? Date.now();
  const skewSeconds = options.maxFutureSkewSeconds ?? DEFAULT_MAX_FUTURE_SKEW_SECONDS;
  // The stored form starts with the millisecond form's first 23 characters.
  const aheadMs = Date.parse(`${event.timestamp.slice(0, 23)}Z`) - now;
  if (aheadMs > skewSeconds * 1000) {
    throw new PoisonMessageError(
      "timestamp-in-future",
      `timestamp ${event.timestamp} is ${(aheadMs / 1000).toLocaleString("en-US")} s ahead of this processor's clock (${new Date(now).toISOString()}); at most ${skewSeconds} s is allowed`,
      { correlationId: event.correlation_id },
    );
  }
}

function correlationIdOf(json: unknown): string | undefined {
  const value =
    typeof json === "object" && json !== null ? (json as { correlation_id?: unknown }).correlation_id : undefined;
  return typeof value === "string" ? value.slice(0, 200) : undefined;
}
