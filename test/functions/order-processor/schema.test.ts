import { describe, expect, it } from "vitest";
import { parseOrderEvent } from "../../../functions/order-processor/schema.js";
import { PoisonMessageError } from "../../../functions/runtime/index.js";
import { created, updated } from "./support.js";

function reasonOf(body: string): string | undefined {
  try {
    parseOrderEvent(body);
    return undefined;
  } catch (error) {
    if (error instanceof PoisonMessageError) return error.reason;
    throw error;
  }
}

describe("parseOrderEvent", () => {
  it("accepts seed 002's two messages and normalizes their timestamps to UTC", () => {
    expect(parseOrderEvent(created("o-1", "2026-11-01T10:00:00+02:00"))).toMatchObject({
      type: "order_created",
      timestamp: "2026-11-01T08:00:00.000Z",
    });
    expect(parseOrderEvent(updated("o-1", "paid", "2026-11-01T10:00:00.123456"))).toMatchObject({
      type: "order_updated",
      timestamp: "2026-11-01T10:00:00.123456000Z",
    });
  });

  it.each([
    ["an empty body", "empty-body", ""],
    ["a body over 256 KiB", "body-too-large", JSON.stringify({ type: "order_created", pad: "x".repeat(262_144) })],
    ["text that is not JSON", "malformed-json", "Test message"],
    ["JSON nested deeper than the parser's stack", "body-too-large", "[".repeat(200_000) + "]".repeat(200_000)],
    ["deep but small JSON", "unknown-type", "[".repeat(5000) + "]".repeat(5000)],
    ["a JSON array", "unknown-type", "[]"],
    ["an unknown type", "unknown-type", JSON.stringify({ type: "order_deleted" })],
    [
      "a missing field",
      "schema-violation",
      JSON.stringify({ type: "order_created", data: { order_id: "o" }, timestamp: "2026-11-01T10:00:00Z" }),
    ],
    ["a number too large for a double", "schema-violation", created("o-2").replace('"total":19', '"total":1e400')],
    [
      "a quantity given as a string",
      "schema-violation",
      created("o-3", undefined, { items: [{ sku: "s", quantity: "2" }] }),
    ],
    ["an impossible date", "schema-violation", created("o-4", "2026-02-31T10:00:00Z")],
    ["an empty order id", "schema-violation", created("")],
  ])("calls %s poison (%s)", (_title, reason, body) => {
    expect(reasonOf(body)).toBe(reason);
  });

  it("takes the last of duplicate keys, as JSON.parse does", () => {
    const body = created("o-5").replace('"total":19', '"total":19,"total":21');
    expect(parseOrderEvent(body)).toMatchObject({ data: { total: 21 } });
  });

  it("accepts an order id with odd characters: it is a key, not a name", () => {
    expect(parseOrderEvent(created('ORD/é#1 ✓ "quoted"'))).toMatchObject({ data: { order_id: 'ORD/é#1 ✓ "quoted"' } });
  });

  it("keeps the correlation id on a poison error for the logs", () => {
    try {
      parseOrderEvent(JSON.stringify({ type: "order_created", correlation_id: "corr-9", data: {} }));
    } catch (error) {
      expect(error).toMatchObject({ reason: "schema-violation", correlationId: "corr-9" });
      return;
    }
    throw new Error("expected a poison error");
  });
});

/** A create's body as JSON, to edit. */
interface Body {
  type: unknown;
  timestamp: unknown;
  correlation_id: unknown;
  payload?: unknown;
  data: Record<string, unknown> & { items: Record<string, unknown>[] };
}

/** A create's body, edited as JSON. */
function createdWith(edit: (body: Body) => void): string {
  const body = JSON.parse(created("o-9"));
  edit(body);
  return JSON.stringify(body);
}
/** JSON text of `value` wrapped in `depth` arrays, built as text (JSON.stringify itself would overflow). */
const nestedText = (depth: number, value = '"x"') => "[".repeat(depth) + value + "]".repeat(depth);
/** A create's body with one field replaced by raw JSON text. */
const withRaw = (field: "type" | "order_id" | "payload" | "items", raw: string) => {
  const marker = '"__raw__"';
  const body = createdWith((b) => {
    if (field === "type") b.type = "__raw__";
    else if (field === "payload") b.payload = "__raw__";
    else (b.data as Record<string, unknown>)[field] = "__raw__";
  });
  return body.replace(marker, raw);
};
function poisonOf(body: string, options?: Parameters<typeof parseOrderEvent>[1]): PoisonMessageError {
  try {
    parseOrderEvent(body, options);
  } catch (error) {
    if (error instanceof PoisonMessageError) return error;
    throw error;
  }
  throw new Error("expected a poison error");
}

