import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { type OrderEventInput, orderEventMessage } from "../../functions/order-processor/producer.js";
import { type ExpectedOrder, expectedOrders } from "../../local/run/expected-state.js";
import { generateOrderStream, type OrderStream, type StreamMessage } from "../../local/run/order-stream.js";
import { formatReconciliation, type ReconcileInput, reconcile } from "../../local/run/reconcile.js";

const ITEMS = [{ sku: "sku-mug", quantity: 2, unit_price: 15.75 }];
function event(
  kind: StreamMessage["kind"],
  input: Omit<OrderEventInput, "correlationId">,
  correlationId: string,
): StreamMessage {
  const message = orderEventMessage({ ...input, correlationId }, { fifo: false });
  return { message, kind, orderId: input.data.order_id, correlationId, passesFilter: true };
}
const created = (order_id: string, timestamp: string) => ({
  type: "order_created" as const,
  data: { order_id, customer_id: "cust-1", items: ITEMS, total: 31.5 },
  timestamp,
});
const updated = (order_id: string, status: string, timestamp: string) => ({
  type: "order_updated" as const,
  data: { order_id, status },
  timestamp,
});

describe("expectedOrders", () => {
  it("takes the create's contents and the newest update's status, whatever the arrival order", () => {
    const createA = event("create", created("order-a", "2026-01-01T00:00:00.000Z"), "c1");
    const messages: StreamMessage[] = [
      createA,
      event("update", updated("order-a", "shipped", "2026-01-01T00:00:03.000Z"), "c2"),
      event("stale-update", updated("order-a", "packed", "2026-01-01T00:00:02.000Z"), "c3"),
      { ...createA, kind: "duplicate" },
      event("create", created("order-b", "2026-01-01T00:00:01.000Z"), "c4"),
      event("early-update", updated("order-c", "paid", "2026-01-01T00:00:05.000Z"), "c5"),
      event("create", created("order-c", "2026-01-01T00:00:04.000Z"), "c6"),
      {
        message: { body: "{not json" },
        kind: "poison",
        orderId: "order-d",
        poisonReason: "malformed-json",
        passesFilter: false,
      },
      event("update", updated("order-e", "paid", "2026-01-01T00:00:06.000Z"), "c7"),
    ];
    const common = { customer_id: "cust-1", items: ITEMS, total: 31.5 };
    expect([...expectedOrders({ messages })]).toEqual([
      [
        "order-a",
        {
          orderId: "order-a",
          status: "shipped",
          created_at: "2026-01-01T00:00:00.000Z",
          updated_at: "2026-01-01T00:00:03.000Z",
          ...common,
        },
      ],
      ["order-b", { orderId: "order-b", status: "pending", created_at: "2026-01-01T00:00:01.000Z", ...common }],
      [
        "order-c",
        {
          orderId: "order-c",
          status: "paid",
          created_at: "2026-01-01T00:00:04.000Z",
          updated_at: "2026-01-01T00:00:05.000Z",
          ...common,
        },
      ],
    ]);
  });
});

/** The table item orders.ts writes for an order. */
function tableItem(order: ExpectedOrder): Record<string, AttributeValue> {
  const { orderId, ...fields } = order;
  return marshall({ pk: `ORDER#${orderId}`, sk: "METADATA", ...fields }, { removeUndefinedValues: true });
}

/** What a perfect run leaves behind: every valid event logged once, every poison message where it belongs. */
function perfectRun(stream: OrderStream, filterActive: boolean): ReconcileInput {
  const functionLogs = stream.messages
    .filter((m) => m.kind !== "poison")
    .map(({ kind, message, correlationId, orderId }) => {
      const isCreate = JSON.parse(message.body).type === "order_created";
      const ignored = kind === "duplicate" || kind === "stale-update";
      const text = isCreate
        ? ignored
          ? "order already exists, create ignored"
          : "order created"
        : ignored
          ? "stale or repeated update ignored"
          : "order updated";
      return { level: "INFO", message: text, messageId: `m-${correlationId}`, correlationId, orderId };
    });
  const poison = stream.messages.filter((m) => m.kind === "poison");
  const removed = poison.filter((m) => filterActive && !m.passesFilter);
  return {
    stream,
    tableItems: [...expectedOrders(stream).values()].map(tableItem),
    deadLetters: poison
      .filter((m) => !removed.includes(m))
      .map((m) => ({ body: m.message.body, reason: m.poisonReason! })),
    filtered: removed.length,
    functionLogs,
    filterActive,
  };
}

