import { DeleteMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderEventMessage, sendOrderEvent, sendOrderEvents } from "../../../functions/order-processor/producer.js";
import { loadBundledHandler } from "../../support/bundled-handler.js";
import {
  createOrdersTable,
  createQueuePair,
  type LocalDynamo,
  type LocalSqs,
  receiveAll,
  startLocalDynamo,
  startLocalSqs,
  toSqsEvent,
} from "../../support/local-aws.js";
import { handlerEnvironment, ORDER_ENTRY, Pipeline } from "./support.js";

const TABLE = "orders-producer";
let sqs: LocalSqs;
let dynamo: LocalDynamo;

async function pipeline(name: string, fifo: boolean): Promise<Pipeline> {
  const queues = await createQueuePair(sqs.client, name, { fifo });
  const handler = loadBundledHandler(
    ORDER_ENTRY,
    handlerEnvironment({ sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint, tableName: TABLE, queues }),
  );
  return new Pipeline(sqs.client, dynamo.client, queues, handler, TABLE);
}

beforeAll(async () => {
  [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  await createOrdersTable(dynamo.client, TABLE);
});
afterAll(async () => {
  await Promise.all([sqs?.stop(), dynamo?.stop()]);
});

const createEvent = (orderId: string, timestamp: string) => ({
  type: "order_created" as const,
  data: { order_id: orderId, customer_id: "c-1", items: [{ sku: "s-1", quantity: 1 }], total: 5 },
  timestamp,
});
const updateEvent = (orderId: string, status: string, timestamp: string) => ({
  type: "order_updated" as const,
  data: { order_id: orderId, status },
  timestamp,
});

describe("sendOrderEvents", () => {
  it("sends seed 002's messages that the order-processor applies, on a standard queue", async () => {
    const p = await pipeline("producer-std", false);
    const events = Array.from({ length: 12 }, (_, i) => createEvent(`p-${i}`, "2026-11-01T10:00:00Z"));
    const results = await sendOrderEvents(sqs.client, p.queues.queueUrl, events);
    expect(results.map((r) => r.status)).toEqual(events.map(() => "sent"));

    const { event } = await p.receiveEvent(12);
    const body = JSON.parse(event.Records[0]!.body);
    expect(body).toMatchObject({
      type: "order_created",
      timestamp: "2026-11-01T10:00:00Z",
      correlation_id: expect.any(String),
    });
    expect((await p.invoke(event)).response.batchItemFailures).toEqual([]);
    const orders = await p.orders();
    expect(events.every((e) => e.data.order_id in orders)).toBe(true);
  });

  it("keeps one order's events in order on a FIFO queue, grouped by order id", async () => {
    const p = await pipeline("producer-fifo", true);
    await sendOrderEvents(sqs.client, p.queues.queueUrl, [
      createEvent("f-1", "2026-11-01T10:00:00Z"),
      updateEvent("f-1", "paid", "2026-11-01T10:01:00Z"),
      updateEvent("f-1", "shipped", "2026-11-01T10:02:00Z"),
    ]);
    const messages: Message[] = [];
    for (let i = 0; i < 3; i++) {
      const [message] = await receiveAll(sqs.client, p.queues.queueUrl, 1);
      messages.push(message!);
      await sqs.client.send(
        new DeleteMessageCommand({ QueueUrl: p.queues.queueUrl, ReceiptHandle: message!.ReceiptHandle }),
      );
    }
    expect(messages.map((m) => m.Attributes?.MessageGroupId)).toEqual(["f-1", "f-1", "f-1"]);
    expect(messages.map((m) => JSON.parse(m.Body!).type)).toEqual(["order_created", "order_updated", "order_updated"]);
    await p.invoke(toSqsEvent(messages, p.queues.queueArn));
    expect((await p.orders())["f-1"]).toMatchObject({ status: "shipped" });
  });

  it("delivers two different updates of one order within 5 minutes on FIFO (the seed's id would drop the second)", async () => {
    const p = await pipeline("producer-dedup", true);
    await sendOrderEvent(sqs.client, p.queues.queueUrl, updateEvent("d-1", "paid", "2026-11-01T10:01:00Z"));
    await sendOrderEvent(sqs.client, p.queues.queueUrl, updateEvent("d-1", "shipped", "2026-11-01T10:02:00Z"));
    // A retried send of the same event is deduplicated by SQS.
    await sendOrderEvent(sqs.client, p.queues.queueUrl, updateEvent("d-1", "shipped", "2026-11-01T10:02:00Z"));
    expect(await p.queueCounts()).toEqual({ visible: 2, inFlight: 0 });
  });
});

describe("orderEventMessage", () => {
  it("sets group and deduplication ids on FIFO queues only", () => {
    const event = createEvent("m-1", "2026-11-01T10:00:00Z");
    expect(orderEventMessage(event, { fifo: false })).toEqual({ body: expect.any(String) });
    expect(orderEventMessage(event, { fifo: true })).toMatchObject({
      groupId: "m-1",
      deduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe("sendOrderEvent", () => {
  it("rejects with the reason when the event cannot be sent", async () => {
    await expect(
      sendOrderEvent(sqs.client, `${sqs.endpoint}/000000000000/missing`, createEvent("x", "2026-11-01T10:00:00Z"), {
        maxAttempts: 1,
      }),
    ).rejects.toThrow(/order event order_created for x was not sent: /);
  });
});
