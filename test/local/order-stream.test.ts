import { describe, expect, it } from "vitest";
import { parseOrderEvent } from "../../functions/order-processor/schema.js";
import { PoisonMessageError } from "../../functions/runtime/errors.js";
import { matchesAnyPattern } from "../../functions/runtime/poller/index.js";
import { expectedOrders } from "../../local/run/expected-state.js";
import { generateOrderStream, type OrderStream } from "../../local/run/order-stream.js";

const DEV_FILTER = [{ body: { type: ["order_created", "order_updated"] } }];
const big = generateOrderStream({ count: 10_000, poisonShare: 0.05, transientShare: 0.05, seed: 42 });
const kindCount = (stream: OrderStream, kind: string) => stream.messages.filter((m) => m.kind === kind).length;

function poisonReasonOf(body: string): string | undefined {
  try {
    parseOrderEvent(body);
    return undefined;
  } catch (error) {
    if (error instanceof PoisonMessageError) return error.reason;
    throw error;
  }
}

describe("generateOrderStream", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const again = generateOrderStream({ count: 10_000, poisonShare: 0.05, transientShare: 0.05, seed: 42 });
    expect(again).toEqual(big);
    const other = generateOrderStream({ count: 10_000, poisonShare: 0.05, transientShare: 0.05, seed: 43 });
    expect(other.messages.map((m) => m.message.body)).not.toEqual(big.messages.map((m) => m.message.body));
  });

  it("produces exactly count messages", () => {
    for (const count of [0, 1, 2, 3, 17, 1000]) {
      expect(generateOrderStream({ count, poisonShare: 0.5, transientShare: 0.1, seed: count }).messages).toHaveLength(
        count,
      );
    }
    expect(big.messages).toHaveLength(10_000);
  });

  it("holds about the requested shares of poison and transient-order messages, and every kind", () => {
    expect(kindCount(big, "poison")).toBe(500);
    const transientMessages = big.messages.filter((m) => big.transientOrders.has(m.orderId)).length;
    expect(transientMessages / 10_000).toBeGreaterThan(0.045);
    expect(transientMessages / 10_000).toBeLessThanOrEqual(0.05);
    for (const kind of ["create", "update", "duplicate", "stale-update", "early-update"])
      expect(kindCount(big, kind)).toBeGreaterThan(50);
    expect(big.orders).toBe(kindCount(big, "create"));
  });

  it("gives poison the reason parseOrderEvent really gives it, and lets every valid body pass", () => {
    const reasons = new Set<string>();
    for (const sent of big.messages) {
      const reason = poisonReasonOf(sent.message.body);
      expect(reason, sent.message.body).toBe(sent.poisonReason);
      if (reason !== undefined) reasons.add(reason);
    }
    expect([...reasons].sort()).toEqual(["malformed-json", "schema-violation", "unknown-type"]);
  });

  it("marks exactly the messages the dev filter lets through", () => {
    for (const sent of big.messages) expect(matchesAnyPattern(sent.message.body, DEV_FILTER)).toBe(sent.passesFilter);
    const removed = big.messages.filter((m) => !m.passesFilter).length;
    expect(removed).toBeGreaterThan(0);
    expect(removed).toBeLessThan(kindCount(big, "poison") / 2);
  });

  it("keeps poison on its own orders, and orders with early updates out of the transient set", () => {
    const poisonOrders = new Set(big.messages.filter((m) => m.kind === "poison").map((m) => m.orderId));
    expect(poisonOrders.size).toBe(kindCount(big, "poison"));
    for (const sent of big.messages) {
      if (sent.kind !== "poison") expect(poisonOrders.has(sent.orderId)).toBe(false);
      if (sent.kind === "early-update") expect(big.transientOrders.has(sent.orderId)).toBe(false);
    }
  });

  it("sends an early update right before its create, with a later timestamp", () => {
    big.messages.forEach((sent, index) => {
      if (sent.kind !== "early-update") return;
      const next = big.messages[index + 1]!;
      expect(next).toMatchObject({ kind: "create", orderId: sent.orderId });
      expect(JSON.parse(sent.message.body).timestamp > JSON.parse(next.message.body).timestamp).toBe(true);
    });
  });

  it("gives events distinct, increasing timestamps per order and unique correlation ids; duplicates repeat the original", () => {
    const originals = new Map<string, string>();
    for (const sent of big.messages) {
      if (sent.kind === "poison") continue;
      if (sent.kind === "duplicate") {
        expect(originals.get(sent.correlationId!)).toBe(sent.message.body);
      } else {
        expect(originals.has(sent.correlationId!)).toBe(false);
        originals.set(sent.correlationId!, sent.message.body);
      }
    }
    const stampsByOrder = new Map<string, string[]>();
    for (const sent of big.messages) {
      if (sent.kind === "poison" || sent.kind === "duplicate") continue;
      const stamp = JSON.parse(sent.message.body).timestamp as string;
      expect(stamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      stampsByOrder.set(sent.orderId, [...(stampsByOrder.get(sent.orderId) ?? []), stamp]);
    }
    for (const [orderId, order] of expectedOrders(big)) {
      const stamps = stampsByOrder.get(orderId)!;
      expect(new Set(stamps).size).toBe(stamps.length);
      expect(stamps.every((stamp) => stamp >= order.created_at)).toBe(true);
    }
  });

  it("sends stale updates after a newer update of the same order", () => {
    big.messages.forEach((sent, index) => {
      if (sent.kind !== "stale-update") return;
      const newer = big.messages[index - 1]!;
      expect(newer).toMatchObject({ kind: "update", orderId: sent.orderId });
      expect(JSON.parse(newer.message.body).timestamp > JSON.parse(sent.message.body).timestamp).toBe(true);
    });
  });

  it("on FIFO gives every message its order as group and never an early update", () => {
    const fifo = generateOrderStream({ count: 2000, poisonShare: 0.05, transientShare: 0.05, seed: 7, fifo: true });
    expect(kindCount(fifo, "early-update")).toBe(0);
    for (const sent of fifo.messages) {
      expect(sent.message.groupId).toBe(sent.orderId);
      expect(sent.message.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(big.messages.every((m) => m.message.groupId === undefined && m.message.deduplicationId === undefined)).toBe(
      true,
    );
  });

  it("refuses impossible options", () => {
    expect(() => generateOrderStream({ count: -1, poisonShare: 0, transientShare: 0, seed: 1 })).toThrow(RangeError);
    expect(() => generateOrderStream({ count: 10, poisonShare: 1.5, transientShare: 0, seed: 1 })).toThrow(RangeError);
    expect(() => generateOrderStream({ count: 10, poisonShare: 0, transientShare: 0, seed: 0.5 })).toThrow(RangeError);
  });
});