const stream = generateOrderStream({ count: 2000, poisonShare: 0.05, transientShare: 0.05, seed: 11 });
const perfect = perfectRun(stream, true);

describe("reconcile", () => {
  it("is ok for a perfect run, with and without the filter", () => {
    const result = reconcile(perfect);
    expect(result).toMatchObject({ ok: true, sent: 2000, lost: 0, duplicatedEffects: 0, stateMismatchCount: 0 });
    expect(result.applied).toBe(2000 - 100);
    expect(result.filtered).toBe(result.filteredExpected);
    expect(result.filtered).toBeGreaterThan(0);
    expect(result.deadLetteredWithReason).toBe(100 - result.filtered);
    const unfiltered = reconcile(perfectRun(stream, false));
    expect(unfiltered).toMatchObject({
      ok: true,
      lost: 0,
      filtered: 0,
      filteredExpected: 0,
      deadLettered: 100,
      deadLetteredWithReason: 100,
    });
    expect(formatReconciliation(unfiltered)).toMatch(/lost: +0\n/);
    expect(formatReconciliation(unfiltered)).toMatch(/OK$/);
  });

  it("detects an order missing from the table and a wrong status", () => {
    const [first, second, ...rest] = perfect.tableItems;
    const wrong = { ...second!, status: { S: "bogus" } };
    const result = reconcile({ ...perfect, tableItems: [wrong, ...rest] });
    expect(result.ok).toBe(false);
    expect(result.stateMismatches).toEqual([
      `${first!.pk!.S!.slice(6)}: missing from the table`,
      expect.stringMatching(new RegExp(`^${second!.pk!.S!.slice(6)}: status is "bogus", expected "`)),
    ]);
  });

  it("detects an extra order, an extra field and a missing updated_at", () => {
    const withUpdate = perfect.tableItems.findIndex((item) => item.updated_at !== undefined);
    const items = perfect.tableItems.map((item, index) => {
      if (index !== withUpdate) return item;
      const { updated_at: _, ...rest } = item;
      return { ...rest, note: { S: "x" } };
    });
    const extra = marshall({ pk: "ORDER#order-999999", sk: "METADATA", status: "pending" });
    const result = reconcile({ ...perfect, tableItems: [...items, extra] });
    expect(result.stateMismatchCount).toBe(3);
    expect(result.stateMismatches.join("\n")).toMatch(
      /updated_at is missing.*\n.*note is "x", expected none\norder-999999: in the table but not expected/,
    );
  });

  it("counts a poison message missing from the dead-letter queue as lost", () => {
    const result = reconcile({ ...perfect, deadLetters: perfect.deadLetters.slice(1) });
    expect(result).toMatchObject({ ok: false, lost: 1 });
  });

  it("counts a valid event without an outcome log line as lost, and a duplicate as accounted by its original's line", () => {
    const duplicated = stream.messages.find((m) => m.kind === "duplicate")!.correlationId;
    const once = stream.messages.find(
      (m) =>
        m.kind === "update" &&
        !stream.messages.some((d) => d.kind === "duplicate" && d.correlationId === m.correlationId),
    )!;
    const withoutLines = (id: string | undefined) => perfect.functionLogs.filter((line) => line.correlationId !== id);
    expect(reconcile({ ...perfect, functionLogs: withoutLines(once.correlationId) })).toMatchObject({
      ok: false,
      lost: 1,
    });
    expect(reconcile({ ...perfect, functionLogs: withoutLines(duplicated) })).toMatchObject({
      ok: false,
      lost: stream.messages.filter((m) => m.correlationId === duplicated).length,
    });
    const keepOne = perfect.functionLogs.filter(
      (line, index, all) =>
        line.correlationId !== duplicated || all.findIndex((l) => l.correlationId === duplicated) === index,
    );
    expect(reconcile({ ...perfect, functionLogs: keepOne })).toMatchObject({ ok: true, lost: 0 });
  });

  it("detects an effect logged twice for one correlation id", () => {
    const effect = perfect.functionLogs.find((line) => line.message === "order updated")!;
    const result = reconcile({
      ...perfect,
      functionLogs: [...perfect.functionLogs, { ...effect, messageId: "redelivered" }],
    });
    expect(result).toMatchObject({ ok: false, duplicatedEffects: 1, lost: 0 });
  });

  it("detects a wrong reason, an unexpected dead letter and a filter count that does not match", () => {
    const [first, ...rest] = perfect.deadLetters;
    const valid = stream.messages.find((m) => m.kind === "update")!;
    const result = reconcile({
      ...perfect,
      deadLetters: [
        { body: first!.body, reason: "rejected-by-table" },
        ...rest,
        { body: valid.message.body, reason: "order-not-created" },
      ],
      filtered: perfect.filtered - 1,
    });
    expect(result.ok).toBe(false);
    expect(result.wrongReasons).toEqual([
      expect.stringMatching(/dead-lettered as rejected-by-table, expected schema-violation$/),
    ]);
    expect(result.unexpectedDeadLetters).toEqual([
      `${valid.orderId}: a valid update (${valid.correlationId}) was dead-lettered (order-not-created)`,
    ]);
    expect(result.lost).toBe(2);
    expect(formatReconciliation(result)).toContain(
      `filtered:           ${perfect.filtered - 1} (expected ${perfect.filtered})`,
    );
  });
});

