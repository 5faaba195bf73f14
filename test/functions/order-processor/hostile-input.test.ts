/**
 * Bodies built to break the processor: nesting deep enough to overflow any recursion, strings of a
 * quarter MB, strings that are not well-formed UTF-16. Each must end in the dead-letter queue with
 * its reason on the first delivery (never retried as an unexpected error), with short log lines, and
 * write nothing. Runs the bundled handler on fauxqs and dynalite.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_TEXT_CHARS } from "../../../functions/runtime/text-limits.js";
import { loadBundledHandler } from "../../support/bundled-handler.js";
import {
  createOrdersTable,
  createQueuePair,
  type LocalDynamo,
  type LocalSqs,
  startLocalDynamo,
  startLocalSqs,
} from "../../support/local-aws.js";
import { created, handlerEnvironment, ORDER_ENTRY, Pipeline, updated } from "./support.js";

const TABLE = "orders-hostile";
/** A log line stays this small whatever the message held: a few capped fields and the line's own. */
const MAX_LOG_LINE_BYTES = 4 * 1024;

let sqs: LocalSqs;
let dynamo: LocalDynamo;
let pipeline: Pipeline;

beforeAll(async () => {
  [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  await createOrdersTable(dynamo.client, TABLE);
  const queues = await createQueuePair(sqs.client, "hostile", { maxMessageSizeBytes: 1_048_576 });
  const environment = handlerEnvironment({
    sqsEndpoint: sqs.endpoint,
    dynamoEndpoint: dynamo.endpoint,
    tableName: TABLE,
    queues,
    logLevel: "INFO",
  });
  pipeline = new Pipeline(sqs.client, dynamo.client, queues, loadBundledHandler(ORDER_ENTRY, environment), TABLE);
});

afterAll(async () => {
  await Promise.all([sqs?.stop(), dynamo?.stop()]);
});

/** JSON text with every character outside ASCII escaped (fauxqs refuses emoji in bodies; AWS would not). */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** A create's body with one field set to raw JSON text. */
function createdWithRaw(orderId: string, field: "type" | "order_id" | "payload" | "items", raw: string): string {
  const body = JSON.parse(created(orderId));
  if (field === "type") body.type = "__raw__";
  else if (field === "payload") body.payload = "__raw__";
  else body.data[field] = "__raw__";
  return JSON.stringify(body).replace('"__raw__"', raw);
}
const nestedText = (depth: number) => `${"[".repeat(depth)}"x"${"]".repeat(depth)}`;

/** Sends the bodies, delivers them once as one batch, and returns what became of each. */
async function deliverOnce(bodies: Record<string, string>) {
  await pipeline.send(Object.values(bodies));
  const count = Object.keys(bodies).length;
  const { event } = await pipeline.receiveEvent(count);
  const { response, metrics, logs } = await pipeline.invoke(event);
  const dead = await pipeline.deadLetters(count);
  const copyOf = (name: string) => dead.find((message) => message.body === bodies[name]);
  return { response, metrics: metrics[0]!, logs, dead, copyOf };
}

function expectShortLogLines(logs: readonly Record<string, unknown>[]): void {
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs) expect(Buffer.byteLength(JSON.stringify(line))).toBeLessThan(MAX_LOG_LINE_BYTES);
  expect(logs.filter((line) => String(line.message).includes("unexpected"))).toEqual([]);
}

