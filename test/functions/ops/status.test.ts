import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PipelineTarget } from "../../../functions/ops/pipeline-target.js";
import { renderStatus } from "../../../functions/ops/status.js";
import { formatDuration, sparkline } from "../../../functions/ops/status-render.js";
import { metricsWindow, type StatusReport } from "../../../functions/ops/status-report.js";
import { type CloudWatchEndpoint, startCloudWatchEndpoint } from "../../support/cloudwatch-endpoint.js";
import { CREDENTIALS, createQueuePair, type LocalSqs, type QueuePair, startLocalSqs } from "../../support/local-aws.js";

// 14:07:30 UTC: with 3 hours in 180 s periods, the window is 11:09:00 to 14:09:00.
const NOW = new Date(Date.UTC(2026, 10, 30, 14, 7, 30));
const ESM_UUID = "a1b2c3d4-5678-90ab-cdef-1234567890ab";

let sqs: LocalSqs;
let cloudWatch: CloudWatchEndpoint;
let queues: QueuePair;
let target: PipelineTarget;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  [sqs, cloudWatch] = await Promise.all([startLocalSqs(), startCloudWatchEndpoint()]);
  queues = await createQueuePair(sqs.client, "status");
  // On AWS the command uses the standard chain; the SDK's own variables point it at the local servers.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudWatch.url,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  target = {
    environment: "dev",
    region: "us-east-1",
    queue: { url: queues.queueUrl, arn: queues.queueArn, name: nameOf(queues.queueUrl) },
    deadLetterQueue: {
      url: queues.deadLetterQueueUrl,
      arn: queues.deadLetterQueueArn,
      name: nameOf(queues.deadLetterQueueUrl),
    },
    functionName: "orders-dev-processor",
    alarmNames: ["orders-dev-queue-depth", "orders-dev-dlq-not-empty", "orders-dev-filtered-out"],
    metrics: { namespace: "Orders", service: "orders-dev-processor" },
    eventSourceMappingUuid: ESM_UUID,
  };
  // 3 waiting, 1 received (in flight), 1 delayed; 2 dead letters.
  for (const body of ["a", "b", "c", "d"]) {
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
  }
  await sqs.client.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: "e", DelaySeconds: 900 }));
  await sqs.client.send(
    new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 900 }),
  );
  for (const body of ["x", "y"]) {
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MessageBody: body }));
  }
});

afterEach(() => {
  // Every request the real client sent decoded as AWS JSON 1.0, signed for the monitoring service.
  expect(cloudWatch.requests.filter((request) => request.protocolError)).toEqual([]);
  cloudWatch.requests.length = 0;
  cloudWatch.fault = undefined;
  cloudWatch.metrics = [];
  cloudWatch.alarms = [];
});

afterAll(async () => {
  process.env = savedEnvironment;
  await Promise.all([sqs?.stop(), cloudWatch?.close()]);
});

function nameOf(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

const at = (hh: number, mm: number) => new Date(Date.UTC(2026, 10, 30, hh, mm));

function seedCloudWatch(): void {
  const own = (metricName: string, points: [Date, number][]) => ({
    namespace: "Orders",
    metricName,
    dimensions: { Service: "orders-dev-processor" },
    stat: "Sum",
    points: points.map(([timestamp, value]) => ({ timestamp, value })),
  });
  cloudWatch.metrics = [
    own("RecordsReceived", [
      [at(11, 9), 10],
      [at(12, 0), 40],
      [at(14, 6), 25],
    ]),
    own("RecordsSucceeded", [
      [at(11, 9), 10],
      [at(12, 0), 36],
      [at(14, 6), 25],
    ]),
    own("RecordsPoisoned", [[at(12, 0), 3]]),
    own("RecordsFailed", [[at(12, 0), 1]]),
    // Outside the window: before it, and in the period still to come.
    own("RecordsPoisoned", []),
    {
      namespace: "AWS/Lambda",
      metricName: "FilteredOutEventCount",
      dimensions: { EventSourceMappingUUID: ESM_UUID },
      stat: "Sum",
      points: [{ timestamp: at(13, 0), value: 7 }],
    },
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: target.queue.name },
      stat: "Maximum",
      points: [
        { timestamp: at(13, 57), value: 30 },
        { timestamp: at(14, 5), value: 252 },
      ],
    },
    {
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: target.deadLetterQueue.name },
      stat: "Maximum",
      points: [{ timestamp: at(14, 3), value: 3720 }],
    },
  ];
  cloudWatch.alarms = [
    { name: "orders-dev-queue-depth", state: "OK", updatedAt: at(9, 0) },
    {
      name: "orders-dev-dlq-not-empty",
      state: "ALARM",
      reason: "Threshold Crossed: 1 datapoint [2.0]",
      updatedAt: at(12, 1),
    },
    { name: "someone-elses-alarm", state: "ALARM" },
  ];
}

