import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createArchiver } from "../../../../functions/runtime/archiver/archiver.js";
import { createLogger } from "../../../../functions/runtime/log.js";
import { type FaultProxy, startFaultProxy } from "../../../../local/servers/fault-proxy.js";
import { lambdaContext, loadBundledHandler } from "../../../support/bundled-handler.js";
import { CREDENTIALS, type LocalSqs, REGION, startLocalSqs } from "../../../support/local-aws.js";
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
} from "./support.js";

let sqs: LocalSqs;
let proxy: FaultProxy;
beforeAll(async () => {
  sqs = await startLocalSqs();
  proxy = await startFaultProxy(sqs.endpoint);
});
afterEach(async () => {
  proxy.setRule(undefined);
  await proxy.comeBack();
});
afterAll(async () => {
  await proxy.close();
  await sqs.stop();
});

let next = 0;
/** Resources for one test; the archiver reaches S3 or SNS (`through`) by the fault proxy, the other directly. */
async function setUp(through: "s3" | "sns") {
  const resources = await createArchiveResources(sqs.client, sqs.endpoint, `faults-${next++}`);
  const handler = loadBundledHandler(
    ARCHIVER_ENTRY,
    archiverEnvironment({
      endpoint: sqs.endpoint,
      bucket: resources.bucket,
      topicArn: resources.topicArn,
      ...(through === "s3" ? { s3Endpoint: proxy.endpoint } : { snsEndpoint: proxy.endpoint }),
    }),
  );
  return { ...resources, handler };
}

/** `count` dead letters with reasons r0, r1, r2 in turn, received as one event. */
async function deadLetters(resources: Awaited<ReturnType<typeof setUp>>, count: number) {
  await poisonThroughRuntime(
    sqs.client,
    resources.queues,
    Array.from({ length: count }, (_, index) => ({ body: `letter-${index}`, reason: `r${index % 3}` })),
  );
  return receiveDeadLetters(sqs.client, resources.queues, count);
}

