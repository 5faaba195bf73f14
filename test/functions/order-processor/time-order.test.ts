/**
 * Time in the order processor: updates within one millisecond, items stored in the earlier
 * millisecond-only form, offsets, equal times, and times too far ahead or beyond what the stored form
 * can hold. The conditional writes run on dynalite; the end-to-end cases run the bundled handler.
 */
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OrdersTable, updateOrder } from "../../../functions/order-processor/orders.js";
import { compareStoredTimes } from "../../../functions/order-processor/timestamp.js";
import { type BatchHandler, loadBundledHandler } from "../../support/bundled-handler.js";
import {
  createOrdersTable,
  createQueuePair,
  type LocalDynamo,
  type LocalSqs,
  type QueuePair,
  startLocalDynamo,
  startLocalSqs,
} from "../../support/local-aws.js";
import { created, handlerEnvironment, ORDER_ENTRY, Pipeline, updated } from "./support.js";

const TABLE = "orders-time";

let sqs: LocalSqs;
let dynamo: LocalDynamo;
let queues: QueuePair;
let pipeline: Pipeline;
let table: OrdersTable;

const environment = (extra: Record<string, string> = {}) => ({
  ...handlerEnvironment({ sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint, tableName: TABLE, queues }),
  ...extra,
});

beforeAll(async () => {
  [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  await createOrdersTable(dynamo.client, TABLE);
  queues = await createQueuePair(sqs.client, "time");
  pipeline = new Pipeline(sqs.client, dynamo.client, queues, loadBundledHandler(ORDER_ENTRY, environment()), TABLE);
  table = { client: dynamo.client, tableName: TABLE };
});

afterAll(async () => {
  await Promise.all([sqs?.stop(), dynamo?.stop()]);
});

/** An order as earlier versions stored it: `updated_at` with milliseconds only, or whatever they wrote. */
async function putStoredOrder(orderId: string, status: string, updatedAt: string): Promise<void> {
  await dynamo.client.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: {
        pk: { S: `ORDER#${orderId}` },
        sk: { S: "METADATA" },
        status: { S: status },
        created_at: { S: "2026-01-01T00:00:00.000Z" },
        customer_id: { S: "customer-1" },
        items: { L: [] },
        total: { N: "1" },
        updated_at: { S: updatedAt },
      },
    }),
  );
}

async function storedOrder(orderId: string): Promise<{ status?: string; updatedAt?: string }> {
  const { Item } = await dynamo.client.send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: "METADATA" } } }),
  );
  return { status: Item?.status?.S, updatedAt: Item?.updated_at?.S };
}

/** Sends the bodies one batch at a time, in order, each delivered once. */
async function deliverInTurn(...bodies: string[]) {
  const outcomes = [];
  for (const body of bodies) {
    await pipeline.send([body]);
    const { event } = await pipeline.receiveEvent(1);
    const { response, metrics } = await pipeline.invoke(event);
    expect(response.batchItemFailures).toEqual([]);
    outcomes.push(metrics[0]!);
  }
  return outcomes;
}

