import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archiveKey, REDRIVEN_WITHOUT_REASON } from "../../../../functions/runtime/archive/dead-letter-record.js";
import { lambdaContext, loadBundledHandler } from "../../../support/bundled-handler.js";
import { type LocalSqs, startLocalSqs } from "../../../support/local-aws.js";
import {
  ARCHIVER_ENTRY,
  archivedDeadLetters,
  archiverEnvironment,
  createArchiveResources,
  invokeArchiver,
  PREFIX,
  poisonThroughRuntime,
  receiveAlerts,
  receiveDeadLetters,
  redriveThroughSqs,
} from "./support.js";

let sqs: LocalSqs;
beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await sqs.stop();
});

let next = 0;
/** Fresh queues, bucket and topic for one test, and the bundled archiver pointed at them. */
async function setUp(options: { fifo?: boolean } = {}) {
  const resources = await createArchiveResources(sqs.client, sqs.endpoint, `archiver-${next++}`, options);
  const handler = loadBundledHandler(
    ARCHIVER_ENTRY,
    archiverEnvironment({ endpoint: sqs.endpoint, bucket: resources.bucket, topicArn: resources.topicArn }),
  );
  return { ...resources, handler };
}

describe("the bundled archiver on fauxqs (SQS, S3, SNS)", () => {
  it("stores each dead letter under its key with its reason, body, attributes and source queue, and deletes it only then", async () => {
    const { handler, queues, s3, bucket } = await setUp();
    await poisonThroughRuntime(sqs.client, queues, [
      { body: '{"type":"order_created"}', reason: "schema-violation" },
      {
        body: "not json at all",
        reason: "malformed-json",
        attributes: {
          tenant: { DataType: "String", StringValue: "acme" },
          blob: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2, 255]) },
          priority: { DataType: "Number", StringValue: "7" },
        },
      },
      { body: "ünïcödé ✓ body", reason: "unknown-type" },
    ]);
    await redriveThroughSqs(sqs.client, queues, "redriven after maxReceiveCount");
    const { event } = await receiveDeadLetters(sqs.client, queues, 4);

    const result = await invokeArchiver(handler, sqs.client, queues, event);

    expect(result.failed).toEqual([]);
    const archive = await archivedDeadLetters(s3, bucket);
    expect(archive.size).toBe(4);
    for (const record of event.Records) {
      const key = archiveKey(PREFIX, {
        deadLetterQueueArn: queues.deadLetterQueueArn,
        messageId: record.messageId,
        sentAt: new Date(Number(record.attributes.SentTimestamp)).toISOString(),
      });
      const stored = archive.get(key);
      expect(stored, key).toBeDefined();
      expect(stored?.body).toBe(record.body);
      expect(stored?.deadLetterQueueArn).toBe(queues.deadLetterQueueArn);
      expect(stored?.attributes.SentTimestamp).toBe(record.attributes.SentTimestamp);
    }
    const byBody = new Map([...archive.values()].map((letter) => [letter.body, letter]));
    expect(byBody.get('{"type":"order_created"}')).toMatchObject({
      reason: "schema-violation",
      sourceQueueArn: queues.queueArn,
    });
    expect(byBody.get('{"type":"order_created"}')?.sourceMessageId).toMatch(/.+/);
    const withAttributes = byBody.get("not json at all");
    expect(withAttributes?.messageAttributes).toMatchObject({
      tenant: { dataType: "String", stringValue: "acme" },
      blob: { dataType: "Binary", binaryValue: Buffer.from([0, 1, 2, 255]).toString("base64") },
      priority: { dataType: "Number", stringValue: "7" },
      "dlq-reason": { dataType: "String", stringValue: "malformed-json" },
    });
    expect(JSON.parse(withAttributes?.messageAttributes["dlq-details"]?.stringValue ?? "{}")).toMatchObject({
      sourceQueueArn: queues.queueArn,
    });
    expect(byBody.get("ünïcödé ✓ body")?.reason).toBe("unknown-type");
    // SQS's own redrive carries no reason; fauxqs gives no DeadLetterQueueSourceArn either, so no source.
    expect(byBody.get("redriven after maxReceiveCount")).toMatchObject({ reason: REDRIVEN_WITHOUT_REASON });
    expect(byBody.get("redriven after maxReceiveCount")?.sourceQueueArn).toBeUndefined();

    const dlqLeft = await receiveDeadLetters(sqs.client, queues, 0);
    expect(dlqLeft.messages).toEqual([]);
  });

  it("sends one alert per batch with the newly stored counts by reason, and metrics without a per-reason name", async () => {
    const { handler, queues, alertsUrl } = await setUp();
    await poisonThroughRuntime(sqs.client, queues, [
      { body: "a", reason: "schema-violation" },
      { body: "b", reason: "schema-violation" },
      { body: "c", reason: "malformed-json" },
    ]);
    await redriveThroughSqs(sqs.client, queues, "d");
    await redriveThroughSqs(sqs.client, queues, "e");
    const { event } = await receiveDeadLetters(sqs.client, queues, 5);

    const result = await invokeArchiver(handler, sqs.client, queues, event);

    const alerts = await receiveAlerts(sqs.client, alertsUrl, 1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.subject).toBe(`5 dead letters archived from ${queues.deadLetterQueueArn.split(":").at(-1)}`);
    expect(alerts[0]?.alert).toEqual({
      event: "dead-letters-archived",
      deadLetterQueueArn: queues.deadLetterQueueArn,
      bucket: expect.any(String),
      prefix: PREFIX,
      archived: 5,
      byReason: { "schema-violation": 2, [REDRIVEN_WITHOUT_REASON]: 2, "malformed-json": 1 },
    });
    expect(Object.keys(alerts[0]?.alert.byReason as object)).toEqual([
      REDRIVEN_WITHOUT_REASON,
      "schema-violation",
      "malformed-json",
    ]);
    expect(result.archiverMetrics).toMatchObject({
      DeadLettersArchived: 5,
      DeadLettersAlreadyArchived: 0,
      ArchiveAlertsFailed: 0,
      Service: "orders-test-processor",
    });
    const documents = result.archiverMetrics?._aws as unknown as {
      CloudWatchMetrics: { Metrics: { Name: string }[] }[];
    };
    const names = documents.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name);
    expect(names).toEqual(["DeadLettersArchived", "DeadLettersAlreadyArchived", "ArchiveAlertsFailed"]);
  });

  it("stores a redelivered dead letter once and does not alert for it again (the same batch twice, then a mix)", async () => {
    const { handler, queues, s3, bucket, alertsUrl } = await setUp();
    await poisonThroughRuntime(sqs.client, queues, [
      { body: "first", reason: "r1" },
      { body: "second", reason: "r2" },
    ]);
    const { event } = await receiveDeadLetters(sqs.client, queues, 2);
    const first = await invokeArchiver(handler, sqs.client, queues, event);
    const before = await archivedDeadLetters(s3, bucket);

    // As if the mapping's delete had been lost: the same records come again, to a fresh container.
    const again = await invokeArchiver(handler, sqs.client, queues, event);
    expect(again.failed).toEqual([]);
    expect(again.archiverMetrics).toMatchObject({ DeadLettersArchived: 0, DeadLettersAlreadyArchived: 2 });
    const after = await archivedDeadLetters(s3, bucket);
    expect(after).toEqual(before); // archivedAt included: the first copy was kept, not overwritten
    expect(first.archiverMetrics).toMatchObject({ DeadLettersArchived: 2 });

    // A batch with one old and one new dead letter: one stored, one alert counting only the new one.
    await poisonThroughRuntime(sqs.client, queues, [{ body: "third", reason: "r3" }]);
    const { event: mixed } = await receiveDeadLetters(sqs.client, queues, 1);
    const mixedEvent = { Records: [...event.Records.slice(0, 1), ...mixed.Records] };
    const third = await invokeArchiver(handler, sqs.client, queues, mixedEvent);
    expect(third.archiverMetrics).toMatchObject({ DeadLettersArchived: 1, DeadLettersAlreadyArchived: 1 });
    expect((await archivedDeadLetters(s3, bucket)).size).toBe(3);

    const alerts = await receiveAlerts(sqs.client, alertsUrl, 2);
    expect(alerts.map((alert) => alert.alert.byReason)).toEqual([{ r1: 1, r2: 1 }, { r3: 1 }]);
  });

  it("a new container stores a dead letter the previous one stored once (nothing kept in memory decides)", async () => {
    const { handler, queues, s3, bucket, topicArn } = await setUp();
    await poisonThroughRuntime(sqs.client, queues, [{ body: "x", reason: "r" }]);
    const { event } = await receiveDeadLetters(sqs.client, queues, 1);
    await invokeArchiver(handler, sqs.client, queues, event);
    const fresh = loadBundledHandler(ARCHIVER_ENTRY, archiverEnvironment({ endpoint: sqs.endpoint, bucket, topicArn }));
    const second = await invokeArchiver(fresh, sqs.client, queues, event);
    expect(second.archiverMetrics).toMatchObject({ DeadLettersArchived: 0, DeadLettersAlreadyArchived: 1 });
    expect((await archivedDeadLetters(s3, bucket)).size).toBe(1);
  });

  it("reports a record without SentTimestamp failed and stores nothing for it (hand-made event: SQS always sends one)", async () => {
    const { handler, queues, s3, bucket } = await setUp();
    await poisonThroughRuntime(sqs.client, queues, [
      { body: "good", reason: "r" },
      { body: "bad", reason: "r" },
    ]);
    const { event } = await receiveDeadLetters(sqs.client, queues, 2);
    const broken = event.Records.find((record) => record.body === "bad")!;
    for (const value of [undefined, "", "not-a-number", "-5", "1.5"]) {
      (broken.attributes as { SentTimestamp?: string }).SentTimestamp = value;
      const result = await invokeArchiver(handler, sqs.client, queues, { Records: [broken] });
      expect(result.failed).toEqual([broken.messageId]);
      expect(JSON.stringify(result.logs)).toContain("attributes.SentTimestamp must be milliseconds since 1970");
    }
    const good = event.Records.find((record) => record.body === "good")!;
    await invokeArchiver(handler, sqs.client, queues, { Records: [good] });
    expect([...(await archivedDeadLetters(s3, bucket)).values()].map((letter) => letter.body)).toEqual(["good"]);
  });

  it("takes the source queue from SQS's DeadLetterQueueSourceArn when there is no dlq-details (an attribute fauxqs does not give, added by hand)", async () => {
    const { handler, queues, s3, bucket } = await setUp();
    await redriveThroughSqs(sqs.client, queues, "moved by SQS");
    const { event } = await receiveDeadLetters(sqs.client, queues, 1);
    Object.assign(event.Records[0]!.attributes, { DeadLetterQueueSourceArn: queues.queueArn });
    await invokeArchiver(handler, sqs.client, queues, event, lambdaContext());
    const [stored] = (await archivedDeadLetters(s3, bucket)).values();
    expect(stored).toMatchObject({ reason: REDRIVEN_WITHOUT_REASON, sourceQueueArn: queues.queueArn });
  });

  it("archives a FIFO queue's dead letters under the .fifo queue's name, group attributes kept, once each", async () => {
    const { handler, queues, s3, bucket, alertsUrl } = await setUp({ fifo: true });
    await poisonThroughRuntime(sqs.client, queues, [
      { body: "f1", reason: "schema-violation", group: "order-1" },
      { body: "f2", reason: "schema-violation", group: "order-1" },
      { body: "f3", reason: "unknown-type", group: "order-2" },
    ]);
    // A group's next message comes only once the one before is deleted: two rounds, as the mapping would.
    const round1 = await receiveDeadLetters(sqs.client, queues, 2);
    expect((await invokeArchiver(handler, sqs.client, queues, round1.event)).failed).toEqual([]);
    const round2 = await receiveDeadLetters(sqs.client, queues, 1);
    expect((await invokeArchiver(handler, sqs.client, queues, round2.event)).failed).toEqual([]);
    const again = await invokeArchiver(handler, sqs.client, queues, {
      Records: [...round1.event.Records, ...round2.event.Records],
    });
    expect(again.archiverMetrics).toMatchObject({ DeadLettersArchived: 0, DeadLettersAlreadyArchived: 3 });
    const archive = await archivedDeadLetters(s3, bucket);
    expect(
      [...archive.keys()].every((key) => key.startsWith(`${PREFIX}${queues.deadLetterQueueArn.split(":").at(-1)}/`)),
    ).toBe(true);
    expect(queues.deadLetterQueueArn).toMatch(/\.fifo$/);
    expect([...archive.values()].map((letter) => [letter.body, letter.attributes.MessageGroupId]).sort()).toEqual([
      ["f1", "order-1"],
      ["f2", "order-1"],
      ["f3", "order-2"],
    ]);
    const alerts = await receiveAlerts(sqs.client, alertsUrl, 2);
    expect(alerts.map((alert) => alert.alert.byReason)).toEqual([
      { "schema-violation": 1, "unknown-type": 1 },
      { "schema-violation": 1 },
    ]);
  });

  it("stores bodies up to SQS's 1 MiB whole, and bodies that are JSON, whitespace or markup as text", async () => {
    const { handler, queues, s3, bucket } = await setUp();
    const bodies = [
      "x".repeat(1_048_576 - 600),
      JSON.stringify({ nested: { deeper: [1, 2, { deepest: "value" }] } }),
      "   \n\t  ",
      "<Error><Code>NotXml</Code></Error>",
    ];
    await poisonThroughRuntime(
      sqs.client,
      queues,
      bodies.map((body) => ({ body, reason: "body-too-large" })),
    );
    const { event } = await receiveDeadLetters(sqs.client, queues, bodies.length);
    const result = await invokeArchiver(handler, sqs.client, queues, event);
    expect(result.failed).toEqual([]);
    const stored = [...(await archivedDeadLetters(s3, bucket)).values()].map((letter) => letter.body);
    expect(stored.sort()).toEqual([...bodies].sort());
  });
});