async function jsonStatus(options: { hours?: number; target?: PipelineTarget } = {}): Promise<StatusReport> {
  return JSON.parse(await renderStatus(options.target ?? target, { json: true, hours: options.hours ?? 3, now: NOW }));
}

describe("renderStatus on AWS (SQS on fauxqs, CloudWatch at the HTTP level)", () => {
  it("reports each queue's depth, in flight, delayed and oldest message age", async () => {
    seedCloudWatch();
    const report = await jsonStatus();
    expect(report.queues.queue).toEqual({
      name: target.queue.name,
      url: target.queue.url,
      visible: 3,
      inFlight: 1,
      delayed: 1,
      oldestMessageAgeSeconds: 252,
    });
    expect(report.queues.deadLetterQueue).toMatchObject({
      visible: 2,
      inFlight: 0,
      delayed: 0,
      oldestMessageAgeSeconds: 3720,
    });
    expect(report).toMatchObject({ environment: "dev", region: "us-east-1", local: false, complete: true, hours: 3 });
    expect(report.generatedAt).toBe(NOW.toISOString());
  });

  it("reports each alarm's state in the stack's order, and an alarm CloudWatch does not have as MISSING", async () => {
    seedCloudWatch();
    const report = await jsonStatus();
    expect(report.alarms).toEqual({
      available: true,
      items: [
        { name: "orders-dev-queue-depth", state: "OK", reason: null, updatedAt: at(9, 0).toISOString() },
        {
          name: "orders-dev-dlq-not-empty",
          state: "ALARM",
          reason: "Threshold Crossed: 1 datapoint [2.0]",
          updatedAt: at(12, 1).toISOString(),
        },
        { name: "orders-dev-filtered-out", state: "MISSING", reason: null, updatedAt: null },
      ],
    });
    const describe = cloudWatch.requests.filter((request) => request.operation === "DescribeAlarms");
    expect(describe).toHaveLength(1);
    expect(describe[0]?.body).toEqual({
      AlarmNames: target.alarmNames,
      AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
      MaxRecords: 100,
    });
  });

  it("reads the last hours of received, succeeded, poisoned, failed and filtered out, aligned to whole periods", async () => {
    seedCloudWatch();
    const report = await jsonStatus();
    if (!report.metrics.available) throw new Error(report.metrics.reason);
    expect(report.metrics).toMatchObject({
      periodSeconds: 180,
      start: at(11, 9).toISOString(),
      end: at(14, 9).toISOString(),
    });
    const byKey = Object.fromEntries(report.metrics.series.map((series) => [series.key, series]));
    expect(Object.keys(byKey)).toEqual([
      "received",
      "succeeded",
      "poisoned",
      "failed",
      "filteredOut",
      "oldestMessageAge",
    ]);
    expect(byKey.received).toMatchObject({
      namespace: "Orders",
      metricName: "RecordsReceived",
      stat: "Sum",
      total: 75,
    });
    expect(byKey.received?.values).toHaveLength(60);
    // 11:09 starts the first period, 12:00 the 18th, and 14:06 is in the last.
    expect(byKey.received?.values[0]).toBe(10);
    expect(byKey.received?.values[17]).toBe(40);
    expect(byKey.received?.values[59]).toBe(25);
    expect(byKey.received?.values.filter((value) => value === null)).toHaveLength(57);
    expect(byKey.poisoned?.total).toBe(3);
    expect(byKey.failed).toMatchObject({ metricName: "RecordsFailed", total: 1 });
    expect(byKey.filteredOut).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "FilteredOutEventCount",
      dimensions: { EventSourceMappingUUID: ESM_UUID },
      total: 7,
    });
    expect(byKey.oldestMessageAge).toMatchObject({ stat: "Maximum", total: 252 });

    // What went over the wire: AWS JSON 1.0, epoch seconds, one query per metric with its dimension.
    const history = cloudWatch.requests.find(
      (request) =>
        request.operation === "GetMetricData" &&
        (request.body as { StartTime: number }).StartTime === at(11, 9).getTime() / 1000,
    );
    expect(history?.headers["content-type"]).toBe("application/x-amz-json-1.0");
    expect(history?.headers["x-amz-target"]).toBe("GraniteServiceVersion20100801.GetMetricData");
    expect(history?.headers["x-amzn-query-mode"]).toBe("true");
    expect(history?.headers.authorization).toMatch(/\/us-east-1\/monitoring\/aws4_request/);
    const body = history?.body as { EndTime: number; MetricDataQueries: { MetricStat: unknown }[] };
    expect(body.EndTime).toBe(at(14, 9).getTime() / 1000);
    expect(body.MetricDataQueries.map((query) => query.MetricStat)).toContainEqual({
      Metric: {
        Namespace: "Orders",
        MetricName: "RecordsReceived",
        Dimensions: [{ Name: "Service", Value: "orders-dev-processor" }],
      },
      Period: 180,
      Stat: "Sum",
    });
  });

  it("asks DescribeAlarms nothing when the stack has no alarm (an empty AlarmNames would list the account's every alarm)", async () => {
    seedCloudWatch();
    const report = await jsonStatus({ target: { ...target, alarmNames: [] } });
    expect(report.alarms).toEqual({ available: true, items: [] });
    expect(cloudWatch.requests.filter((request) => request.operation === "DescribeAlarms")).toEqual([]);
    expect(await renderStatus({ ...target, alarmNames: [] }, { json: false, hours: 1, now: NOW })).toContain(
      "alarms: none in this stack",
    );
  });

  it("keeps the JSON shape stable: the same keys, in the same order, whatever the data", async () => {
    const empty = await jsonStatus();
    seedCloudWatch();
    const full = await jsonStatus();
    const keys = (report: StatusReport) => Object.keys(report);
    expect(keys(empty)).toEqual([
      "environment",
      "region",
      "local",
      "generatedAt",
      "hours",
      "queues",
      "alarms",
      "metrics",
      "complete",
    ]);
    expect(keys(full)).toEqual(keys(empty));
    if (!empty.metrics.available || !full.metrics.available) throw new Error("metrics missing");
    expect(full.metrics.series.map((series) => Object.keys(series))).toEqual(
      empty.metrics.series.map((series) => Object.keys(series)),
    );
    expect(Object.keys(full.queues.queue)).toEqual(Object.keys(empty.queues.queue));
  });

  it("rejects in one line naming the queue when there are no credentials", async () => {
    const saved = { ...process.env };
    try {
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) {
        delete process.env[name];
      }
      Object.assign(process.env, {
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
        AWS_CONFIG_FILE: "/nonexistent/config",
        AWS_EC2_METADATA_DISABLED: "true",
      });
      await expect(renderStatus(target, { json: true, hours: 1 })).rejects.toThrow(
        /^cannot read queue status-(queue|dlq) \([^)]+\): CredentialsProviderError: [^\n]+$/,
      );
    } finally {
      process.env = saved;
    }
  });

  it("leaves filtered out away when the stack has no mapping UUID (no filter, or not deployed with one)", async () => {
    const report = await jsonStatus({ target: { ...target, eventSourceMappingUuid: undefined } });
    if (!report.metrics.available) throw new Error(report.metrics.reason);
    expect(report.metrics.series.map((series) => series.key)).not.toContain("filteredOut");
    expect(report.metrics.series.every((series) => series.total === null)).toBe(true);
  });

  it("follows NextToken in GetMetricData and DescribeAlarms, and asks for at most 100 alarm names at a time", async () => {
    const paged = await startCloudWatchEndpoint({ pageSize: 2 });
    const previous = process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = paged.url;
    try {
      seedCloudWatch();
      paged.metrics = cloudWatch.metrics;
      const names = Array.from({ length: 230 }, (_, index) => `alarm-${index}`);
      paged.alarms = names.map((name, index) => ({ name, state: index % 2 ? "OK" : "ALARM" }));
      const report = await jsonStatus({ target: { ...target, alarmNames: names } });
      if (!report.metrics.available || !report.alarms.available) throw new Error("a part is missing");
      expect(report.metrics.series.find((series) => series.key === "received")?.total).toBe(75);
      expect(report.alarms.items.map((alarm) => alarm.state)).toEqual(
        names.map((_, index) => (index % 2 ? "OK" : "ALARM")),
      );
      const describe = paged.requests.filter((request) => request.operation === "DescribeAlarms");
      expect(describe.map((request) => (request.body as { AlarmNames: string[] }).AlarmNames.length)).toEqual([
        100, 100, 30,
      ]);
      expect(paged.requests.filter((request) => request.operation === "GetMetricData").length).toBeGreaterThan(2);
    } finally {
      process.env.AWS_ENDPOINT_URL_CLOUDWATCH = previous;
      await paged.close();
    }
  });

  it.each([
    ["DescribeAlarms", "AccessDenied", "alarms"],
    ["GetMetricData", "AccessDenied", "metrics"],
  ] as const)(
    "when CloudWatch refuses %s, shows the rest and says what could not be read",
    async (operation, code, part) => {
      seedCloudWatch();
      cloudWatch.fault = { operation, error: { status: 400, code, message: "User is not authorized to perform this" } };
      const report = await jsonStatus();
      expect(report[part]).toEqual({ available: false, reason: `${code}: User is not authorized to perform this` });
      expect(report.complete).toBe(false);
      expect(report.queues.queue.visible).toBe(3);
      const text = await renderStatus(target, { json: false, hours: 3, now: NOW });
      expect(text).toContain(`${code}: User is not authorized to perform this`);
      expect(text).toContain("incomplete: see the parts above that could not be read");
    },
  );

  it("fails the metrics part, not shows 'no data', when one query's result is Forbidden", async () => {
    seedCloudWatch();
    cloudWatch.metrics = cloudWatch.metrics.map((metric) =>
      metric.namespace === "AWS/Lambda" ? { ...metric, statusCode: "Forbidden" as const } : metric,
    );
    const report = await jsonStatus();
    expect(report.metrics).toEqual({
      available: false,
      reason: "GetMetricData answered Forbidden for AWS/Lambda FilteredOutEventCount: not authorized for this metric",
    });
    expect(report.complete).toBe(false);
  });

  it("draws a table with the counts, alarm states and one sparkline per metric, within the width", async () => {
    seedCloudWatch();
    const text = await renderStatus(target, { json: false, hours: 3, now: NOW, width: 80 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("dev (us-east-1) at 2026-11-30T14:07:30Z");
    expect(text).toMatch(/work\s+3\s+1\s+1\s+4m 12s\s+status-queue/);
    expect(text).toMatch(/dead letters\s+2\s+0\s+0\s+1h 02m\s+status-dlq/);
    expect(text).toMatch(/ALARM\s+orders-dev-dlq-not-empty\s+since 2026-11-30T12:01:00Z/);
    expect(text).toMatch(/MISSING\s+orders-dev-filtered-out/);
    expect(text).toContain("\n                     Threshold Crossed: 1 datapoint [2.0]\n");
    expect(text).toContain(
      // Cut to the 80 columns, with an ellipsis.
      "\n                     not in CloudWatch: deleted, or looked for in another accou…\n",
    );
    expect(text).toContain("metrics, last 3 h (6m 00s per mark, · no data)");
    const received = lines.find((line) => line.trimStart().startsWith("received"));
    expect(received).toMatch(/^ {2}received\s+75 {2}[▁-█·]{30}$/);
    expect(lines.find((line) => line.trimStart().startsWith("filtered out"))).toMatch(/\s7 {2}[▁-█·]+$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).not.toContain("\u001b[");
    // A narrow terminal: sparklines of 8 marks at least, nothing refused.
    const narrow = await renderStatus(target, { json: false, hours: 3, now: NOW, width: 20 });
    expect(narrow.split("\n").find((line) => line.trimStart().startsWith("received"))).toMatch(/75 {2}[▁-█·]{8}$/);
    const colored = await renderStatus(target, { json: false, hours: 3, now: NOW, color: true });
    expect(colored).toContain("\u001b[31mALARM");
    expect(colored).toContain("\u001b[32mOK");
  });

  it("rejects, in one line naming the queue, when a queue does not exist", async () => {
    const missing = target.queue.url.replace(/status-queue$/, "no-such-queue");
    await expect(
      renderStatus(
        { ...target, queue: { ...target.queue, url: missing, name: "no-such-queue" } },
        { json: true, hours: 1 },
      ),
    ).rejects.toThrow(new RegExp(`^cannot read queue no-such-queue \\(${missing.replace(/[.]/g, "\\.")}\\): [^\\n]+$`));
  });
});