describe("updateOrder's condition on dynalite, across both stored forms", () => {
  // Distinct instants in increasing order, each in the form it is stored in.
  const instants = [
    "2026-11-30T10:00:00.122999999Z",
    "2026-11-30T10:00:00.123Z",
    "2026-11-30T10:00:00.123000001Z",
    "2026-11-30T10:00:00.123456000Z",
    "2026-11-30T10:00:00.123999999Z",
    "2026-11-30T10:00:00.124Z",
    "2026-11-30T10:00:01.000Z",
  ];

  it("applies an update exactly when it is newer than the stored time, for every pair", async () => {
    const wrong: string[] = [];
    let n = 0;
    for (const stored of instants) {
      for (const incoming of instants) {
        const orderId = `pair-${n++}`;
        await putStoredOrder(orderId, "before", stored);
        const outcome = await updateOrder(table, {
          type: "order_updated",
          data: { order_id: orderId, status: "after" },
          timestamp: incoming,
        });
        const expected = compareStoredTimes(stored, incoming) < 0 ? "processed" : "ignored";
        const after = await storedOrder(orderId);
        const applied = after.status === "after" && after.updatedAt === incoming;
        if (outcome !== expected || applied !== (expected === "processed")) {
          wrong.push(`stored ${stored}, update ${incoming}: ${outcome}, expected ${expected}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(n).toBe(49);
  });

  it("replaces a year-10000 time an earlier version stored (`+010000-...`) with any valid one", async () => {
    await putStoredOrder("legacy-10000", "frozen", "+010000-01-01T00:00:00.000Z");
    const outcome = await updateOrder(table, {
      type: "order_updated",
      data: { order_id: "legacy-10000", status: "shipped" },
      timestamp: "2026-11-30T10:00:00.000Z",
    });
    expect(outcome).toBe("processed");
    expect(await storedOrder("legacy-10000")).toEqual({ status: "shipped", updatedAt: "2026-11-30T10:00:00.000Z" });
  });
});

describe("order-processor handler and time (bundled, on local SQS and DynamoDB)", () => {
  beforeEach(async () => {
    await pipeline.purge();
  });

  it("applies two updates within one millisecond in order, as the seed's Python producer sends them", async () => {
    await deliverInTurn(created("t-100", "2026-11-30T09:00:00.000001"));
    const [paid, shipped, stale] = await deliverInTurn(
      updated("t-100", "paid", "2026-11-30T10:00:00.123456"),
      updated("t-100", "shipped", "2026-11-30T10:00:00.123457"),
      updated("t-100", "paid", "2026-11-30T10:00:00.1234565"),
    );
    expect(paid).toMatchObject({ RecordsSucceeded: 1 });
    expect(shipped).toMatchObject({ RecordsSucceeded: 1 });
    expect(stale).toMatchObject({ RecordsIgnored: 1 });
    expect((await pipeline.orders())["t-100"]).toMatchObject({
      status: "shipped",
      created_at: "2026-11-30T09:00:00.000001000Z",
      updated_at: "2026-11-30T10:00:00.123457000Z",
    });
  });

  it("compares updates with items stored in the earlier millisecond-only form", async () => {
    await putStoredOrder("t-200", "paid", "2026-11-30T10:00:00.123Z");
    await putStoredOrder("t-201", "paid", "2026-11-30T10:00:00.123Z");
    await putStoredOrder("t-202", "paid", "2026-11-30T10:00:00.124Z");
    const outcomes = await deliverInTurn(
      // Later in the same millisecond: `.123Z` sorts after `.123456000Z` as a string, yet is older.
      updated("t-200", "shipped", "2026-11-30T10:00:00.123456"),
      // The same instant, written with more digits and an offset: equal, so ignored.
      updated("t-201", "shipped", "2026-11-30T11:00:00.123000000+01:00"),
      // Earlier, in the millisecond before.
      updated("t-202", "shipped", "2026-11-30T10:00:00.123999Z"),
    );
    expect(outcomes.map((metrics) => metrics.RecordsSucceeded)).toEqual([1, 0, 0]);
    expect(outcomes.map((metrics) => metrics.RecordsIgnored)).toEqual([0, 1, 1]);
    expect(await storedOrder("t-200")).toEqual({ status: "shipped", updatedAt: "2026-11-30T10:00:00.123456000Z" });
    expect(await storedOrder("t-201")).toEqual({ status: "paid", updatedAt: "2026-11-30T10:00:00.123Z" });
    expect(await storedOrder("t-202")).toEqual({ status: "paid", updatedAt: "2026-11-30T10:00:00.124Z" });
  });

  it("orders updates sent with different offsets by the instant, and ignores an equal one", async () => {
    await deliverInTurn(created("t-300", "2026-11-30T15:00:00+05:30"));
    const outcomes = await deliverInTurn(
      updated("t-300", "paid", "2026-11-30T15:30:00+05:30"), // 10:00:00 UTC
      updated("t-300", "shipped", "2026-11-30T02:00:00.000001-08:00"), // a microsecond later
      updated("t-300", "delivered", "2026-11-30T10:00:00Z"), // older than the stored time
      updated("t-300", "cancelled", "2026-11-30T10:00:00.000001+00:00"), // equal to it
    );
    expect(outcomes.map((metrics) => [metrics.RecordsSucceeded, metrics.RecordsIgnored])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    expect((await pipeline.orders())["t-300"]).toMatchObject({
      status: "shipped",
      created_at: "2026-11-30T09:30:00.000Z",
      updated_at: "2026-11-30T10:00:00.000001000Z",
    });
  });

  it("dead-letters updates dated too far ahead or beyond 9999, so they cannot freeze the status", async () => {
    await deliverInTurn(created("t-400", "2026-11-01T10:00:00Z"));
    const soon = new Date(Date.now() + 60_000).toISOString();
    const bodies = {
      year9999: updated("t-400", "frozen", "9999-12-31T23:59:59Z"),
      hourAhead: updated("t-400", "frozen", new Date(Date.now() + 3_600_000).toISOString()),
      expandedYear: updated("t-400", "frozen", "+010000-01-01T00:00:00.000Z"),
      pastYear9999ByOffset: updated("t-400", "frozen", "9999-12-31T23:30:00-01:00"),
      zeroDate: updated("t-400", "frozen", "0001-01-01T00:00:00"),
    };
    await pipeline.send(Object.values(bodies));
    const { event } = await pipeline.receiveEvent(5);
    const { response, metrics } = await pipeline.invoke(event);
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics[0]).toMatchObject({ RecordsPoisoned: 5, RecordsFailed: 0 });
    const dead = await pipeline.deadLetters(5);
    const reasonOf = (body: string) => dead.find((message) => message.body === body)?.reason;
    expect(reasonOf(bodies.year9999)).toBe("timestamp-in-future");
    expect(reasonOf(bodies.hourAhead)).toBe("timestamp-in-future");
    expect(reasonOf(bodies.expandedYear)).toBe("schema-violation");
    expect(reasonOf(bodies.pastYear9999ByOffset)).toBe("schema-violation");
    expect(reasonOf(bodies.zeroDate)).toBe("schema-violation");
    expect(String(dead.find((message) => message.body === bodies.year9999)!.details.error)).toMatch(
      /^timestamp 9999-12-31T23:59:59.000Z is [\d,.]+ s ahead of this processor's clock \(.+\); at most 300 s is allowed$/,
    );

    // A minute ahead is within the skew, and later updates still apply.
    const [withinSkew] = await deliverInTurn(updated("t-400", "paid", soon));
    expect(withinSkew).toMatchObject({ RecordsSucceeded: 1 });
    expect(await storedOrder("t-400")).toEqual({ status: "paid", updatedAt: soon });
  });

  describe("MAX_FUTURE_SKEW_SECONDS", () => {
    const saved = process.env.MAX_FUTURE_SKEW_SECONDS;
    afterEach(() => {
      if (saved === undefined) delete process.env.MAX_FUTURE_SKEW_SECONDS;
      else process.env.MAX_FUTURE_SKEW_SECONDS = saved;
    });

    it("sets the allowed skew of a function", async () => {
      const handler: BatchHandler = loadBundledHandler(ORDER_ENTRY, environment({ MAX_FUTURE_SKEW_SECONDS: "3600" }));
      const wide = new Pipeline(sqs.client, dynamo.client, queues, handler, TABLE);
      await wide.send([created("t-500", "2026-11-01T10:00:00Z")]);
      await wide.invoke((await wide.receiveEvent(1)).event);
      const halfHour = new Date(Date.now() + 1_800_000).toISOString();
      const twoHours = updated("t-500", "frozen", new Date(Date.now() + 7_200_000).toISOString());
      await wide.send([updated("t-500", "paid", halfHour), twoHours]);
      const { metrics } = await wide.invoke((await wide.receiveEvent(2)).event);
      expect(metrics[0]).toMatchObject({ RecordsSucceeded: 1, RecordsPoisoned: 1 });
      expect(await wide.deadLetters(1)).toMatchObject([{ body: twoHours, reason: "timestamp-in-future" }]);
      expect(await storedOrder("t-500")).toEqual({ status: "paid", updatedAt: halfHour });
    });

    it.each(["-1", "86401", "5m", "1e3", "3600.5"])("fails the cold start on %j, naming the variable", (value) => {
      expect(() => loadBundledHandler(ORDER_ENTRY, environment({ MAX_FUTURE_SKEW_SECONDS: value }))).toThrow(
        `MAX_FUTURE_SKEW_SECONDS must be a whole number of seconds from 0 to 86400 (got ${JSON.stringify(value)})`,
      );
    });
  });
});