describe("reconcile in archive mode: the dead letters are looked for in the archive", () => {
  /** The perfect run with its dead letters in the archive instead of the queue, each alerted. */
  const archived = (): ReconcileInput => ({
    ...perfect,
    deadLetters: [],
    archive: {
      deadLetters: perfect.deadLetters.map((letter) => ({ body: letter.body, reason: letter.reason ?? "" })),
      unreadable: [],
      alerts: 3,
      alertedDeadLetters: perfect.deadLetters.length,
    },
  });

  it("is ok when every dead letter is archived once with its reason and alerted", () => {
    const result = reconcile(archived());
    expect(result).toMatchObject({ ok: true, lost: 0, deadLettered: perfect.deadLetters.length });
    expect(result.deadLetteredWithReason).toBe(perfect.deadLetters.length);
    expect(result.archive).toEqual({
      archived: perfect.deadLetters.length,
      leftInDeadLetterQueue: 0,
      alerts: 3,
      alertedDeadLetters: perfect.deadLetters.length,
      unreadable: [],
    });
    expect(formatReconciliation(result)).toMatch(/archived: +\d+ \(0 left in the DLQ; 3 alerts counting \d+\)/);
  });

  it("is not ok when a dead letter was left in the queue, even with its reason", () => {
    const input = archived();
    const [left, ...rest] = input.archive!.deadLetters;
    const result = reconcile({ ...input, deadLetters: [left!], archive: { ...input.archive!, deadLetters: rest } });
    expect(result).toMatchObject({ ok: false, lost: 0, archive: { leftInDeadLetterQueue: 1 } });
  });

  it("finds a dead letter archived twice, or archived and also left in the queue", () => {
    const input = archived();
    const [first] = input.archive!.deadLetters;
    const twice = reconcile({
      ...input,
      archive: { ...input.archive!, deadLetters: [...input.archive!.deadLetters, first!] },
    });
    expect(twice.ok).toBe(false);
    expect(twice.unexpectedDeadLetters).toEqual([expect.stringMatching(/dead-lettered more than once/)]);
    const both = reconcile({ ...input, deadLetters: [first!] });
    expect(both.unexpectedDeadLetters).toEqual([expect.stringMatching(/dead-lettered more than once/)]);
  });

  it("is not ok when the alerts count a different number, or an object is no dead letter; a lost dead letter is lost", () => {
    const input = archived();
    expect(reconcile({ ...input, archive: { ...input.archive!, alertedDeadLetters: 1 } }).ok).toBe(false);
    const unreadable = reconcile({
      ...input,
      archive: { ...input.archive!, unreadable: ["archived dead letter k: x"] },
    });
    expect(unreadable.ok).toBe(false);
    expect(formatReconciliation(unreadable)).toContain("  - archived dead letter k: x");
    const missing = reconcile({
      ...input,
      archive: { ...input.archive!, deadLetters: input.archive!.deadLetters.slice(1) },
    });
    expect(missing).toMatchObject({ ok: false, lost: 1 });
  });
});
