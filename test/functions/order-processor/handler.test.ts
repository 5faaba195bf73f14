import { DeleteMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lambdaContext, loadBundledHandler } from "../../support/bundled-handler.js";
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
import { created, handlerEnvironment, ORDER_ENTRY, Pipeline, updated } from "./support.js";

const TABLE = "orders-test";

/** A create whose body is exactly `bytes` long. */
function paddedOrder(orderId: string, bytes: number): string {
  const shell = created(orderId, "2026-11-01T10:00:00Z", { note: "" });
  const padded = shell.replace('"note":""', `"note":"${"x".repeat(bytes - Buffer.byteLength(shell))}"`);
  if (Buffer.byteLength(padded) !== bytes) throw new Error("padding miscounted");
  return padded;
}
let sqs: LocalSqs;
let dynamo: LocalDynamo;
let standard: Pipeline;
let fifo: Pipeline;

beforeAll(async () => {
  [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  await createOrdersTable(dynamo.client, TABLE);
  const servers = { sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint, tableName: TABLE };
  const standardQueues = await createQueuePair(sqs.client, "orders", { maxMessageSizeBytes: 1_048_576 });
  const standardHandler = loadBundledHandler(ORDER_ENTRY, handlerEnvironment({ ...servers, queues: standardQueues }));
  standard = new Pipeline(sqs.client, dynamo.client, standardQueues, standardHandler, TABLE);
  const fifoQueues = await createQueuePair(sqs.client, "orders-fifo", { fifo: true });
  const fifoHandler = loadBundledHandler(ORDER_ENTRY, handlerEnvironment({ ...servers, queues: fifoQueues }));
  fifo = new Pipeline(sqs.client, dynamo.client, fifoQueues, fifoHandler, TABLE);
});

afterAll(async () => {
  await Promise.all([sqs?.stop(), dynamo?.stop()]);
});

describe("order-processor handler (bundled, on local SQS and DynamoDB)", () => {
  beforeEach(async () => {
    await standard.purge();
  });

  it("dead-letters every record of the seed 001 sample event, none of them an order, and fails none", async () => {
    // Seed 001's 10-record test event: "Test message" bodies and {"message": "Test message-N"}.
    const bodies = [
      "Test message",
      ...Array.from({ length: 9 }, (_, i) => JSON.stringify({ message: `Test message-${i + 2}` })),
    ];
    await standard.send(bodies);
    const { event } = await standard.receiveEvent(10);
    const { response, metrics } = await standard.invoke(event);

    expect(response).toEqual({ batchItemFailures: [] });
    const dead = await standard.deadLetters(10);
    expect(dead.map((message) => message.body).sort()).toEqual([...bodies].sort());
    expect(dead.filter((message) => message.reason === "malformed-json")).toHaveLength(1);
    expect(dead.filter((message) => message.reason === "unknown-type")).toHaveLength(9);
    expect(await standard.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      RecordsReceived: 10,
      RecordsPoisoned: 10,
      RecordsFailed: 0,
      Service: "orders-test-processor",
    });
  });

  it("creates orders with seed 002's keys and fields", async () => {
    await standard.send([created("o-100"), created("o-101", "2026-11-01T11:00:00", { total: 42.5 })]);
    const { event } = await standard.receiveEvent(2);
    const { response } = await standard.invoke(event);

    expect(response.batchItemFailures).toEqual([]);
    const orders = await standard.orders();
    expect(orders["o-100"]).toEqual({
      pk: "ORDER#o-100",
      sk: "METADATA",
      status: "pending",
      created_at: "2026-11-01T10:00:00.000Z",
      customer_id: "customer-1",
      items: [{ sku: "sku-1", quantity: 2, unit_price: 9.5 }],
      total: 19,
    });
    // A naive timestamp (the seed's Python producer) is taken as UTC.
    expect(orders["o-101"]).toMatchObject({ created_at: "2026-11-01T11:00:00.000Z", total: 42.5 });
    expect(await standard.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("applies a re-sent create and a redelivered message once, counting them as duplicates", async () => {
    await standard.send([created("o-200"), created("o-200", "2026-11-01T10:00:00.000Z", { total: 999 })]);
    const first = await standard.receiveEvent(2);
    const { response, metrics } = await standard.invoke(first.event);
    expect(response.batchItemFailures).toEqual([]);
    expect(metrics[0]).toMatchObject({ RecordsSucceeded: 1, RecordsDuplicate: 1 });

    // The same record delivered again (at-least-once delivery): nothing changes.
    const again = await standard.invoke(first.event);
    expect(again.response.batchItemFailures).toEqual([]);
    expect(again.metrics[0]).toMatchObject({ RecordsSucceeded: 0, RecordsDuplicate: 2 });
    expect((await standard.orders())["o-200"]).toMatchObject({ total: 19, status: "pending" });
  });

  it("dead-letters each kind of bad message with its reason and original body, and fails none", async () => {
    const bodies = {
      "malformed-json": '{"type":"order_created","data":{',
      "missing-fields": JSON.stringify({
        type: "order_created",
        data: { order_id: "o-300" },
        timestamp: "2026-11-01T10:00:00Z",
      }),
      "wrong-types": created("o-301", "2026-11-01T10:00:00Z", { items: [{ sku: "sku-1", quantity: "2" }] }),
      "unknown-type": JSON.stringify({
        type: "order_deleted",
        data: { order_id: "o-302" },
        timestamp: "2026-11-01T10:00:00Z",
      }),
      "bad-timestamp": created("o-303", "yesterday"),
      "too-large": paddedOrder("o-304", 300 * 1024),
    };
    await standard.send(Object.values(bodies));
    const { event } = await standard.receiveEvent(6);
    const { response, metrics } = await standard.invoke(event);

    expect(response.batchItemFailures).toEqual([]);
    const dead = await standard.deadLetters(6);
    const reasonOf = (body: string) => dead.find((message) => message.body === body)?.reason;
    expect(reasonOf(bodies["malformed-json"])).toBe("malformed-json");
    expect(reasonOf(bodies["missing-fields"])).toBe("schema-violation");
    expect(reasonOf(bodies["wrong-types"])).toBe("schema-violation");
    expect(reasonOf(bodies["unknown-type"])).toBe("unknown-type");
    expect(reasonOf(bodies["bad-timestamp"])).toBe("schema-violation");
    expect(reasonOf(bodies["too-large"])).toBe("body-too-large");
    const wrongTypes = dead.find((message) => message.body === bodies["wrong-types"])!;
    expect(wrongTypes.details).toMatchObject({
      sourceQueueArn: standard.queues.queueArn,
      messageId: event.Records.find((record) => record.body === bodies["wrong-types"])!.messageId,
      receiveCount: 1,
    });
    expect(String(wrongTypes.details.error)).toContain("data.items.0.quantity");
    expect(metrics[0]).toMatchObject({ RecordsPoisoned: 6, RecordsFailed: 0 });
    const orders = await standard.orders();
    expect(["o-300", "o-301", "o-302", "o-303", "o-304"].filter((id) => id in orders)).toEqual([]);
    expect(await standard.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("dead-letters bodies up to SQS's 1 MiB maximum whole, with as much of the reason as fits", async () => {
    const atMaximum = paddedOrder("o-320", 1_048_576);
    const roomForReasonOnly = paddedOrder("o-321", 1_048_576 - 100);
    await standard.send([atMaximum, roomForReasonOnly]);
    const { event } = await standard.receiveEvent(2);
    const { response, logs } = await standard.invoke(event);

    expect(response.batchItemFailures).toEqual([]);
    const dead = await standard.deadLetters(2);
    const copyOf = (body: string) => dead.find((message) => message.body === body);
    // At the maximum the body alone fills the message: no attribute fits, so the reason is logged.
    expect(copyOf(atMaximum)).toMatchObject({ reason: undefined, details: {} });
    expect(copyOf(roomForReasonOnly)).toMatchObject({ reason: "body-too-large", details: {} });
    const logged = logs.find(
      (line) => line.messageId === event.Records.find((r) => r.body === atMaximum)!.messageId && line.reason,
    );
    expect(logged).toMatchObject({ level: "ERROR", reason: "body-too-large", reasonAttached: "none" });
    expect(logged!.deadLetterMessageId).toEqual(expect.any(String));
  });

  it("dead-letters an empty body (only a hand-made event has one) as a flagged placeholder", async () => {
    await standard.send([created("o-310")]);
    const { event } = await standard.receiveEvent(1);
    event.Records[0]!.body = "";
    const { response } = await standard.invoke(event);

    expect(response.batchItemFailures).toEqual([]);
    const [dead] = await standard.deadLetters(1);
    expect(dead).toMatchObject({ body: "(empty body)", reason: "empty-body", details: { bodyWasEmpty: true } });
  });

  it("keeps the newest status: a stale update is ignored, a newer one applied", async () => {
    await standard.send([created("o-400", "2026-11-01T10:00:00Z")]);
    await standard.invoke((await standard.receiveEvent(1)).event);
    await standard.send([updated("o-400", "shipped", "2026-11-01T12:00:00Z")]);
    await standard.invoke((await standard.receiveEvent(1)).event);
    await standard.send([
      updated("o-400", "paid", "2026-11-01T11:00:00Z"),
      updated("o-400", "shipped", "2026-11-01T12:00:00Z"),
    ]);
    const { response, metrics } = await standard.invoke((await standard.receiveEvent(2)).event);

    expect(response.batchItemFailures).toEqual([]);
    expect(metrics[0]).toMatchObject({ RecordsIgnored: 2, RecordsSucceeded: 0 });
    expect((await standard.orders())["o-400"]).toMatchObject({
      status: "shipped",
      updated_at: "2026-11-01T12:00:00.000Z",
    });
    expect(await standard.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("retries an update that arrives before its order, with backoff, and applies it once the order exists", async () => {
    await standard.send([updated("o-500", "paid", "2026-11-01T11:00:00Z")]);
    const early = await standard.receiveEvent(1);
    const { response, metrics } = await standard.invoke(early.event);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: early.event.Records[0]!.messageId }]);
    expect(metrics[0]).toMatchObject({ RecordsFailedTransient: 1 });
    expect(await standard.deadLetters(0)).toEqual([]);
    // Backoff hid it (a few seconds); the queue's own 30 s is not waited for.
    expect(await standard.queueCounts()).toEqual({ visible: 0, inFlight: 1 });
    expect(await receiveAll(sqs.client, standard.queues.queueUrl, 1, 1000)).toEqual([]);

    await standard.send([created("o-500", "2026-11-01T10:00:00Z")]);
    await standard.makeVisible(early.messages[0]!.ReceiptHandle!);
    const { event } = await standard.receiveEvent(2);
    expect(event.Records.find((record) => record.body.includes("paid"))!.attributes.ApproximateReceiveCount).toBe("2");
    // The create and the retried update in one batch: whichever runs first, the update is retried or applied.
    let result = await standard.invoke(event);
    if (result.response.batchItemFailures.length > 0) {
      const retried = event.Records.filter((record) =>
        result.response.batchItemFailures.some((f) => f.itemIdentifier === record.messageId),
      );
      result = await standard.invoke({ Records: retried });
    }
    expect(result.response.batchItemFailures).toEqual([]);
    expect((await standard.orders())["o-500"]).toMatchObject({
      status: "paid",
      updated_at: "2026-11-01T11:00:00.000Z",
    });
  });

  it("stops starting records at the deadline, reports the rest failed and makes them visible again at once", async () => {
    await standard.send(Array.from({ length: 10 }, (_, i) => created(`o-6${String(i).padStart(2, "0")}`)));
    const { event } = await standard.receiveEvent(10);
    let calls = 0;
    // 60 s for the deadline's timer and the first 4 records, then 1 s: less than the 2 s margin.
    const context = lambdaContext(() => (calls++ < 5 ? 60_000 : 1000));
    const { response, metrics } = await standard.invoke(event, context);

    const started = event.Records.slice(0, 4).map((record) => record.messageId);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(
      event.Records.slice(4).map((record) => record.messageId),
    );
    expect(metrics[0]).toMatchObject({ RecordsSucceeded: 4, RecordsFailedDeadline: 6 });
    const orders = await standard.orders();
    const createdIds = event.Records.filter((record) => started.includes(record.messageId)).map(
      (record) => JSON.parse(record.body).data.order_id,
    );
    expect(createdIds.every((id: string) => id in orders)).toBe(true);
    expect(Object.keys(orders).filter((id) => id.startsWith("o-6"))).toHaveLength(4);
    expect(await standard.queueCounts()).toEqual({ visible: 6, inFlight: 0 });
  });

  it("answers an empty batch with no failures", async () => {
    const { response, metrics } = await standard.invoke({ Records: [] });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(metrics[0]).toMatchObject({ RecordsReceived: 0, RecordsFailed: 0 });
  });
});

describe("order-processor handler on a FIFO queue", () => {
  /** fauxqs hands out one message per group and locks the group; take each in turn, as the poller's batches would hold them. */
  async function receiveInOrder(count: number): Promise<Message[]> {
    const messages: Message[] = [];
    while (messages.length < count) {
      const batch = await receiveAll(sqs.client, fifo.queues.queueUrl, 1, 2000);
      if (batch.length === 0) break;
      messages.push(...batch);
      await sqs.client.send(
        new DeleteMessageCommand({ QueueUrl: fifo.queues.queueUrl, ReceiptHandle: batch[0]!.ReceiptHandle }),
      );
    }
    return messages;
  }

  it("runs groups independently: a failure fails the rest of its group only", async () => {
    const plan = [
      { group: "A", body: created("fa-1") },
      { group: "B", body: created("fb-1") },
      { group: "A", body: updated("fa-unknown", "paid", "2026-11-01T11:00:00Z") },
      { group: "C", body: created("fc-1") },
      { group: "A", body: created("fa-2") },
      { group: "B", body: updated("fb-1", "paid", "2026-11-01T11:00:00Z") },
      { group: "C", body: updated("fc-1", "paid", "2026-11-01T11:00:00Z") },
    ];
    await fifo.send(
      plan.map((step) => step.body),
      (index) => ({ group: plan[index]!.group, dedup: `d-${index}` }),
    );
    const messages = await receiveInOrder(plan.length);
    // Within each group, the batch holds the messages in the order they were sent.
    for (const group of ["A", "B", "C"]) {
      expect(messages.filter((m) => m.Attributes?.MessageGroupId === group).map((m) => m.Body)).toEqual(
        plan.filter((step) => step.group === group).map((step) => step.body),
      );
    }
    const event = toSqsEvent(messages, fifo.queues.queueArn);
    const { response, metrics } = await fifo.invoke(event);

    const idOf = (body: string) => event.Records.find((record) => record.body === body)!.messageId;
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      idOf(plan[2]!.body),
      idOf(plan[4]!.body),
    ]);
    expect(metrics[0]).toMatchObject({ RecordsSucceeded: 5, RecordsFailedTransient: 1, RecordsShortCircuited: 1 });
    const orders = await fifo.orders();
    expect(orders["fa-1"]).toBeDefined();
    expect(orders["fa-2"]).toBeUndefined();
    expect(orders["fb-1"]).toMatchObject({ status: "paid" });
    expect(orders["fc-1"]).toMatchObject({ status: "paid" });
    expect(await fifo.deadLetters(0)).toEqual([]);
  });

  it("dead-letters a poison FIFO message into the FIFO DLQ with its group, and goes on with the group", async () => {
    await fifo.send(["not json", created("fd-1")], (index) => ({ group: "D", dedup: `poison-${index}` }));
    const messages = await receiveInOrder(2);
    const { response } = await fifo.invoke(toSqsEvent(messages, fifo.queues.queueArn));

    expect(response.batchItemFailures).toEqual([]);
    const dead = await fifo.deadLetters(1);
    expect(dead).toMatchObject([{ body: "not json", reason: "malformed-json" }]);
    expect((await fifo.orders())["fd-1"]).toBeDefined();
  });
});