describe("parseOrderEvent on hostile input", () => {
  it("gives values nested 120,000 levels the reason their field deserves, without recursing", () => {
    const deep = nestedText(120_000);
    expect(Buffer.byteLength(withRaw("type", deep))).toBeLessThan(256 * 1024);
    expect(poisonOf(withRaw("type", deep))).toMatchObject({
      reason: "unknown-type",
      message: "type must be one of order_created, order_updated (got an array of 1 item, nested more than 32 levels)",
    });
    expect(poisonOf(withRaw("order_id", deep))).toMatchObject({
      reason: "schema-violation",
      message:
        "the order_created message is invalid: data.order_id: must be a string (got an array of 1 item, nested more than 32 levels)",
    });
    // An array passes valibot's object check; its keys are then missing.
    expect(poisonOf(withRaw("items", deep)).message).toBe(
      "the order_created message is invalid: data.items.0.sku: is required (got nothing); data.items.0.quantity: is required (got nothing)",
    );
  });

  it("applies a valid order whose unknown field nests 40,000-120,000 levels: the schema drops it unseen", () => {
    const arrays = withRaw("payload", nestedText(120_000));
    const objects = withRaw("payload", `${'{"a":'.repeat(40_000)}0${"}".repeat(40_000)}`);
    for (const body of [arrays, objects]) {
      expect(Buffer.byteLength(body)).toBeLessThan(256 * 1024);
      expect(() => JSON.stringify(JSON.parse(body))).toThrow(RangeError);
      expect(parseOrderEvent(body)).not.toHaveProperty("payload");
    }
  });

  it("describes nested values by their shape, never by serializing them", () => {
    expect(poisonOf(withRaw("type", '{"a":{"b":1}}')).message).toBe(
      "type must be one of order_created, order_updated (got an object with 1 key, nested 2 levels)",
    );
    expect(poisonOf(withRaw("order_id", nestedText(20))).message).toBe(
      "the order_created message is invalid: data.order_id: must be a string (got an array of 1 item, nested 20 levels)",
    );
  });

  const huge = "h".repeat(255_012);
  it.each([
    ["type", "unknown-type", (b: Body) => (b.type = huge)],
    ["order_id", "schema-violation", (b: Body) => (b.data.order_id = huge)],
    ["customer_id", "schema-violation", (b: Body) => (b.data.customer_id = huge)],
    ["sku", "schema-violation", (b: Body) => (b.data.items[0]!.sku = huge)],
    ["total", "schema-violation", (b: Body) => (b.data.total = huge)],
    ["timestamp", "schema-violation", (b: Body) => (b.timestamp = huge)],
    ["correlation_id", "schema-violation", (b: Body) => (b.correlation_id = huge)],
  ])("describes a 255,012-character %s by its length (%s)", (_field, reason, edit) => {
    const error = poisonOf(createdWith(edit));
    expect(error.reason).toBe(reason);
    expect(error.message).toContain("a string of 255,012 characters");
    expect(error.message.length).toBeLessThan(400);
  });

  it("keeps a message listing several huge values within the cap", () => {
    const error = poisonOf(
      createdWith((b) => {
        for (const key of ["order_id", "customer_id", "total"]) b.data[key] = huge.slice(0, 60_000);
        b.data.items = [{ sku: huge.slice(0, 60_000), quantity: huge.slice(0, 1000) }];
      }),
    );
    expect(error.message.length).toBeLessThanOrEqual(1000);
    expect(error.message).toContain(
      "data.order_id: must be at most 200 characters (got a string of 60,000 characters)",
    );
  });

  const surrogates = [
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate", "\udc00"],
    ["a reversed pair", "\ude00\ud83d"],
  ] as const;
  const stringFields = [
    ["data.order_id", (b: Body, s: string) => (b.data.order_id = `o-${s}`)],
    ["data.customer_id", (b: Body, s: string) => (b.data.customer_id = `c-${s}`)],
    ["data.items.0.sku", (b: Body, s: string) => (b.data.items[0]!.sku = `s-${s}`)],
    ["correlation_id", (b: Body, s: string) => (b.correlation_id = `x-${s}`)],
  ] as const;
  for (const [surrogateTitle, surrogate] of surrogates) {
    it.each(stringFields)(`refuses ${surrogateTitle} in %s as not well-formed Unicode`, (path, edit) => {
      const error = poisonOf(createdWith((b) => edit(b, surrogate)));
      expect(error.reason).toBe("schema-violation");
      expect(error.message).toContain(`${path}: must be well-formed Unicode (a lone surrogate at index 2`);
      expect(error.message).not.toMatch(/[\ud800-\udfff]/);
    });

    it(`refuses ${surrogateTitle} in type, status and timestamp`, () => {
      expect(poisonOf(createdWith((b) => (b.type = `order_created${surrogate}`))).reason).toBe("unknown-type");
      const status = poisonOf(updated("o-1", `paid${surrogate}`, "2026-11-01T10:00:00Z"));
      expect(status.message).toContain("data.status: must be a lower-case status word");
      const timestamp = poisonOf(updated("o-1", "paid", `2026-11-01T10:00:00${surrogate}Z`));
      expect(timestamp.message).toContain("timestamp: must be an ISO 8601 date-time");
    });
  }

  it("accepts astral characters (emoji) in every free-text field", () => {
    const event = parseOrderEvent(
      createdWith((b) => {
        b.data.order_id = "o-😀";
        b.data.customer_id = "c-👍🏽";
        b.data.items[0]!.sku = "s-𝄞";
        b.correlation_id = "x-🚀";
      }),
    );
    expect(event).toMatchObject({ data: { order_id: "o-😀", customer_id: "c-👍🏽" }, correlation_id: "x-🚀" });
  });
});