describe("the archiver when S3 fails: nothing leaves the DLQ before it is stored, and each is stored once", () => {
  it("S3 down: every record reported failed, no alert; once S3 is back, the redelivery stores each once and alerts once", async () => {
    const resources = await setUp("s3");
    const { event } = await deadLetters(resources, 6);
    await proxy.goDown();

    const down = await invokeArchiver(resources.handler, sqs.client, resources.queues, event);
    expect(down.failed.sort()).toEqual(event.Records.map((record) => record.messageId).sort());
    expect(down.archiverMetrics).toMatchObject({ DeadLettersArchived: 0, ArchiveAlertsFailed: 0 });
    expect(await receiveAlerts(sqs.client, resources.alertsUrl, 0)).toEqual([]);
    expect((await archivedDeadLetters(resources.s3, resources.bucket)).size).toBe(0);

    await proxy.comeBack();
    const up = await invokeArchiver(resources.handler, sqs.client, resources.queues, event);
    expect(up.failed).toEqual([]);
    expect((await archivedDeadLetters(resources.s3, resources.bucket)).size).toBe(6);
    const alerts = await receiveAlerts(sqs.client, resources.alertsUrl, 1);
    expect(alerts.map((alert) => alert.alert.byReason)).toEqual([{ r0: 2, r1: 2, r2: 2 }]);
  });

  it("S3 refusing some puts (503 on every attempt for those): only the stored records succeed; redeliveries until the DLQ is empty store each exactly once", async () => {
    const resources = await setUp("s3");
    const total = 12;
    const { event } = await deadLetters(resources, total);
    // Refuse the puts of a changing third of the letters on each delivery, every SDK retry included.
    let round = 0;
    proxy.setRule((request) => {
      const letter = (request.body as { body?: string } | undefined)?.body;
      const index = Number(letter?.replace("letter-", ""));
      return Number.isInteger(index) && (index + round) % 3 === 0 ? "fail" : "pass";
    });

    let pending = event.Records;
    let alerted = 0;
    for (; pending.length > 0 && round < 6; round++) {
      const result = await invokeArchiver(resources.handler, sqs.client, resources.queues, { Records: pending });
      const stored = await archivedDeadLetters(resources.s3, resources.bucket);
      // Every record reported succeeded is in the bucket; every record not in the bucket was reported failed.
      for (const record of pending) {
        const inBucket = [...stored.values()].some((letter) => letter.messageId === record.messageId);
        expect(result.failed.includes(record.messageId), record.body).toBe(!inBucket);
      }
      alerted += result.archiverMetrics?.DeadLettersArchived ?? 0;
      pending = pending.filter((record) => result.failed.includes(record.messageId));
    }
    expect(proxy.counts.failed).toBeGreaterThan(0);
    expect(pending).toEqual([]);
    const archive = await archivedDeadLetters(resources.s3, resources.bucket);
    expect([...archive.values()].map((letter) => letter.body).sort()).toEqual(
      Array.from({ length: total }, (_, index) => `letter-${index}`).sort(),
    );
    expect(alerted).toBe(total);
    const alerts = await receiveAlerts(sqs.client, resources.alertsUrl, round);
    expect(alerts.reduce((sum, alert) => sum + Number(alert.alert.archived), 0)).toBe(total);
  });

  it("a put S3 stored but whose answer was lost (client timeout): reported failed, and the redelivery finds it stored (412), so it is stored once (archiver built with a 300 ms S3 timeout and no retry)", async () => {
    const resources = await createArchiveResources(sqs.client, sqs.endpoint, `faults-${next++}`);
    const s3 = new S3Client({
      endpoint: proxy.endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const sns = new SNSClient({ endpoint: sqs.endpoint, region: REGION, credentials: CREDENTIALS });
    const handler = createArchiver({
      s3,
      sns,
      bucket: resources.bucket,
      prefix: PREFIX,
      alertTopicArn: resources.topicArn,
      logger: createLogger({ level: "ERROR" }),
    });
    await poisonThroughRuntime(sqs.client, resources.queues, [
      { body: "slow", reason: "r" },
      { body: "fast", reason: "r" },
    ]);
    const { event } = await receiveDeadLetters(sqs.client, resources.queues, 2);
    proxy.setRule((request) =>
      (request.body as { body?: string } | undefined)?.body === "slow" ? { delayMs: 800, phase: "response" } : "pass",
    );

    const first = await invokeArchiver(handler, sqs.client, resources.queues, event);
    const slow = event.Records.find((record) => record.body === "slow")!;
    expect(first.failed).toEqual([slow.messageId]);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the held answer goes by
    expect((await archivedDeadLetters(resources.s3, resources.bucket)).size).toBe(2);

    proxy.setRule(undefined);
    const redelivered = await invokeArchiver(handler, sqs.client, resources.queues, { Records: [slow] });
    expect(redelivered.failed).toEqual([]);
    expect(redelivered.archiverMetrics).toMatchObject({ DeadLettersArchived: 0, DeadLettersAlreadyArchived: 1 });
    expect((await archivedDeadLetters(resources.s3, resources.bucket)).size).toBe(2);
    s3.destroy();
    sns.destroy();
  });
});

describe("the archiver when the alert fails: the dead letters are stored and acknowledged all the same", () => {
  it("SNS down: records succeed, the failure is logged and counted, a redelivery is not archived again", async () => {
    const resources = await setUp("sns");
    const { event } = await deadLetters(resources, 3);
    await proxy.goDown();

    const result = await invokeArchiver(resources.handler, sqs.client, resources.queues, event);

    expect(result.failed).toEqual([]);
    expect(result.archiverMetrics).toMatchObject({ DeadLettersArchived: 3, ArchiveAlertsFailed: 1 });
    const errorLine = result.logs.find((line) => line.level === "ERROR");
    expect(errorLine).toMatchObject({
      message: "archive alert could not be published; the dead letters are stored",
      archived: 3,
      byReason: { r0: 1, r1: 1, r2: 1 },
    });
    expect((await archivedDeadLetters(resources.s3, resources.bucket)).size).toBe(3);
    await proxy.comeBack();
    const again = await invokeArchiver(resources.handler, sqs.client, resources.queues, event);
    expect(again.archiverMetrics).toMatchObject({ DeadLettersArchived: 0, DeadLettersAlreadyArchived: 3 });
    expect(await receiveAlerts(sqs.client, resources.alertsUrl, 0)).toEqual([]);
  });

  it("SNS refusing (503 on every attempt) and SNS too slow for the time left: the invocation still answers in time", async () => {
    const resources = await setUp("sns");
    const { event } = await deadLetters(resources, 2);
    proxy.setRule(() => "fail");
    const refused = await invokeArchiver(resources.handler, sqs.client, resources.queues, event);
    expect(refused).toMatchObject({ failed: [], archiverMetrics: { DeadLettersArchived: 2, ArchiveAlertsFailed: 1 } });

    const { event: second } = await deadLetters(resources, 2);
    proxy.setRule(() => ({ delayMs: 10_000 }));
    const startedAt = Date.now();
    // 3 s left: the library keeps its deadline margin, the alert gets what remains less 0.5 s.
    const budget = startedAt + 3000;
    const slow = await invokeArchiver(
      resources.handler,
      sqs.client,
      resources.queues,
      second,
      lambdaContext(() => budget - Date.now()),
    );
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(slow).toMatchObject({ failed: [], archiverMetrics: { DeadLettersArchived: 2, ArchiveAlertsFailed: 1 } });
  });
});