describe("renderStatus on a local pipeline", () => {
  it("reads SQS at the endpoint and says 'no CloudWatch locally' instead of calling it", async () => {
    const local: PipelineTarget = { ...target, endpoint: sqs.endpoint };
    const report = await jsonStatus({ target: local });
    expect(report.local).toBe(true);
    expect(report.queues.queue).toMatchObject({ visible: 3, inFlight: 1, delayed: 1, oldestMessageAgeSeconds: null });
    expect(report.alarms).toEqual({ available: false, reason: "no CloudWatch locally" });
    expect(report.metrics).toEqual({ available: false, reason: "no CloudWatch locally" });
    const text = await renderStatus(local, { json: false, hours: 3, now: NOW });
    expect(text).toContain("dev (local) at");
    expect(text).toContain("n/a (no CloudWatch locally)");
    expect(text).toContain("alarms: no CloudWatch locally");
    expect(text).toContain("metrics, last 3 h: no CloudWatch locally");
    expect(cloudWatch.requests).toEqual([]);
  });
});

describe("renderStatus options", () => {
  it.each([
    [{ json: true, hours: 0 }, "hours must be a whole number from 1 to 360 (got 0)"],
    [{ json: true, hours: 361 }, "hours must be a whole number from 1 to 360 (got 361)"],
    [{ json: true, hours: 1.5 }, "hours must be a whole number from 1 to 360 (got 1.5)"],
    [{ json: true, hours: "3" }, 'hours must be a whole number from 1 to 360 (got "3")'],
    [{ json: true, hours: Number.NaN }, "hours must be a whole number from 1 to 360 (got NaN)"],
    [{ json: "yes", hours: 3 }, 'json must be true or false (got "yes")'],
    [{ json: false, hours: 3, width: 19 }, "width must be a whole number from 20 to 1000 (got 19)"],
    [{ json: false, hours: 3, width: 80.5 }, "width must be a whole number from 20 to 1000 (got 80.5)"],
    [{ json: false, hours: 3, width: 1001 }, "width must be a whole number from 20 to 1000 (got 1001)"],
    [{ json: false, hours: 3, now: new Date(Number.NaN) }, "now must be a valid Date (got Date(NaN))"],
    [
      { json: false, hours: 3, colour: true },
      "colour is not a status option (allowed: json, hours, now, color, width)",
    ],
  ])("rejects %o naming the option, the value and what is allowed", async (options, message) => {
    await expect(renderStatus(target, options as never)).rejects.toThrow(message);
    expect(cloudWatch.requests).toEqual([]);
  });
});