describe("parseOrderEvent and the clock", () => {
  const now = Date.parse("2026-11-30T10:00:00.000Z");

  it("accepts timestamps up to the allowed skew ahead, and any time before", () => {
    for (const timestamp of [
      "2026-11-30T10:05:00.000Z",
      "2026-11-30T15:35:00+05:30",
      "2026-11-30T02:05:00-08:00",
      "2020-01-01T00:00:00Z",
    ]) {
      expect(() => parseOrderEvent(updated("o-1", "paid", timestamp), { now })).not.toThrow();
    }
  });

  it.each([
    ["a millisecond past the default 5 minutes", "2026-11-30T10:05:00.001Z", undefined],
    ["an hour ahead through an offset", "2026-11-30T16:30:00+05:30", undefined],
    ["the year 9999", "9999-12-31T23:59:59Z", undefined],
    ["a second past a configured 0", "2026-11-30T10:00:01Z", 0],
    ["a second past a configured day", "2026-12-01T10:00:01Z", 86_400],
  ])("calls %s timestamp-in-future, with the skew in the reason", (_title, timestamp, maxFutureSkewSeconds) => {
    const error = poisonOf(updated("o-1", "paid", timestamp), { now, maxFutureSkewSeconds });
    expect(error.reason).toBe("timestamp-in-future");
    expect(error.message).toMatch(
      new RegExp(
        `ahead of this processor's clock \\(2026-11-30T10:00:00.000Z\\); at most ${maxFutureSkewSeconds ?? 300} s is allowed$`,
      ),
    );
    expect(error.correlationId).toBe("corr-o-1-paid");
  });

  it("calls a time past 9999 in UTC a schema violation, not the future", () => {
    expect(poisonOf(updated("o-1", "paid", "9999-12-31T23:30:00-01:00"), { now })).toMatchObject({
      reason: "schema-violation",
      message: expect.stringContaining(
        "timestamp: must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z",
      ),
    });
  });
});
