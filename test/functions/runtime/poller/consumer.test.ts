import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { consumerConfigFromEnvironment } from "../../../../functions/order-processor/consumer.js";
import {
  type ConsumerOptions,
  type ConsumerStopped,
  runConsumer,
} from "../../../../functions/runtime/poller/consumer.js";
import { type BatchHandler, loadBundledHandler } from "../../../support/bundled-handler.js";
import { startCloudWatchEndpoint } from "../../../support/cloudwatch-endpoint.js";
import {
  createOrdersTable,
  createQueuePair,
  type LocalDynamo,
  type LocalSqs,
  type QueuePair,
  receiveAll,
  startLocalDynamo,
  startLocalSqs,
} from "../../../support/local-aws.js";
import { created, handlerEnvironment, ORDER_ENTRY, Pipeline, updated } from "../../order-processor/support.js";

const TABLE = "orders-consumer";

let sqs: LocalSqs;
let dynamo: LocalDynamo;
let queues: QueuePair;
let environment: Record<string, string>;
let orders: Pipeline;

beforeAll(async () => {
  // The handler prints a metrics document per batch; keep the test output readable.
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  [sqs, dynamo] = await Promise.all([startLocalSqs(), startLocalDynamo()]);
  await createOrdersTable(dynamo.client, TABLE);
  queues = await createQueuePair(sqs.client, "consumer");
  environment = handlerEnvironment({
    sqsEndpoint: sqs.endpoint,
    dynamoEndpoint: dynamo.endpoint,
    tableName: TABLE,
    queues,
  });
  orders = new Pipeline(sqs.client, dynamo.client, queues, loadBundledHandler(ORDER_ENTRY, environment), TABLE);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([sqs?.stop(), dynamo?.stop()]);
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Starts a consumer of the orders queue that listens to no process signal, only to the returned controller. */
function consume(options: Partial<ConsumerOptions> = {}): {
  controller: AbortController;
  done: Promise<ConsumerStopped>;
  settled: () => boolean;
} {
  const controller = new AbortController();
  let settled = false;
  const done = runConsumer({
    client: sqs.client,
    queueUrl: queues.queueUrl,
    handler: orders.handler,
    signals: [],
    abortSignal: controller.signal,
    ...options,
  }).finally(() => (settled = true));
  return { controller, done, settled: () => settled };
}

/** A handler that records each event and holds it until `release` is called. */
function gated(handler: BatchHandler): { handler: BatchHandler; events: SQSEvent[]; release: () => void } {
  const events: SQSEvent[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    events,
    release,
    handler: async (event, context) => {
      events.push(event);
      await gate;
      return handler(event, context);
    },
  };
}

describe("runConsumer", () => {
  it("runs the order handler as a long-running consumer: applies what it receives, deletes it, keeps polling until aborted", async () => {
    const { controller, done } = consume({ maxConcurrency: 3 });
    await orders.send(["c-1", "c-2", "c-3", "c-4", "c-5"].map((id) => created(id)));
    await waitFor(async () => Object.keys(await orders.orders()).filter((id) => id.startsWith("c-")).length === 5);

    await orders.send([updated("c-2", "shipped", "2026-11-01T11:00:00.000Z")]);
    await waitFor(async () => (await orders.orders())["c-2"]?.status === "shipped");
    controller.abort();

    expect(await done).toEqual({ stoppedBy: "abort" });
    expect(await orders.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
    const table = await orders.orders();
    expect(table["c-1"]).toMatchObject({ status: "pending", customer_id: "customer-1", total: 19 });
    expect(table["c-2"]).toMatchObject({ status: "shipped" });
  });

  it("when aborted with batches in flight, stops receiving, resolves only after they finish, and leaves the rest on the queue for the next run", async () => {
    const ids = ["d-1", "d-2", "d-3", "d-4", "d-5", "d-6"];
    await orders.send(ids.map((id) => created(id)));
    const slow = gated(orders.handler);
    const first = consume({ handler: slow.handler, batchSize: 1, maxConcurrency: 2 });
    await waitFor(() => slow.events.length === 2);

    first.controller.abort();
    await sleep(1500);
    expect(first.settled()).toBe(false);
    expect(slow.events).toHaveLength(2);
    slow.release();
    expect(await first.done).toEqual({ stoppedBy: "abort" });

    const delivered = slow.events.map((event) => JSON.parse(event.Records[0]!.body).data.order_id as string);
    expect(
      Object.keys(await orders.orders())
        .filter((id) => id.startsWith("d-"))
        .sort(),
    ).toEqual(delivered.sort());
    expect(await orders.queueCounts()).toEqual({ visible: 4, inFlight: 0 });

    const second = consume();
    await waitFor(async () => Object.keys(await orders.orders()).filter((id) => id.startsWith("d-")).length === 6);
    second.controller.abort();
    await second.done;
    expect(await orders.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("waits for a hung batch no longer than the function timeout, and the batch's messages return after the visibility timeout", async () => {
    const shortLived = await createQueuePair(sqs.client, "consumer-timeout", { visibilityTimeoutSeconds: 2 });
    await sqs.client.send(new SendMessageCommand({ QueueUrl: shortLived.queueUrl, MessageBody: "hangs" }));
    const hung = gated(async () => ({ batchItemFailures: [] }));
    const { controller, done } = consume({
      queueUrl: shortLived.queueUrl,
      handler: hung.handler,
      functionTimeoutSeconds: 1,
    });
    await waitFor(() => hung.events.length === 1);

    const abortedAt = performance.now();
    controller.abort();
    await done;
    const drainMs = performance.now() - abortedAt;
    expect(drainMs).toBeGreaterThan(800);
    expect(drainMs).toBeLessThan(1500);
    const [returned] = await receiveAll(sqs.client, shortLived.queueUrl, 1, 4000);
    expect(returned).toMatchObject({ Body: "hangs", Attributes: { ApproximateReceiveCount: "2" } });
    hung.release();
  });

  it("drains on SIGTERM and removes its signal listeners when it resolves", async () => {
    const before = { term: process.listenerCount("SIGTERM"), int: process.listenerCount("SIGINT") };
    const slow = gated(orders.handler);
    const done = runConsumer({
      client: sqs.client,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      handler: slow.handler,
    });
    expect(process.listenerCount("SIGTERM")).toBe(before.term + 1);
    expect(process.listenerCount("SIGINT")).toBe(before.int + 1);
    await orders.send([created("s-1")]);
    await waitFor(() => slow.events.length === 1);

    process.kill(process.pid, "SIGTERM");
    await waitFor(() => process.listenerCount("SIGTERM") === before.term);
    slow.release();
    expect(await done).toEqual({ stoppedBy: "SIGTERM" });
    expect(process.listenerCount("SIGINT")).toBe(before.int);
    expect((await orders.orders())["s-1"]).toMatchObject({ status: "pending" });
    expect(await orders.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it("rejects options outside AWS's limits and an unreadable queue before polling, leaving no listener behind", async () => {
    const before = process.listenerCount("SIGTERM");
    await expect(
      runConsumer({ client: sqs.client, queueUrl: queues.queueUrl, handler: orders.handler, maxConcurrency: 1 }),
    ).rejects.toThrow("maxConcurrency must be an integer from 2 to 1000 (got 1)");
    const missing = queues.queueUrl.replace(/consumer-queue$/, "no-such-queue");
    await expect(runConsumer({ client: sqs.client, queueUrl: missing, handler: orders.handler })).rejects.toThrow(
      `cannot read the ARN of queue ${missing}`,
    );
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});

describe("order-processor consumer entry", () => {
  it("reads QUEUE_URL and the optional limits from the environment, an empty variable counting as unset", () => {
    const emf = { destination: "emf", intervalSeconds: 60 };
    expect(consumerConfigFromEnvironment({ QUEUE_URL: queues.queueUrl })).toEqual({
      queueUrl: queues.queueUrl,
      metrics: emf,
    });
    expect(
      consumerConfigFromEnvironment({
        QUEUE_URL: queues.queueUrl,
        BATCH_SIZE: "5",
        MAX_CONCURRENCY: "",
        FUNCTION_TIMEOUT_SECONDS: "60",
        METRICS: "",
      }),
    ).toEqual({ queueUrl: queues.queueUrl, batchSize: 5, functionTimeoutSeconds: 60, metrics: emf });
  });

  it("reads where metrics go: METRICS cloudwatch, emf or off, METRICS_INTERVAL_SECONDS, METRICS_SERVICE", () => {
    expect(
      consumerConfigFromEnvironment({
        QUEUE_URL: queues.queueUrl,
        METRICS: "cloudwatch",
        METRICS_INTERVAL_SECONDS: "10",
        METRICS_SERVICE: "orders-consumer",
      }).metrics,
    ).toEqual({ destination: "cloudwatch", intervalSeconds: 10, service: "orders-consumer" });
    expect(consumerConfigFromEnvironment({ QUEUE_URL: queues.queueUrl, METRICS: "off" }).metrics).toEqual({
      destination: "off",
      intervalSeconds: 60,
    });
  });

  it.each([
    [{ QUEUE_URL: undefined }, "QUEUE_URL must be set to the URL of the queue to consume (got nothing)"],
    [{ QUEUE_URL: "orders-queue" }, 'QUEUE_URL must be an http(s) queue URL (got "orders-queue")'],
    [{ BATCH_SIZE: "11" }, 'BATCH_SIZE must be an integer from 1 to 10 (got "11")'],
    [{ BATCH_SIZE: "2.5" }, 'BATCH_SIZE must be an integer from 1 to 10 (got "2.5")'],
    [{ MAX_CONCURRENCY: "1" }, 'MAX_CONCURRENCY must be an integer from 2 to 1000 (got "1")'],
    [{ MAX_CONCURRENCY: "ten" }, 'MAX_CONCURRENCY must be an integer from 2 to 1000 (got "ten")'],
    [{ FUNCTION_TIMEOUT_SECONDS: "1e3" }, 'FUNCTION_TIMEOUT_SECONDS must be from 0.001 to 900 (got "1e3")'],
    [{ FUNCTION_TIMEOUT_SECONDS: "901" }, 'FUNCTION_TIMEOUT_SECONDS must be from 0.001 to 900 (got "901")'],
    [{ METRICS: "stdout" }, 'METRICS must be one of cloudwatch, emf, off (got "stdout")'],
    [{ METRICS: "CloudWatch" }, 'METRICS must be one of cloudwatch, emf, off (got "CloudWatch")'],
    [{ METRICS_INTERVAL_SECONDS: "0" }, 'METRICS_INTERVAL_SECONDS must be an integer from 1 to 3600 (got "0")'],
    [{ METRICS_INTERVAL_SECONDS: "1.5" }, 'METRICS_INTERVAL_SECONDS must be an integer from 1 to 3600 (got "1.5")'],
    [{ METRICS_INTERVAL_SECONDS: "3601" }, 'METRICS_INTERVAL_SECONDS must be an integer from 1 to 3600 (got "3601")'],
  ])("rejects %o naming the variable, the value and what is allowed", (variables, message) => {
    expect(() => consumerConfigFromEnvironment({ QUEUE_URL: queues.queueUrl, ...variables })).toThrow(message);
  });

  it("with METRICS=cloudwatch, publishes the batches' metrics with PutMetricData, the last ones on SIGTERM", async () => {
    const cloudWatch = await startCloudWatchEndpoint();
    const resolveLocalhost = `data:text/javascript,import { interceptLocalhostDns } from ${JSON.stringify(import.meta.resolve("fauxqs"))}; interceptLocalhostDns();`;
    const child = spawn(
      process.execPath,
      ["--import", resolveLocalhost, "--import", "tsx", "functions/order-processor/consumer.ts"],
      {
        env: {
          ...process.env,
          ...environment,
          LOG_LEVEL: "INFO",
          METRICS: "cloudwatch",
          METRICS_SERVICE: "orders-consumer",
          AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = once(child, "exit");
    try {
      await orders.send([created("m-1"), created("m-2"), created("m-3")]);
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`the consumer exited early with ${child.exitCode}:\n${output}`);
        return Object.keys(await orders.orders()).filter((id) => id.startsWith("m-")).length === 3;
      }, 20_000);
    } finally {
      child.kill("SIGTERM");
    }
    try {
      const [code] = await exited;
      expect(code, output).toBe(0);
      // No EMF document on standard output: the metrics went to CloudWatch instead.
      expect(output).not.toContain("CloudWatchMetrics");
      const data = cloudWatch.putMetricData().flatMap((body) => {
        expect(body.Namespace).toBe("Orders");
        return body.MetricData;
      });
      const total = (name: string) =>
        data
          .filter((datum) => datum.MetricName === name)
          .flatMap((datum) => (datum.Values ?? []).map((value, index) => value * (datum.Counts?.[index] ?? 1)))
          .reduce((a, b) => a + b, 0);
      expect(total("RecordsReceived")).toBe(3);
      expect(total("RecordsSucceeded")).toBe(3);
      expect(new Set(data.map((datum) => JSON.stringify(datum.Dimensions)))).toEqual(
        new Set([JSON.stringify([{ Name: "Service", Value: "orders-consumer" }])]),
      );
      const stopped = output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.message === "consumer stopped after draining");
      expect(stopped).toMatchObject({ metrics: { requestsFailed: 0, datumsDropped: 0 } });
    } finally {
      await cloudWatch.close();
    }
  });

  it("runs as a process: applies orders, drains on SIGTERM and exits 0", async () => {
    // fauxqs's queue URLs name the host sqs.us-east-1.localhost: the child maps it to 127.0.0.1 as
    // startLocalSqs does in this process (a developer's resolver would too).
    const resolveLocalhost = `data:text/javascript,import { interceptLocalhostDns } from ${JSON.stringify(import.meta.resolve("fauxqs"))}; interceptLocalhostDns();`;
    const child = spawn(
      process.execPath,
      ["--import", resolveLocalhost, "--import", "tsx", "functions/order-processor/consumer.ts"],
      {
        env: { ...process.env, ...environment, LOG_LEVEL: "INFO" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = once(child, "exit");
    try {
      await orders.send([created("p-1"), created("p-2")]);
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`the consumer exited early with ${child.exitCode}:\n${output}`);
        return Object.keys(await orders.orders()).filter((id) => id.startsWith("p-")).length === 2;
      }, 20_000);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = await exited;
    expect(code, output).toBe(0);
    const logs = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.map((line) => line.message)).toEqual(
      expect.arrayContaining(["consumer started", "consumer stopped after draining"]),
    );
    expect(logs.find((line) => line.message === "consumer stopped after draining")).toMatchObject({
      stoppedBy: "SIGTERM",
    });
    expect(await orders.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });
});