describe("metricsWindow", () => {
  it.each([
    [1, 60, 60],
    [3, 180, 60],
    [24, 1440, 60],
    [360, 21_600, 60],
    [5, 300, 60],
  ])(
    "%i h: periods of %i s (a multiple of 60), %i of them, ending on a whole period after now",
    (hours, period, count) => {
      const window = metricsWindow(hours, NOW);
      expect(window).toMatchObject({ periodSeconds: period, periods: count });
      const end = window.start.getTime() + window.periods * window.periodSeconds * 1000;
      expect(end).toBeGreaterThanOrEqual(NOW.getTime());
      expect(end - NOW.getTime()).toBeLessThan(period * 1000);
      expect(end % (period * 1000)).toBe(0);
    },
  );
});

describe("sparkline", () => {
  it("scales from zero to the largest mark over eight levels, and marks periods without data", () => {
    expect(sparkline({ stat: "Sum", values: [0, 1, 2, 3, 4, 5, 6, 7] })).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline({ stat: "Sum", values: [0, 1, 1000] })).toBe("▁▂█");
    expect(sparkline({ stat: "Sum", values: [null, 5, null] })).toBe("·█·");
    expect(sparkline({ stat: "Sum", values: [null, null] })).toBe("··");
    expect(sparkline({ stat: "Sum", values: [0, 0] })).toBe("▁▁");
  });

  it("groups periods into one mark: summed for a Sum, the largest for a Maximum", () => {
    expect(sparkline({ stat: "Sum", values: [1, 1, 4, null, null, null] }, 2)).toBe("▅█·");
    expect(sparkline({ stat: "Maximum", values: [1, 1, 2, null, 4, 1] }, 2)).toBe("▃▅█");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [59.4, "59s"],
    [252, "4m 12s"],
    [3720, "1h 02m"],
    [90_000, "1d 01h"],
  ])("%d s is %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
