import { setTimeout as sleep } from "node:timers/promises";
import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type InvocationInfo,
  type MappingOptions,
} from "../../../../functions/runtime/poller/index.js";
import {
  createQueuePair,
  type LocalSqs,
  type QueuePair,
  receiveAll,
  startLocalSqs,
} from "../../../support/local-aws.js";

let sqs: LocalSqs;
let mapping: EventSourceMapping | undefined;
let queueCount = 0;

beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterEach(async () => {
  await mapping?.stop();
  mapping = undefined;
});
afterAll(async () => {
  await sqs.stop();
});

async function queue(options: Parameters<typeof createQueuePair>[2] = {}): Promise<QueuePair> {
  queueCount++;
  return createQueuePair(sqs.client, `esm-${queueCount}`, options);
}

/** Sends bodies in order (batches of 10), with a group id on a FIFO queue. */
async function send(
  client: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
  groupOf?: (index: number) => string,
): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({
          Id: String(j),
          MessageBody: body,
          ...(groupOf ? { MessageGroupId: groupOf(i + j), MessageDeduplicationId: `d${i + j}` } : {}),
        })),
      }),
    );
  }
}

/** Visible plus in-flight messages left on a queue. */
async function remaining(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Starts a mapping on the queue, recording every event and invocation outcome. */
function run(
  pair: QueuePair,
  handler: MappingOptions["handler"],
  options: Partial<MappingOptions> = {},
): { events: SQSEvent[]; infos: InvocationInfo[] } {
  const events: SQSEvent[] = [];
  const infos: InvocationInfo[] = [];
  mapping = createEventSourceMapping({
    client: sqs.client,
    queueUrl: pair.queueUrl,
    queueArn: pair.queueArn,
    ...options,
    handler: async (event, context) => {
      events.push(event);
      return handler(event, context);
    },
    onInvocation: (info) => infos.push(info),
  });
  mapping.start();
  return { events, infos };
}

const receiveCount = (record: SQSRecord): string => record.attributes.ApproximateReceiveCount;
const bodies = (events: readonly SQSEvent[]): string[] => events.flatMap((event) => event.Records.map((r) => r.body));

describe("local SQS event source mapping", () => {
  it("delivers every message once in batches of at most batchSize, in Lambda's record shape, and deletes them after success", async () => {
    const pair = await queue();
    const sent = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await send(sqs.client, pair.queueUrl, sent);
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: pair.queueUrl,
        MessageBody: "with-attributes",
        MessageAttributes: { kind: { DataType: "String", StringValue: "order" } },
      }),
    );
    let remainingTime = -1;
    const { events, infos } = run(
      pair,
      async (_event, context) => {
        remainingTime = context.getRemainingTimeInMillis();
      },
      { batchSize: 4 },
    );

    await waitFor(() => infos.reduce((n, info) => n + info.records, 0) >= 26);
    await mapping!.stop();

    expect(bodies(events).sort()).toEqual([...sent, "with-attributes"].sort());
    expect(Math.max(...events.map((event) => event.Records.length))).toBeLessThanOrEqual(4);
    expect(infos.every((info) => info.outcome === "ok" && info.failed === 0)).toBe(true);
    expect(await remaining(pair.queueUrl)).toBe(0);

    const record = events.flatMap((event) => event.Records).find((r) => r.body === "with-attributes")!;
    expect(record).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: pair.queueArn,
      awsRegion: "us-east-1",
      messageAttributes: { kind: { dataType: "String", stringValue: "order" } },
    });
    expect(receiveCount(record)).toBe("1");
    expect(record.attributes.SentTimestamp).toMatch(/^\d+$/);
    expect(remainingTime).toBeGreaterThan(29_000);
    expect(remainingTime).toBeLessThanOrEqual(30_000);
  });

  it("a batching window gathers the messages sent within it into one batch", async () => {
    const pair = await queue();
    // Five sends 100 ms apart take half a second; a window of 3 s leaves room for a machine slowed
    // by other work or by coverage, where 1 s did not always.
    const { events, infos } = run(pair, async () => undefined, { maxBatchingWindowSeconds: 3 });
    await sleep(100);
    for (let i = 0; i < 5; i++) {
      await sqs.client.send(new SendMessageCommand({ QueueUrl: pair.queueUrl, MessageBody: `w${i}` }));
      await sleep(100);
    }
    await waitFor(() => infos.length >= 1);
    await sleep(300);
    expect(events).toHaveLength(1);
    expect(bodies(events)).toEqual(["w0", "w1", "w2", "w3", "w4"]);
  });

  it("never runs more than maxConcurrency invocations at once, and reaches it", async () => {
    const pair = await queue();
    await send(
      sqs.client,
      pair.queueUrl,
      Array.from({ length: 12 }, (_, i) => `c${i}`),
    );
    let current = 0;
    let max = 0;
    let maxReported = 0;
    const { infos } = run(
      pair,
      async () => {
        current++;
        max = Math.max(max, current);
        maxReported = Math.max(maxReported, mapping!.inFlight);
        await sleep(250);
        current--;
      },
      { batchSize: 1, maxConcurrency: 3 },
    );

    await waitFor(() => infos.length >= 12);
    expect(max).toBe(3);
    expect(maxReported).toBe(3);
    expect(await remaining(pair.queueUrl)).toBe(0);
  });

  it("deletes messages that match no filter pattern without invoking, and delivers the matching ones", async () => {
    const pair = await queue();
    const matching = [
      JSON.stringify({ type: "order", n: 1 }),
      JSON.stringify({ type: "refund", n: 2 }),
      JSON.stringify({ customer: { id: "c-42" } }),
      JSON.stringify({ flagged: false }),
    ];
    const unmatched = [
      JSON.stringify({ type: "other" }),
      JSON.stringify({ customer: { id: "x-1" } }),
      JSON.stringify({ customer: "c-flat" }),
      "not json",
      JSON.stringify(["order"]),
    ];
    await send(sqs.client, pair.queueUrl, [...matching, ...unmatched]);
    const { events } = run(pair, async () => undefined, {
      filterPatterns: [
        { body: { type: ["order", "refund"] } },
        { body: { customer: { id: [{ prefix: "c-" }] } } },
        { body: { flagged: [{ exists: true }] } },
      ],
    });

    await waitFor(async () => (await remaining(pair.queueUrl)) === 0);
    await mapping!.stop();
    expect(bodies(events).sort()).toEqual([...matching].sort());
  });

  it("calls onFiltered after deleting the messages that match no filter pattern, with how many it deleted, and keeps polling when it throws", async () => {
    const pair = await queue();
    await send(
      sqs.client,
      pair.queueUrl,
      Array.from({ length: 6 }, (_, i) => JSON.stringify({ type: "other", n: i })),
    );
    const counts: number[] = [];
    const leftWhenCalled: Promise<number>[] = [];
    const { events } = run(pair, async () => undefined, {
      filterPatterns: [{ body: { type: ["order"] } }],
      onFiltered: (count) => {
        counts.push(count);
        leftWhenCalled.push(remaining(pair.queueUrl));
        throw new Error("observer failure");
      },
    });

    await waitFor(() => counts.reduce((sum, count) => sum + count, 0) >= 6);
    expect(await leftWhenCalled.at(-1)).toBe(0);
    const order = JSON.stringify({ type: "order", n: 6 });
    await send(sqs.client, pair.queueUrl, [order]);
    await waitFor(() => events.length === 1);
    await mapping!.stop();
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(6);
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(bodies(events)).toEqual([order]);
  });

  it("with ReportBatchItemFailures, keeps the listed records (redelivered with ApproximateReceiveCount 2 after the visibility timeout) and deletes the others", async () => {
    const pair = await queue({ visibilityTimeoutSeconds: 1 });
    await send(sqs.client, pair.queueUrl, ["ok-1", "fail-1", "ok-2", "fail-2"]);
    const { events, infos } = run(
      pair,
      async (event): Promise<SQSBatchResponse> => ({
        batchItemFailures: event.Records.filter((r) => r.body.startsWith("fail") && receiveCount(r) === "1").map(
          (r) => ({ itemIdentifier: r.messageId }),
        ),
      }),
    );

    await waitFor(async () => (await remaining(pair.queueUrl)) === 0);
    await mapping!.stop();
    const deliveries = events.flatMap((event) => event.Records.map((r) => `${r.body}#${receiveCount(r)}`));
    expect(deliveries.sort()).toEqual(["fail-1#1", "fail-1#2", "fail-2#1", "fail-2#2", "ok-1#1", "ok-2#1"]);
    expect(infos[0]).toMatchObject({ records: 4, failed: 2, outcome: "partial" });
  });

  it("retries the whole batch when the response is malformed (an unknown itemIdentifier)", async () => {
    const pair = await queue({ visibilityTimeoutSeconds: 1 });
    await send(sqs.client, pair.queueUrl, ["a", "b", "c"]);
    const { events, infos } = run(pair, async (event): Promise<SQSBatchResponse | undefined> => {
      if (event.Records.some((r) => receiveCount(r) === "1")) {
        return { batchItemFailures: [{ itemIdentifier: "not-a-message-id" }] };
      }
    });

    await waitFor(async () => (await remaining(pair.queueUrl)) === 0);
    await mapping!.stop();
    const deliveries = events.flatMap((event) => event.Records.map((r) => `${r.body}#${receiveCount(r)}`));
    expect(deliveries.sort()).toEqual(["a#1", "a#2", "b#1", "b#2", "c#1", "c#2"]);
    expect(infos.map((info) => info.outcome)).toEqual(["invalid-response", "ok"]);
    expect(infos[0]).toMatchObject({ records: 3, failed: 3 });
  });

  it("retries the whole batch when the handler throws, and after maxReceiveCount receives SQS's redrive moves the messages to the DLQ", async () => {
    const pair = await queue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    await send(sqs.client, pair.queueUrl, ["x", "y", "z"]);
    const { events, infos } = run(pair, async () => {
      throw new Error("boom");
    });

    await waitFor(async () => (await remaining(pair.deadLetterQueueUrl)) === 3);
    await mapping!.stop();
    const deliveries = events.flatMap((event) => event.Records.map((r) => `${r.body}#${receiveCount(r)}`));
    expect(deliveries.sort()).toEqual(["x#1", "x#2", "y#1", "y#2", "z#1", "z#2"]);
    expect(infos.every((info) => info.outcome === "error" && info.failed === info.records)).toBe(true);
    expect(await remaining(pair.queueUrl)).toBe(0);
    expect((await receiveAll(sqs.client, pair.deadLetterQueueUrl, 3)).map((m) => m.Body).sort()).toEqual([
      "x",
      "y",
      "z",
    ]);
  });

  it("counts an invocation running past functionTimeoutSeconds as failed and retries the whole batch", async () => {
    const pair = await queue({ visibilityTimeoutSeconds: 2 });
    await send(sqs.client, pair.queueUrl, ["slow-1", "slow-2"]);
    const { events, infos } = run(
      pair,
      async (event) => {
        if (receiveCount(event.Records[0]!) === "1") await sleep(1500);
      },
      { functionTimeoutSeconds: 1 },
    );

    await waitFor(async () => (await remaining(pair.queueUrl)) === 0);
    await mapping!.stop();
    expect(infos.map((info) => info.outcome)).toEqual(["timeout", "ok"]);
    expect(infos[0]).toMatchObject({ records: 2, failed: 2 });
    expect(infos[0]!.durationMs).toBeGreaterThanOrEqual(990);
    expect(infos[0]!.durationMs).toBeLessThan(1400);
    expect(events.map((event) => event.Records.map((r) => `${r.body}#${receiveCount(r)}`).sort())).toEqual([
      ["slow-1#1", "slow-2#1"],
      ["slow-1#2", "slow-2#2"],
    ]);
  });

  it("FIFO: delivers each group's messages in send order, never two batches of one group at once, while two groups proceed in parallel", async () => {
    const pair = await queue({ fifo: true });
    const sent = Array.from({ length: 12 }, (_, i) => `${i % 2 === 0 ? "A" : "B"}${Math.floor(i / 2)}`);
    await send(sqs.client, pair.queueUrl, sent, (i) => (i % 2 === 0 ? "A" : "B"));
    const busy = new Map<string, number>();
    let maxPerGroup = 0;
    let maxInvocations = 0;
    let current = 0;
    const { events } = run(
      pair,
      async (event) => {
        const groups = new Set(event.Records.map((r) => r.attributes.MessageGroupId!));
        current++;
        maxInvocations = Math.max(maxInvocations, current);
        for (const group of groups) {
          busy.set(group, (busy.get(group) ?? 0) + 1);
          maxPerGroup = Math.max(maxPerGroup, busy.get(group)!);
        }
        await sleep(100);
        for (const group of groups) busy.set(group, busy.get(group)! - 1);
        current--;
      },
      { batchSize: 1 },
    );

    await waitFor(async () => (await remaining(pair.queueUrl)) === 0);
    await mapping!.stop();
    const delivered = bodies(events);
    expect(delivered.filter((b) => b.startsWith("A"))).toEqual(sent.filter((b) => b.startsWith("A")));
    expect(delivered.filter((b) => b.startsWith("B"))).toEqual(sent.filter((b) => b.startsWith("B")));
    expect(maxPerGroup).toBe(1);
    expect(maxInvocations).toBe(2);
  });
  it("FIFO: a message whose group is still in flight (its visibility timeout lapsed mid-invocation) is made visible again, not delivered alongside", async () => {
    const pair = await queue({ fifo: true, visibilityTimeoutSeconds: 1, maxReceiveCount: 5 });
    await send(sqs.client, pair.queueUrl, ["A0", "A1"], () => "A");
    let current = 0;
    let max = 0;
    const { events } = run(
      pair,
      async (event) => {
        current++;
        max = Math.max(max, current);
        if (event.Records[0]!.body === "A0" && receiveCount(event.Records[0]!) === "1") await sleep(1600);
        current--;
      },
      { batchSize: 1 },
    );

    await waitFor(async () => (await remaining(pair.queueUrl)) === 0);
    await mapping!.stop();
    expect(max).toBe(1);
    // A0's second receive (after its visibility lapsed) was held back; the late delete used a stale
    // receipt handle, so A0 comes once more before A1.
    expect(events.map((event) => `${event.Records[0]!.body}#${receiveCount(event.Records[0]!)}`)).toEqual([
      "A0#1",
      "A0#3",
      "A1#1",
    ]);
  });

  it("rejects options outside AWS's limits", async () => {
    const pair = await queue();
    const fifo = await queue({ fifo: true });
    const base = {
      client: sqs.client,
      queueUrl: pair.queueUrl,
      queueArn: pair.queueArn,
      handler: async () => undefined,
    };
    expect(() => createEventSourceMapping({ ...base, maxConcurrency: 1 })).toThrow(RangeError);
    expect(() => createEventSourceMapping({ ...base, batchSize: 0 })).toThrow(RangeError);
    expect(() => createEventSourceMapping({ ...base, batchSize: 11 })).toThrow(/maxBatchingWindowSeconds/);
    expect(() => createEventSourceMapping({ ...base, batchSize: 11, maxBatchingWindowSeconds: 1 })).not.toThrow();
    expect(() =>
      createEventSourceMapping({
        ...base,
        queueUrl: fifo.queueUrl,
        queueArn: fifo.queueArn,
        batchSize: 11,
        maxBatchingWindowSeconds: 1,
      }),
    ).toThrow(RangeError);
  });
});
