import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ArchivedDeadLetter,
  archiveKey,
  DEAD_LETTER_RECORD_FORMAT,
  DEFAULT_ARCHIVE_PREFIX,
} from "../../../functions/runtime/archive/dead-letter-record.js";
import { CREDENTIALS, REGION } from "../../support/local-aws.js";
import { reliabilityStacks } from "../../support/shared-stacks.js";
import { tempDir } from "../../support/temp-dirs.js";
import { drain, localTarget, type OpsPipeline, opsPipeline, queueCounts, runOps } from "./ops-fixture.js";

const BUCKET = "orders-dev-dead-letters";

let pipeline: OpsPipeline | undefined;
let s3: S3Client | undefined;
afterEach(async () => {
  s3?.destroy();
  await pipeline?.stop();
  pipeline = undefined;
});

/**
 * The synthesized stack in archive mode, as the construct's archive mode outputs it: a copy of the
 * real synth with the bucket and the outputs `archive_bucket_name` (a reference) and `archive_prefix`.
 */
async function archiveModeStacks(environment: string, prefix?: string): Promise<string> {
  const source = path.join(await reliabilityStacks(), "stacks", environment, "cdk.tf.json");
  const json = JSON.parse(readFileSync(source, "utf8"));
  json.resource.aws_s3_bucket = { archive: { bucket: BUCKET } };
  json.output.archive_bucket_name = { value: "${aws_s3_bucket.archive.bucket}" };
  if (prefix !== undefined) json.output.archive_prefix = { value: prefix };
  const outdir = tempDir("ops-archive-stacks");
  mkdirSync(path.join(outdir, "stacks", environment), { recursive: true });
  writeFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), JSON.stringify(json));
  return outdir;
}

function archived(index: number, reason: string, sentAt: string, groupId?: string): ArchivedDeadLetter {
  return {
    format: DEAD_LETTER_RECORD_FORMAT,
    // Ids sort against the order the messages came in, as random ids do.
    messageId: `00000000-0000-4000-8000-${String(1000 - index).padStart(12, "0")}`,
    reason,
    body: JSON.stringify({ n: index }),
    attributes: {
      SentTimestamp: String(Date.parse(sentAt)),
      ApproximateReceiveCount: "1",
      ...(groupId ? { MessageGroupId: groupId, SequenceNumber: String(10n ** 19n + BigInt(index)) } : {}),
    },
    messageAttributes: {
      "dlq-reason": { dataType: "String", stringValue: reason },
      "dlq-details": { dataType: "String", stringValue: "{}" },
      "trace-id": { dataType: "String", stringValue: `trace-${index}` },
      blob: { dataType: "Binary", binaryValue: Buffer.from([index, 255]).toString("base64") },
    },
    deadLetterQueueArn: `arn:aws:sqs:us-east-1:000000000000:${pipeline?.deadLetterQueue.name}`,
    sentAt,
    archivedAt: sentAt,
  };
}

async function archive(records: readonly ArchivedDeadLetter[], prefix = DEFAULT_ARCHIVE_PREFIX): Promise<void> {
  if (!pipeline) throw new Error("no pipeline");
  s3 = new S3Client({
    endpoint: pipeline.sqs.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const record of records) {
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: archiveKey(prefix, record), Body: JSON.stringify(record) }),
    );
  }
}

const DAYS = [
  "2026-11-27T08:00:00.000Z",
  "2026-11-28T08:00:00.000Z",
  "2026-11-29T23:59:59.000Z",
  "2026-11-30T00:00:00.000Z",
];

function sample(): ArchivedDeadLetter[] {
  return Array.from({ length: 24 }, (_, index) =>
    archived(index, index % 2 ? "schema-violation" : "max-receive-count", DAYS[index % 4] as string),
  );
}

