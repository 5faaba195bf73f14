import { describe, expect, it, vi } from "vitest";
import {
  createBatchHandler,
  InvalidBatchEventError,
  PoisonMessageError,
  processBatch,
  TransientError,
} from "../../../functions/runtime/index.js";
import type { MetricsSample } from "../../../functions/runtime/metrics.js";
import { context, eventOf, failedIds, ids, quiet, record, sleep } from "./records.js";

describe("processBatch", () => {
  it("reports nothing failed when every record succeeds", async () => {
    const response = await processBatch(
      eventOf(...ids(5).map((id) => record(id))),
      context(),
      async () => undefined,
      quiet,
    );
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it("reports exactly the records whose handler threw, in batch order", async () => {
    const records = ids(6).map((id) => record(id));
    const response = await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        if (r.messageId === "m2" || r.messageId === "m5") throw new TransientError("busy", "try later");
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["m2", "m5"]);
  });

  it("reports every record failed when all fail, rather than throwing", async () => {
    const response = await processBatch(
      eventOf(...ids(3).map((id) => record(id))),
      context(),
      async () => {
        throw new Error("down");
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["m1", "m2", "m3"]);
  });

  it("passes each record and the Lambda context to the handler", async () => {
    const seen: [string, string][] = [];
    const lambda = context();
    await processBatch(
      eventOf(record("a"), record("b")),
      lambda,
      async (r, c) => {
        seen.push([r.messageId, c.awsRequestId]);
      },
      quiet,
    );
    expect(seen.sort()).toEqual([
      ["a", "test-request"],
      ["b", "test-request"],
    ]);
  });

  it("acknowledges duplicate and ignored outcomes and counts them apart in the metrics", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const response = await processBatch(
        eventOf(record("a"), record("b"), record("c")),
        context(),
        async (r) => (r.messageId === "a" ? "duplicate" : r.messageId === "b" ? "ignored" : undefined),
        { logger: quiet.logger, metrics: { namespace: "Test", service: "svc" } },
      );
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    const document = JSON.parse(lines.find((line) => line.includes("_aws"))!);
    expect(document).toMatchObject({
      Service: "svc",
      RecordsReceived: 3,
      RecordsSucceeded: 1,
      RecordsDuplicate: 1,
      RecordsIgnored: 1,
      RecordsFailed: 0,
    });
    expect(document._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "Test", Dimensions: [["Service"]] });
  });

  it("gives a metrics sink the EMF document's values instead of writing it, and a sink that throws fails nothing", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const samples: MetricsSample[] = [];
    try {
      const event = eventOf(record("a"), record("b"));
      const handler = async (r: { messageId: string }) => (r.messageId === "a" ? "duplicate" : undefined);
      await processBatch(event, context(), handler, {
        logger: quiet.logger,
        metrics: { namespace: "Test", service: "svc" },
      });
      await processBatch(event, context(), handler, {
        logger: quiet.logger,
        metrics: { namespace: "Test", service: "svc", sink: (sample) => samples.push(sample) },
      });
      const thrown = await processBatch(event, context(), handler, {
        logger: quiet.logger,
        metrics: {
          namespace: "Test",
          sink: () => {
            throw new Error("sink broken");
          },
        },
      });
      expect(thrown).toEqual({ batchItemFailures: [] });
    } finally {
      spy.mockRestore();
    }
    const documents = lines.filter((line) => line.includes("_aws"));
    expect(documents).toHaveLength(1); // only the run without a sink wrote one
    const document = JSON.parse(documents[0]!);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ namespace: "Test", service: "svc" });
    const fromSink = Object.fromEntries(samples[0]!.values.map((metric) => [metric.name, metric.value]));
    const { _aws, Service, ...fromDocument } = document;
    expect({ ...fromSink, BatchDurationMs: 0, OldestRecordAgeMs: 0 }).toEqual({
      ...fromDocument,
      BatchDurationMs: 0,
      OldestRecordAgeMs: 0,
    });
    expect(samples[0]!.values.map((metric) => ({ Name: metric.name, Unit: metric.unit }))).toEqual(
      _aws.CloudWatchMetrics[0].Metrics,
    );
  });

  it("never dead-letters an unexpected error: it is reported failed to be retried", async () => {
    const send = vi.fn();
    const response = await processBatch(
      eventOf(record("a")),
      context(),
      async () => {
        throw new TypeError("bug");
      },
      { ...quiet, sqs: { send } as never, deadLetterQueueUrl: "http://dlq", backoff: false },
    );
    expect(failedIds(response)).toEqual(["a"]);
    expect(send).not.toHaveBeenCalled();
  });

  it("reports a poison message failed when no dead-letter queue is configured, so SQS's redrive keeps it", async () => {
    const response = await processBatch(
      eventOf(record("a")),
      context(),
      async () => {
        throw new PoisonMessageError("malformed-json", "not JSON");
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["a"]);
  });

  it("answers an empty batch with no failures and never calls the handler", async () => {
    const handler = vi.fn();
    expect(await processBatch({ Records: [] }, context(), handler, quiet)).toEqual({ batchItemFailures: [] });
    expect(handler).not.toHaveBeenCalled();
  });

  it("fails the whole invocation for an event without Records instead of answering for records it cannot see", async () => {
    await expect(processBatch({} as never, context(), async () => undefined, quiet)).rejects.toThrow(
      InvalidBatchEventError,
    );
  });

  it("fails the whole invocation for a record without messageId: Lambda could not read a failure for it", async () => {
    const bad = { ...record("a"), messageId: "" };
    await expect(processBatch(eventOf(record("b"), bad), context(), async () => undefined, quiet)).rejects.toThrow(
      'event.Records[1].messageId must be a non-empty string (got "")',
    );
  });

  it("reports a message id that appears twice in a batch once", async () => {
    const response = await processBatch(
      eventOf(record("a"), record("a")),
      context(),
      async () => {
        throw new TransientError("busy", "later");
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["a"]);
  });

  it("abandons a record still running at the deadline and reports it failed, while finished ones succeed", async () => {
    const start = Date.now();
    // 600 ms left, margin 400 ms: records may start now; running ones are abandoned when 200 ms are left.
    const lambda = context(() => 600 - (Date.now() - start));
    const response = await processBatch(
      eventOf(record("fast"), record("slow")),
      lambda,
      async (r) => {
        await sleep(r.messageId === "slow" ? 2000 : 5);
      },
      { ...quiet, deadlineMarginMs: 400 },
    );
    expect(failedIds(response)).toEqual(["slow"]);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it("starts no record once the time left is within the margin", async () => {
    const handler = vi.fn(async () => undefined);
    let reads = 0;
    // The batch started with 10 s; by the time its records are checked only 1.5 s are left, within the 2 s margin.
    const lambda = context(() => (reads++ === 0 ? 10_000 : 1500));
    const response = await processBatch(eventOf(record("a"), record("b")), lambda, handler, {
      ...quiet,
      deadlineMarginMs: 2000,
    });
    expect(failedIds(response)).toEqual(["a", "b"]);
    expect(handler).not.toHaveBeenCalled();
  });

  it("runs records when the whole budget is within the margin (a 1 s timeout, the default 2 s margin): at most half the budget is kept back", async () => {
    // Keeping the whole margin would start nothing on any delivery, and SQS would redrive every message to the DLQ.
    const start = Date.now();
    const lambda = context(() => 1000 - (Date.now() - start));
    const response = await processBatch(
      eventOf(record("fast"), record("slow")),
      lambda,
      async (r) => {
        await sleep(r.messageId === "slow" ? 5000 : 5);
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["slow"]);
    // Abandoned when a quarter of the budget (half the reduced margin) was left: 750 ms in, not at the 1 s timeout.
    expect(Date.now() - start).toBeLessThan(950);
  });
});

describe("processBatch on a FIFO queue", () => {
  it("runs each group's records in order and different groups in parallel", async () => {
    const order: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const records = ["A", "B", "C"].flatMap((group) =>
      [1, 2, 3].map((n) => record(`${group}${n}`, "{}", { groupId: group })),
    );
    const started = Date.now();
    await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(20);
        order.push(r.messageId);
        inFlight--;
      },
      quiet,
    );
    for (const group of ["A", "B", "C"])
      expect(order.filter((id) => id.startsWith(group))).toEqual([`${group}1`, `${group}2`, `${group}3`]);
    expect(maxInFlight).toBe(3);
    expect(Date.now() - started).toBeLessThan(3 * 20 * 3);
  });

  it("skips the rest of a message group after a failure and goes on with the other groups", async () => {
    const handled: string[] = [];
    const records = [
      record("A1", "{}", { groupId: "A" }),
      record("B1", "{}", { groupId: "B" }),
      record("A2", "{}", { groupId: "A" }),
      record("B2", "{}", { groupId: "B" }),
      record("A3", "{}", { groupId: "A" }),
    ];
    const response = await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        handled.push(r.messageId);
        if (r.messageId === "A2") throw new TransientError("busy", "later");
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["A2", "A3"]);
    expect(handled).not.toContain("A3");
    expect(handled).toEqual(expect.arrayContaining(["A1", "A2", "B1", "B2"]));
  });

  it("keeps records without a group id in one ordered group of their own", async () => {
    const order: string[] = [];
    const plain = (id: string) => ({ ...record(id, "{}", { groupId: "x" }), attributes: { ...record(id).attributes } });
    const records = [plain("n1"), record("G1", "{}", { groupId: "G" }), plain("n2"), plain("n3")];
    const response = await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        await sleep(r.messageId === "n1" ? 15 : 1);
        order.push(r.messageId);
        if (r.messageId === "n2") throw new TransientError("busy", "later");
      },
      quiet,
    );
    expect(order.filter((id) => id.startsWith("n"))).toEqual(["n1", "n2"]);
    expect(failedIds(response)).toEqual(["n2", "n3"]);
  });

  it("treats a standard queue's records as independent even when they carry a group id (fair queues)", async () => {
    const records = [
      record("a", "{}", { groupId: "G", arn: "arn:aws:sqs:us-east-1:123456789012:orders" }),
      record("b", "{}", { groupId: "G", arn: "arn:aws:sqs:us-east-1:123456789012:orders" }),
    ];
    const response = await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        if (r.messageId === "a") throw new TransientError("busy", "later");
      },
      quiet,
    );
    expect(failedIds(response)).toEqual(["a"]);
  });
});

describe("createBatchHandler", () => {
  it("checks its options when created: an unknown key or an out-of-range number throws at once", () => {
    expect(() => createBatchHandler(async () => undefined, { concurency: 5 } as never)).toThrow(
      "concurency is not a batch option (allowed: sqs, queueUrl, deadLetterQueueUrl, concurrency, backoff, deadlineMarginMs, logger, metrics)",
    );
    expect(() => createBatchHandler(async () => undefined, { concurrency: 0 })).toThrow(
      "concurrency must be a whole number between 1 and 1000 (got 0)",
    );
    expect(() => createBatchHandler(async () => undefined, { backoff: { baseSeconds: 10, maxSeconds: 5 } })).toThrow(
      "backoff.maxSeconds must be a whole number between 10 and 43200 (got 5)",
    );
  });

  it("returns a Lambda handler that answers with a partial batch response", async () => {
    const handler = createBatchHandler(async (r) => {
      if (r.messageId === "b") throw new TransientError("busy", "later");
    }, quiet);
    expect(await handler(eventOf(record("a"), record("b")), context())).toEqual({
      batchItemFailures: [{ itemIdentifier: "b" }],
    });
  });
});
