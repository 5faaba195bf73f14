import { describe, expect, it } from "vitest";
import { PoisonMessageError } from "../../../functions/lib/index.js";
import { parseOrderEvent } from "../../../functions/order-processor/schema.js";
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
      timestamp: "2026-11-01T10:00:00.123Z",
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