describe("ops archive replay (fauxqs S3 and SQS)", () => {
  it("sends every archived dead letter back to the source queue once: body and attributes kept, dlq-* left out", async () => {
    pipeline = await opsPipeline("dev", await archiveModeStacks("dev"));
    await archive(sample());
    const run = await runOps(["archive", "replay", ...localTarget(pipeline)]);
    expect(run.stderr).not.toContain("failed");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("replayed 24 of 24 matching archived dead letters (24 listed)");
    const received = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(received.map((message) => JSON.parse(message.body).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 24 }, (_, index) => index),
    );
    for (const message of received) {
      const n = JSON.parse(message.body).n;
      expect(message.attributes["trace-id"]).toBe(`trace-${n}`);
      expect(message.attributes.blob).toBe(Buffer.from([n, 255]).toString("base64"));
      expect(message.attributes).not.toHaveProperty("dlq-reason");
      expect(message.attributes).not.toHaveProperty("dlq-details");
    }
  });

  it.each([
    [["--reason", "schema-violation"], (r: ArchivedDeadLetter) => r.reason === "schema-violation"],
    [["--since", "2026-11-28T08:00:00Z"], (r: ArchivedDeadLetter) => r.sentAt >= "2026-11-28T08:00:00.000Z"],
    [["--until", "2026-11-29T23:59:59Z"], (r: ArchivedDeadLetter) => r.sentAt < "2026-11-29T23:59:59.000Z"],
    [
      ["--since", "2026-11-28T00:00:00Z", "--until", "2026-11-30T00:00:00Z", "--reason", "max-receive-count"],
      (r: ArchivedDeadLetter) =>
        r.reason === "max-receive-count" && r.sentAt >= "2026-11-28" && r.sentAt < "2026-11-30T00:00:00.000Z",
    ],
  ])("%j replays exactly the dead letters it selects", async (options, selects) => {
    pipeline = await opsPipeline("dev", await archiveModeStacks("dev"));
    const records = sample();
    await archive(records);
    const run = await runOps(["archive", "replay", ...localTarget(pipeline), ...options]);
    expect(run.code).toBe(0);
    const expected = records.filter(selects).map((record) => JSON.parse(record.body).n);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(24);
    const received = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(received.map((message) => JSON.parse(message.body).n).sort((a, b) => a - b)).toEqual(
      expected.sort((a, b) => a - b),
    );
  });

  it("--dry-run counts by reason and sends nothing", async () => {
    pipeline = await opsPipeline("dev", await archiveModeStacks("dev"));
    await archive(sample());
    const run = await runOps(["archive", "replay", ...localTarget(pipeline), "--dry-run"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "would replay 24 of 24 matching archived dead letters (24 listed) [max-receive-count 12, schema-violation 12]",
    );
    expect(await queueCounts(pipeline.sqs.client, pipeline.queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("reads the stack's own prefix", async () => {
    pipeline = await opsPipeline("dev", await archiveModeStacks("dev", "archive/dlq/"));
    await archive(sample().slice(0, 3), "archive/dlq/");
    const run = await runOps(["archive", "replay", ...localTarget(pipeline)]);
    expect(run.stdout).toContain("replayed 3 of 3");
  });

  it("a partial failure: replays what it can, names each object it could not, exit 1", async () => {
    pipeline = await opsPipeline("dev", await archiveModeStacks("dev"));
    await archive(sample().slice(0, 4));
    const prefix = `${DEFAULT_ARCHIVE_PREFIX}${pipeline.deadLetterQueue.name}/2026/11/30/`;
    await s3?.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}not-json.json`, Body: "{" }));
    const wrongFormat = { ...archived(90, "x", DAYS[3] as string), format: "other@1" };
    await s3?.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}wrong-format.json`, Body: JSON.stringify(wrongFormat) }),
    );
    const run = await runOps(["archive", "replay", ...localTarget(pipeline)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("replayed 4 of 4 matching archived dead letters (6 listed)");
    expect(run.stdout).toMatch(
      /unreadable, not replayed: dead-letters\/orders-dev-dlq\/2026\/11\/30\/not-json\.json: /,
    );
    expect(run.stdout).toMatch(/unreadable, not replayed: .*wrong-format\.json: .*format/);
    expect(await drain(pipeline.sqs.client, pipeline.queue.url)).toHaveLength(4);
  });

  it("FIFO: replays in each group's order (SequenceNumber, not the keys' order) with the archived group", async () => {
    pipeline = await opsPipeline("dev-fifo", await archiveModeStacks("dev-fifo"));
    // One second for all: only the sequence numbers tell the order.
    const records = Array.from({ length: 9 }, (_, index) =>
      archived(index, "schema-violation", "2026-11-30T08:00:00.000Z", `order-${index % 3}`),
    );
    await archive(records);
    const run = await runOps(["archive", "replay", ...localTarget(pipeline)]);
    expect(run.code).toBe(0);
    const received = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(received).toHaveLength(9);
    for (const group of [0, 1, 2]) {
      expect(
        received.filter((message) => message.groupId === `order-${group}`).map((message) => JSON.parse(message.body).n),
      ).toEqual([0, 1, 2].map((step) => step * 3 + group));
    }
  });

  it("a stack in retain mode has no archive: exit 2 saying so", async () => {
    pipeline = await opsPipeline("dev");
    const run = await runOps(["archive", "replay", ...localTarget(pipeline)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("ops: the dev stack does not archive dead letters (retain mode): use dlq redrive\n");
  });

  it("a bucket that does not exist: exit 2 naming it", async () => {
    pipeline = await opsPipeline("dev", await archiveModeStacks("dev"));
    const run = await runOps(["archive", "replay", ...localTarget(pipeline)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^ops: the archive s3:\/\/orders-dev-dead-letters\/dead-letters\/: the bucket does not exist/,
    );
  });
});