describe("order-processor handler on hostile input (bundled, on local SQS and DynamoDB)", () => {
  beforeEach(async () => {
    await pipeline.purge();
  });

  it("gives values nested 120,000 levels deep their reason on the first delivery, and applies one nested in an unknown field", async () => {
    const bodies = {
      type: createdWithRaw("h-100", "type", nestedText(120_000)),
      orderId: createdWithRaw("h-101", "order_id", nestedText(120_000)),
      items: createdWithRaw("h-103", "items", nestedText(100_000)),
      typeObjects: createdWithRaw("h-104", "type", `${'{"a":'.repeat(40_000)}1${"}".repeat(40_000)}`),
      payload: createdWithRaw("h-102", "payload", `${'{"a":'.repeat(40_000)}1${"}".repeat(40_000)}`),
    };
    const { response, metrics, logs, dead, copyOf } = await deliverOnce(bodies);

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics).toMatchObject({ RecordsPoisoned: 4, RecordsSucceeded: 1, RecordsFailed: 0 });
    expect(dead).toHaveLength(4);
    expect(copyOf("type")).toMatchObject({
      reason: "unknown-type",
      details: {
        receiveCount: 1,
        error: "type must be one of order_created, order_updated (got an array of 1 item, nested more than 32 levels)",
      },
    });
    expect(copyOf("typeObjects")).toMatchObject({
      reason: "unknown-type",
      details: { error: expect.stringContaining("(got an object with 1 key, nested more than 32 levels)") },
    });
    expect(copyOf("orderId")).toMatchObject({
      reason: "schema-violation",
      details: {
        receiveCount: 1,
        error:
          "the order_created message is invalid: data.order_id: must be a string (got an array of 1 item, nested more than 32 levels)",
      },
    });
    expect(copyOf("items")).toMatchObject({ reason: "schema-violation", details: { receiveCount: 1 } });
    expectShortLogLines(logs);
    // The schema drops the unknown field without looking into it: the order is applied without it.
    expect(Object.keys(await pipeline.orders())).toEqual(["h-102"]);
    expect((await pipeline.orders())["h-102"]).not.toHaveProperty("payload");
    expect(await pipeline.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("dead-letters a quarter-megabyte string in any field, its reason and log lines capped", async () => {
    const huge = "h".repeat(255_012);
    const bodies = {
      type: JSON.stringify({ ...JSON.parse(created("h-200")), type: huge }),
      orderId: created("h-201", undefined, { order_id: huge }),
      customerId: created("h-202", undefined, { customer_id: huge }),
      sku: created("h-203", undefined, { items: [{ sku: huge, quantity: 1 }] }),
      status: JSON.stringify({
        ...JSON.parse(updated("h-204", huge, "2026-11-01T10:00:00Z")),
        correlation_id: "c-204",
      }),
      timestamp: created("h-205", huge),
      correlationId: JSON.stringify({ ...JSON.parse(created("h-206")), correlation_id: huge }),
      total: created("h-207", undefined, { total: huge }),
    };
    for (const body of Object.values(bodies)) expect(Buffer.byteLength(body)).toBeLessThan(256 * 1024);
    const { response, metrics, logs, copyOf } = await deliverOnce(bodies);

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics).toMatchObject({ RecordsPoisoned: 8, RecordsFailed: 0 });
    expect(copyOf("type")!.reason).toBe("unknown-type");
    for (const name of Object.keys(bodies)) {
      const copy = copyOf(name)!;
      expect(copy.reason, name).toMatch(/^(unknown-type|schema-violation)$/);
      expect(copy.details.receiveCount).toBe(1);
      expect(String(copy.details.error)).toContain("a string of 255,012 characters");
      expect(String(copy.details.error).length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(Buffer.byteLength(copy.attributes["dlq-details"]!.StringValue!)).toBeLessThan(2 * MAX_TEXT_CHARS);
    }
    expectShortLogLines(logs);
    const poisonLines = logs.filter((line) => line.message === "poison message sent to the dead-letter queue");
    expect(poisonLines).toHaveLength(8);
    // A correlation id is logged as its first 200 characters (ids are at most 200).
    expect(
      poisonLines.filter((line) => String(line.correlationId).startsWith("hhh")).map((line) => line.correlationId),
    ).toEqual(["h".repeat(200)]);
    // Nothing written (the table holds only the previous test's order).
    expect(Object.keys(await pipeline.orders()).filter((id) => !id.startsWith("h-1"))).toEqual([]);
  });

  it("dead-letters a lone or reversed surrogate in any string field, and writes an emoji order whole", async () => {
    const variants = { high: "\ud800", low: "\udc00", reversed: "\ude00\ud83d" };
    const bodies: Record<string, string> = {};
    for (const [name, bad] of Object.entries(variants)) {
      const order = JSON.parse(created(`h-3-${name}`));
      const edits: Record<string, (body: typeof order) => void> = {
        order_id: (b) => (b.data.order_id = `h-3-${name}-${bad}`),
        customer_id: (b) => (b.data.customer_id = `c${bad}`),
        sku: (b) => (b.data.items[0].sku = `s${bad}`),
        correlation_id: (b) => (b.correlation_id = `corr${bad}`),
        type: (b) => (b.type = `order_created${bad}`),
        timestamp: (b) => (b.timestamp = `2026-11-01T10:00:00${bad}Z`),
      };
      for (const [field, edit] of Object.entries(edits)) {
        const body = structuredClone(order);
        edit(body);
        bodies[`${field}-${name}`] = asciiJson(body);
      }
      bodies[`status-${name}`] = asciiJson(JSON.parse(updated(`h-3-${name}`, `paid${bad}`, "2026-11-01T10:00:00Z")));
    }
    bodies.emoji = asciiJson({
      ...JSON.parse(created("h-3-😀")),
      data: { ...JSON.parse(created("h-3-😀")).data, customer_id: "c-👍🏽", items: [{ sku: "s-𝄞", quantity: 1 }] },
      correlation_id: "corr-🚀",
    });
    // JSON escapes carry the bad characters: SQS takes the ASCII body.
    for (const body of Object.values(bodies)) expect(body).toMatch(/^[\x20-\x7e]+$/);
    const { response, metrics, logs, dead, copyOf } = await deliverOnce(bodies);

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics).toMatchObject({ RecordsPoisoned: 21, RecordsSucceeded: 1, RecordsFailed: 0 });
    expect(dead).toHaveLength(21);
    for (const name of Object.keys(bodies).filter((key) => key !== "emoji")) {
      const copy = copyOf(name)!;
      expect(copy.details.receiveCount, name).toBe(1);
      if (name.startsWith("type-")) expect(copy.reason).toBe("unknown-type");
      else expect(copy.reason, name).toBe("schema-violation");
      if (/^(order_id|customer_id|sku|correlation_id)-/.test(name)) {
        expect(String(copy.details.error)).toContain("must be well-formed Unicode (a lone surrogate at index");
      }
    }
    expectShortLogLines(logs);
    const orders = await pipeline.orders();
    expect(Object.keys(orders).filter((id) => id.startsWith("h-3"))).toEqual(["h-3-😀"]);
    expect(orders["h-3-😀"]).toMatchObject({ customer_id: "c-👍🏽", items: [{ sku: "s-𝄞", quantity: 1 }] });
  });
});
