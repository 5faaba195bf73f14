import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQS } from "../../../functions/runtime/aws-limits.js";
import { PoisonMessageError } from "../../../functions/runtime/index.js";
import { sendToDeadLetterQueue } from "../../../functions/runtime/poison.js";
import { createQueuePair, type LocalSqs, receiveAll, startLocalSqs } from "../../support/local-aws.js";
import { record } from "./records.js";

let sqs: LocalSqs;
beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await sqs?.stop();
});

const poison = new PoisonMessageError("schema-violation", "data.total: must be a number", { correlationId: "c-1" });

function withAttributes(count: number) {
  const r = record("m-1", '{"type":"order_created"}', { receiveCount: 2 });
  for (let i = 0; i < count; i++)
    r.messageAttributes[`attr${i}`] = {
      dataType: "String",
      stringValue: `v${i}`,
      stringListValues: [],
      binaryListValues: [],
    };
  return r;
}

describe("sendToDeadLetterQueue (on a real SQS server)", () => {
  it("copies the body and attributes and adds the reason and details", async () => {
    const queues = await createQueuePair(sqs.client, "poison-a");
    const r = withAttributes(1);
    r.messageAttributes.blob = {
      dataType: "Binary",
      binaryValue: Buffer.from([1, 2, 3]).toString("base64"),
      stringListValues: [],
      binaryListValues: [],
    };
    const sent = await sendToDeadLetterQueue(sqs.client, queues.deadLetterQueueUrl, r, poison, {
      now: Date.parse("2026-11-22T00:00:00Z"),
    });
    expect(sent.reasonAttached).toBe("reason-and-details");

    const [copy] = await receiveAll(sqs.client, queues.deadLetterQueueUrl, 1);
    expect(copy!.Body).toBe(r.body);
    expect(copy!.MessageAttributes!.attr0!.StringValue).toBe("v0");
    expect(Buffer.from(copy!.MessageAttributes!.blob!.BinaryValue!)).toEqual(Buffer.from([1, 2, 3]));
    expect(copy!.MessageAttributes!["dlq-reason"]!.StringValue).toBe("schema-violation");
    expect(JSON.parse(copy!.MessageAttributes!["dlq-details"]!.StringValue!)).toEqual({
      error: "data.total: must be a number",
      sourceQueueArn: r.eventSourceARN,
      messageId: "m-1",
      receiveCount: 2,
      sentTimestamp: Number(r.attributes.SentTimestamp),
      failedAt: "2026-11-22T00:00:00.000Z",
    });
  });

  it("keeps only the reason when the original's 9 attributes leave room for one more", async () => {
    const queues = await createQueuePair(sqs.client, "poison-b");
    expect(
      (await sendToDeadLetterQueue(sqs.client, queues.deadLetterQueueUrl, withAttributes(9), poison)).reasonAttached,
    ).toBe("reason-only");
    const [copy] = await receiveAll(sqs.client, queues.deadLetterQueueUrl, 1);
    expect(Object.keys(copy!.MessageAttributes!)).toHaveLength(10);
    expect(copy!.MessageAttributes!["dlq-reason"]!.StringValue).toBe("schema-violation");
  });

  it("still dead-letters a message with SQS's maximum of 10 attributes, unchanged, when no reason fits", async () => {
    const queues = await createQueuePair(sqs.client, "poison-c");
    expect(
      (await sendToDeadLetterQueue(sqs.client, queues.deadLetterQueueUrl, withAttributes(10), poison)).reasonAttached,
    ).toBe("none");
    const [copy] = await receiveAll(sqs.client, queues.deadLetterQueueUrl, 1);
    expect(Object.keys(copy!.MessageAttributes!).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `attr${i}`).sort(),
    );
  });

  it("escapes characters SQS refuses in attribute values, so the details read back the same (fauxqs accepts them; AWS does not)", async () => {
    const queues = await createQueuePair(sqs.client, "poison-d");
    const message = "status: must be well-formed (got \ud800 and \uffff and \ufffe and \u0001)";
    const error = new PoisonMessageError("odd\uffff-reason\udc00", message);
    const sent = await sendToDeadLetterQueue(sqs.client, queues.deadLetterQueueUrl, withAttributes(0), error);
    expect(sent.reasonAttached).toBe("reason-and-details");

    const [copy] = await receiveAll(sqs.client, queues.deadLetterQueueUrl, 1);
    const reason = copy!.MessageAttributes!["dlq-reason"]!.StringValue!;
    const details = copy!.MessageAttributes!["dlq-details"]!.StringValue!;
    for (const value of [reason, details]) expect(value).not.toMatch(SQS.invalidMessageCharacter);
    expect(reason).toBe("odd\\uffff-reason\\udc00");
    expect(JSON.parse(details).error).toBe(message);
  });

  it("caps a huge reason and error message on the copy", async () => {
    const queues = await createQueuePair(sqs.client, "poison-e");
    const huge = "z".repeat(200_000);
    await sendToDeadLetterQueue(
      sqs.client,
      queues.deadLetterQueueUrl,
      withAttributes(0),
      new PoisonMessageError(huge, huge),
    );
    const [copy] = await receiveAll(sqs.client, queues.deadLetterQueueUrl, 1);

    expect(copy!.MessageAttributes!["dlq-reason"]!.StringValue!).toMatch(/^z{960}…\[199,040 more characters cut\]$/);
    expect(copy!.MessageAttributes!["dlq-details"]!.StringValue!.length).toBeLessThan(2000);
  });

  it("throws when the dead-letter queue does not exist, so the record is reported failed", async () => {
    await expect(
      sendToDeadLetterQueue(sqs.client, `${sqs.endpoint}/000000000000/no-such-queue`, withAttributes(0), poison),
    ).rejects.toThrow();
  });
});
