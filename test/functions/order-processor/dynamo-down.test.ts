import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaContext, loadBundledHandler } from "../../support/bundled-handler.js";
import { createQueuePair, type LocalSqs, startLocalSqs } from "../../support/local-aws.js";
import { created, handlerEnvironment, ORDER_ENTRY, Pipeline, updated } from "./support.js";

/** A port nothing listens on: connections are refused at once, as with a DynamoDB endpoint that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A DynamoDB endpoint that takes connections and never answers, as one that hangs does. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let sqs: LocalSqs;
let pipeline: Pipeline;

beforeAll(async () => {
  sqs = await startLocalSqs();
  const queues = await createQueuePair(sqs.client, "orders-down");
  const handler = loadBundledHandler(
    ORDER_ENTRY,
    handlerEnvironment({
      sqsEndpoint: sqs.endpoint,
      dynamoEndpoint: `http://127.0.0.1:${await closedPort()}`,
      tableName: "orders-down",
      queues,
      logLevel: "WARN",
    }),
  );
  // The table client is never reached; the pipeline's table checks are not used here.
  pipeline = new Pipeline(sqs.client, undefined as never, queues, handler, "orders-down");
});

afterAll(async () => {
  await sqs?.stop();
});

describe("order-processor handler with DynamoDB unreachable", () => {
  it("reports every valid record failed, acknowledges none and dead-letters none, but still dead-letters poison", async () => {
    const bodies = [created("d-1"), created("d-2"), updated("d-1", "paid", "2026-11-01T11:00:00Z"), "not json"];
    await pipeline.send(bodies);
    const { event } = await pipeline.receiveEvent(bodies.length);
    const { response, metrics, logs } = await pipeline.invoke(event);

    const validIds = event.Records.filter((record) => record.body !== "not json").map((record) => record.messageId);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([...validIds].sort());
    expect(metrics[0]).toMatchObject({
      RecordsReceived: 4,
      RecordsFailedTransient: 3,
      RecordsPoisoned: 1,
      RecordsSucceeded: 0,
    });
    expect(await pipeline.deadLetters(1)).toMatchObject([{ body: "not json", reason: "malformed-json" }]);
    // The three failed messages stay in the queue, hidden for their backoff, to be retried.
    expect(await pipeline.queueCounts()).toEqual({ visible: 0, inFlight: 3 });
    const retries = logs.filter((line) => line.message === "record failed, will retry");
    expect(retries.map((line) => line.messageId).sort()).toEqual([...validIds].sort());
    expect(retries.every((line) => (line.error as { reason?: unknown }).reason === "table-unavailable")).toBe(true);
  });
});

describe("order-processor handler with DynamoDB hanging", () => {
  it("gives up on a call that never answers after its request timeouts (3 attempts of 5 s), not at the invocation's deadline", async () => {
    const silent = await silentServer();
    try {
      const queues = await createQueuePair(sqs.client, "orders-hang");
      const handler = loadBundledHandler(
        ORDER_ENTRY,
        handlerEnvironment({
          sqsEndpoint: sqs.endpoint,
          dynamoEndpoint: `http://127.0.0.1:${silent.port}`,
          tableName: "orders-hang",
          queues,
          logLevel: "WARN",
        }),
      );
      const hanging = new Pipeline(sqs.client, undefined as never, queues, handler, "orders-hang");
      await hanging.send([created("h-1")]);
      const { event } = await hanging.receiveEvent(1);
      // A deadline far past three request timeouts: a call held until then would fail as "deadline".
      const deadline = Date.now() + 45_000;
      const { response, metrics } = await hanging.invoke(
        event,
        lambdaContext(() => deadline - Date.now()),
      );
      expect(response.batchItemFailures).toHaveLength(1);
      expect(metrics[0]).toMatchObject({ RecordsFailedTransient: 1, RecordsFailedDeadline: 0 });
    } finally {
      await silent.close();
    }
  }, 60_000);
});
