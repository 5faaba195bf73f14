import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CLOUDWATCH } from "../../../../functions/runtime/aws-limits.js";
import { createBatchHandler, PoisonMessageError, TransientError } from "../../../../functions/runtime/index.js";
import type { MetricsSample } from "../../../../functions/runtime/metrics.js";
import { createMetricsPublisher, type MetricsPublisher } from "../../../../functions/runtime/poller/index.js";
import {
  type CloudWatchEndpoint,
  startCloudWatchEndpoint,
  type WireMetricDatum,
} from "../../../support/cloudwatch-endpoint.js";
import { context, eventOf, record } from "../records.js";

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
/** A clock the tests move: intervals close only when it says so. */
let clock = 0;

let endpoint: CloudWatchEndpoint;
let client: CloudWatchClient;
const publishers: MetricsPublisher[] = [];

beforeAll(async () => {
  endpoint = await startCloudWatchEndpoint();
  client = new CloudWatchClient({
    region: "eu-west-1",
    endpoint: endpoint.url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  await Promise.all(publishers.splice(0).map((publisher) => publisher.close()));
  endpoint.requests.length = 0;
  endpoint.fault = undefined;
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
});

function publisher(options: Partial<Parameters<typeof createMetricsPublisher>[0]> = {}): MetricsPublisher {
  const created = createMetricsPublisher({ client, logger: silent, now: () => clock, ...options });
  publishers.push(created);
  return created;
}

function sample(timestamp: number, values: MetricsSample["values"], service = "orders-consumer"): MetricsSample {
  return { namespace: "Orders", service, timestamp, values };
}

/** Every value a datum stands for, expanded from Values and Counts. */
function expand(datum: WireMetricDatum): number[] {
  if (datum.Value !== undefined) return [datum.Value];
  return (datum.Values ?? []).flatMap((value, index) => new Array(datum.Counts?.[index] ?? 1).fill(value));
}

async function settled(publisherUnderTest: MetricsPublisher): Promise<void> {
  await vi.waitFor(() => {
    const { requestsSent, requestsFailed } = publisherUnderTest.stats;
    expect(requestsSent + requestsFailed).toBeGreaterThan(0);
  });
}

describe("createMetricsPublisher", () => {
  it("sends the batch library's metrics as the real client does: AWS JSON 1.0, same names, units and Service dimension as EMF", async () => {
    const published = publisher({ intervalSeconds: 60 });
    clock = Date.UTC(2026, 10, 30, 12, 0, 0);
    const handler = createBatchHandler(
      async (item) => {
        if (item.body === "poison") throw new PoisonMessageError("bad", "poison");
        if (item.body === "later") throw new TransientError("busy", "later");
      },
      { metrics: { namespace: "Orders", service: "orders-consumer", sink: published.sink }, logger: silent },
    );
    await handler(eventOf(record("a"), record("b", "later"), record("c")), context());
    await handler(eventOf(record("d"), record("e", "poison")), context());
    // Without sqs, a poison message cannot be dead-lettered: it is reported failed (dead-letter).
    await published.close();

    const requests = endpoint.requests.filter((request) => request.operation === "PutMetricData");
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.headers["content-type"]).toBe("application/x-amz-json-1.0");
    expect(request?.headers["x-amz-target"]).toBe("GraniteServiceVersion20100801.PutMetricData");
    expect(request?.headers["x-amzn-query-mode"]).toBe("true");
    // Small enough to go uncompressed (the client gzips from 10 KiB).
    expect(request?.gzip).toBe(false);
    expect(request?.headers.authorization).toMatch(/\/eu-west-1\/monitoring\/aws4_request/);
    const [body] = endpoint.putMetricData();
    expect(body?.Namespace).toBe("Orders");
    const byName = new Map(body?.MetricData.map((datum) => [datum.MetricName, datum]));
    expect([...byName.keys()].sort()).toEqual(
      [
        "BatchDurationMs",
        "OldestRecordAgeMs",
        "RecordsDuplicate",
        "RecordsFailed",
        "RecordsFailedDeadLetter",
        "RecordsFailedDeadline",
        "RecordsFailedError",
        "RecordsFailedTransient",
        "RecordsIgnored",
        "RecordsPoisoned",
        "RecordsReceived",
        "RecordsShortCircuited",
        "RecordsSucceeded",
      ].sort(),
    );
    for (const datum of body?.MetricData ?? []) {
      expect(datum.Dimensions).toEqual([{ Name: "Service", Value: "orders-consumer" }]);
      expect(datum.Unit).toBe(datum.MetricName.endsWith("Ms") ? "Milliseconds" : "Count");
      // Two invocations, one sample each: aggregated, never one datum per message.
      expect(expand(datum)).toHaveLength(2);
    }
    const sum = (name: string) => expand(byName.get(name)!).reduce((a, b) => a + b, 0);
    expect(sum("RecordsReceived")).toBe(5);
    expect(sum("RecordsSucceeded")).toBe(3);
    expect(sum("RecordsFailedTransient")).toBe(1);
    expect(sum("RecordsFailed")).toBe(2);
  });

  it("aggregates per interval, aligned to the clock: one request per interval whatever the invocation count", async () => {
    const published = publisher({ intervalSeconds: 60 });
    const minute = Date.UTC(2026, 10, 30, 12, 0, 0);
    const one = [{ name: "RecordsReceived", unit: "Count" as const, value: 10 }];
    for (let second = 0; second < 60; second++) published.sink(sample(minute + second * 1000, one));
    for (let second = 0; second < 30; second++) published.sink(sample(minute + 60_000 + second * 1000, one));
    clock = minute + 60_000; // the first minute is over, the second is not
    published.flush();
    await settled(published);
    expect(endpoint.putMetricData()).toHaveLength(1);
    const [first] = endpoint.putMetricData()[0]?.MetricData ?? [];
    expect(first).toMatchObject({ Timestamp: minute / 1000, Values: [10], Counts: [60] });

    await published.close();
    const bodies = endpoint.putMetricData();
    expect(bodies).toHaveLength(2);
    expect(bodies[1]?.MetricData[0]).toMatchObject({ Timestamp: (minute + 60_000) / 1000, Values: [10], Counts: [30] });
    expect(published.stats).toMatchObject({ samples: 90, requestsSent: 2, datumsSent: 2, datumsDropped: 0 });
  });

  it("sends on its own timer, every interval, with nobody calling flush", async () => {
    const published = publisher({ intervalSeconds: 1, now: Date.now });
    published.sink(sample(Date.now(), [{ name: "RecordsReceived", unit: "Count", value: 4 }]));
    await vi.waitFor(() => expect(endpoint.putMetricData()).toHaveLength(1), { timeout: 3000 });
    expect(endpoint.putMetricData()[0]?.MetricData[0]).toMatchObject({ Values: [4], Counts: [1] });
  });

  it("keeps within PutMetricData's limits: 150 values a datum, 1,000 data a request, 1 MB, gzip on the wire", async () => {
    const published = publisher();
    const minute = Date.UTC(2026, 10, 30, 13, 0, 0);
    // 300 services x 601 distinct durations: 4 datums of 150 values and one of statistics for the 601st, each.
    for (let service = 0; service < 300; service++) {
      for (let value = 0; value <= 600; value++) {
        published.sink(
          sample(minute, [{ name: "BatchDurationMs", unit: "Milliseconds", value: value + 0.5 }], `service-${service}`),
        );
      }
    }
    await published.close();

    const requests = endpoint.requests.filter((request) => request.operation === "PutMetricData");
    expect(requests.every((request) => request.protocolError === undefined)).toBe(true);
    const bodies = endpoint.putMetricData();
    expect(bodies).toHaveLength(requests.length); // every request accepted
    const data = bodies.flatMap((body) => body.MetricData);
    expect(data).toHaveLength(300 * 5);
    for (const body of bodies)
      expect(body.MetricData.length).toBeLessThanOrEqual(CLOUDWATCH.putMetricData.maxMetricData);
    for (const request of requests) {
      expect(request.jsonBytes).toBeLessThanOrEqual(CLOUDWATCH.putMetricData.maxRequestBytes);
      expect(request.gzip).toBe(true);
      expect(request.wireBytes).toBeLessThan(request.jsonBytes);
    }
    for (const datum of data) {
      if (datum.Values) expect(datum.Values.length).toBeLessThanOrEqual(150);
    }
    const ofOne = data.filter((datum) => datum.Dimensions?.[0]?.Value === "service-7");
    expect(ofOne.flatMap(expand).sort((a, b) => a - b)).toEqual(Array.from({ length: 600 }, (_, i) => i + 0.5));
    expect(ofOne.find((datum) => datum.StatisticValues)?.StatisticValues).toEqual({
      SampleCount: 1,
      Sum: 600.5,
      Minimum: 600.5,
      Maximum: 600.5,
    });
    expect(published.stats.datumsDropped).toBe(0);
  });

  it.each([
    ["refuses (AccessDenied)", { error: { status: 400, code: "AccessDenied", message: "not allowed" } }],
    ["fails (500 InternalFailure)", { error: { status: 500, code: "InternalFailure", message: "oops" } }],
    ["is slow (3 s, beyond the request timeout)", { delayMs: 3000 }],
  ])(
    "when CloudWatch %s: the sink returns at once, nothing throws, the loss is counted and logged",
    async (_, fault) => {
      endpoint.fault = { operation: "PutMetricData", ...fault };
      const errors: unknown[] = [];
      const published = publisher({
        requestTimeoutMs: 300,
        logger: { ...silent, error: (message: string, fields?: unknown) => errors.push({ message, fields }) },
      });
      const started = performance.now();
      for (let index = 0; index < 1000; index++) {
        published.sink(
          sample(Date.UTC(2026, 10, 30, 14, 0, 0), [{ name: "RecordsReceived", unit: "Count", value: 1 }]),
        );
      }
      expect(performance.now() - started).toBeLessThan(500);
      await published.close();
      expect(published.stats).toMatchObject({ requestsFailed: 1, requestsSent: 0, datumsDropped: 1 });
      expect(errors).toEqual([expect.objectContaining({ message: "PutMetricData failed; these metrics are lost" })]);
    },
  );

  it("bounds what waits: beyond maxPendingRequests the oldest is dropped and counted, and close() gives up at its timeout", async () => {
    endpoint.fault = { operation: "PutMetricData", delayMs: 2000 };
    const published = publisher({
      intervalSeconds: 1,
      maxPendingRequests: 2,
      requestTimeoutMs: 5000,
      closeTimeoutMs: 200,
    });
    for (let second = 0; second < 6; second++) {
      published.sink(sample(second * 1000, [{ name: "RecordsReceived", unit: "Count", value: 1 }], `s${second}`));
    }
    const started = performance.now();
    await published.close();
    expect(performance.now() - started).toBeLessThan(1500);
    // One request in flight (cut short by close), two waiting at most: six intervals, so three dropped at once.
    expect(published.stats.datumsDropped).toBeGreaterThanOrEqual(3);
    expect(published.stats.datumsSent + published.stats.datumsDropped).toBeLessThanOrEqual(6);
  });

  it("drops values CloudWatch would refuse (NaN, infinite, beyond 2^360), and samples after close, and counts them", async () => {
    const published = publisher();
    published.sink(
      sample(0, [
        { name: "A", unit: "Count", value: Number.NaN },
        { name: "B", unit: "Count", value: Number.POSITIVE_INFINITY },
        { name: "C", unit: "Count", value: 2 ** 361 },
        { name: "D", unit: "Count", value: 3 },
      ]),
    );
    await published.close();
    expect(endpoint.putMetricData()[0]?.MetricData.map((datum) => datum.MetricName)).toEqual(["D"]);
    expect(published.stats.datumsDropped).toBe(3);
    // After close, a late sample is counted as dropped, not sent nor silently lost.
    published.sink(sample(0, [{ name: "D", unit: "Count", value: 1 }]));
    expect(published.stats.datumsDropped).toBe(4);
    expect(endpoint.putMetricData()).toHaveLength(1);
  });

  it.each([
    [{ intervalSeconds: 0 }, "intervalSeconds must be a whole number from 1 to 3600 (got 0)"],
    [{ intervalSeconds: 1.5 }, "intervalSeconds must be a whole number from 1 to 3600 (got 1.5)"],
    [{ requestTimeoutMs: 10 }, "requestTimeoutMs must be a whole number from 100 to 60000 (got 10)"],
    [{ maxPendingRequests: 0 }, "maxPendingRequests must be a whole number from 1 to 1000 (got 0)"],
    [{ closeTimeoutMs: -1 }, "closeTimeoutMs must be a whole number from 0 to 60000 (got -1)"],
  ])("rejects %o naming the option, the value and what is allowed", (options, message) => {
    expect(() => createMetricsPublisher({ client, ...options })).toThrow(message);
  });

  it("refuses a metrics sink that is not a function, naming it", () => {
    expect(() => createBatchHandler(async () => {}, { metrics: { sink: "stdout" as never } })).toThrow(
      'metrics.sink must be a function (got "stdout")',
    );
  });
});
