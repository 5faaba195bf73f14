import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { REDRIVE_RUN_ATTRIBUTE } from "../../../functions/ops/dead-letter.js";
import { tempDir } from "../../support/temp-dirs.js";
import {
  addDeadLetters,
  type DeadLetterInput,
  drain,
  localTarget,
  type OpsPipeline,
  opsPipeline,
  queueCounts,
  runOps,
  startOps,
} from "./ops-fixture.js";

let pipeline: OpsPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

const REASONS = ["schema-violation", "malformed-json", undefined] as const;

function letters(count: number, options: { groups?: number } = {}): DeadLetterInput[] {
  return Array.from({ length: count }, (_, index) => ({
    body: JSON.stringify({ n: index }),
    ...(REASONS[index % 3] ? { reason: REASONS[index % 3] } : {}),
    traceId: `trace-${index}`,
    ...(options.groups ? { groupId: `order-${index % options.groups}` } : {}),
  }));
}

/**
 * What the deployed pipeline does with a redriven message that is still bad: the runtime's DLQ copy,
 * which keeps the body and attributes and adds a new `dlq-reason`. Returns how many it dead-lettered.
 */
function poisonAgain(pipeline: OpsPipeline): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const loop = (async () => {
    while (running) {
      const { Messages = [] } = await pipeline.sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: pipeline.queue.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ["All"],
        }),
      );
      for (const message of Messages) {
        await pipeline.sqs.client.send(
          new SendMessageCommand({
            QueueUrl: pipeline.deadLetterQueue.url,
            MessageBody: message.Body,
            MessageAttributes: {
              ...message.MessageAttributes,
              "dlq-reason": { DataType: "String", StringValue: "schema-violation" },
            },
          }),
        );
        await pipeline.sqs.client.send(
          new DeleteMessageCommand({ QueueUrl: pipeline.queue.url, ReceiptHandle: message.ReceiptHandle }),
        );
        count += 1;
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return count;
    },
  };
}

/** A consumer whose every attempt fails: it receives and never deletes, so SQS's redrive takes over. */
function receiveWithoutDeleting(pipeline: OpsPipeline): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await pipeline.sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

function journalIn(dir: string): string {
  return path.join(dir, "redrive.jsonl");
}

function bodiesCounted(received: readonly { body: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { body } of received) counts.set(body, (counts.get(body) ?? 0) + 1);
  return counts;
}

describe("ops dlq redrive (receive-send-delete mover, on fauxqs)", () => {
  it("moves every dead letter back to the source queue once, with the producer's attributes and without dlq-*", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, letters(25));
    const dir = tempDir("ops-redrive");
    const run = await runOps(["dlq", "redrive", ...localTarget(pipeline), "--journal", journalIn(dir)]);
    expect(run.stderr).not.toContain("failed");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("moved 25 dead letters from orders-dev-dlq to orders-dev-queue");
    const moved = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect([...bodiesCounted(moved).values()].every((count) => count === 1)).toBe(true);
    expect(moved.map((message) => message.body).sort()).toEqual(
      letters(25)
        .map((letter) => letter.body)
        .sort(),
    );
    for (const message of moved) {
      expect(message.attributes["trace-id"]).toBe(`trace-${JSON.parse(message.body).n}`);
      expect(message.attributes).not.toHaveProperty("dlq-reason");
      expect(message.attributes).not.toHaveProperty("dlq-details");
      expect(message.attributes[REDRIVE_RUN_ATTRIBUTE]).toMatch(/^[0-9a-f-]{36}$/);
    }
    // One run, one tag.
    expect(new Set(moved.map((message) => message.attributes[REDRIVE_RUN_ATTRIBUTE])).size).toBe(1);
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });
    // Nothing is half done: the journal is removed, so the next redrive starts clean.
    expect(existsSync(journalIn(dir))).toBe(false);
  });

  it.each([
    ["schema-violation", 9],
    ["malformed-json", 8],
    ["max-receive-count", 8],
  ])("--reason %s moves only those (%i) and leaves the others visible in the DLQ", async (reason, expected) => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, letters(25));
    const run = await runOps([
      "dlq",
      "redrive",
      ...localTarget(pipeline),
      "--reason",
      reason,
      "--journal",
      journalIn(tempDir("ops-redrive")),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`moved ${expected} dead letters`);
    expect(run.stdout).toContain("left in the dead-letter queue (other reasons)");
    const moved = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(moved).toHaveLength(expected);
    // The others are released at once (visibility 0), not hidden until a timeout.
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({
      visible: 25 - expected,
      inFlight: 0,
    });
    const left = await drain(pipeline.sqs.client, pipeline.deadLetterQueue.url);
    expect(left.map((message) => message.attributes["dlq-reason"] ?? "max-receive-count")).not.toContain(reason);
  });

  it("--reason that no dead letter has moves nothing", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, letters(5));
    const run = await runOps([
      "dlq",
      "redrive",
      ...localTarget(pipeline),
      "--reason",
      "nope",
      "--journal",
      journalIn(tempDir("ops-redrive")),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("moved 0 dead letters");
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 5, inFlight: 0 });
  });

  it("--dry-run says what would move, by reason, and moves nothing", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, letters(12));
    for (const extra of [[], ["--reason", "malformed-json"]]) {
      const run = await runOps(["dlq", "redrive", ...localTarget(pipeline), "--dry-run", ...extra]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        extra.length === 0 ? "would move 12 dead letters" : "would move 4 dead letters [malformed-json 4]",
      );
      expect(run.stdout).toContain("nothing moved");
    }
    expect(await queueCounts(pipeline.sqs.client, pipeline.queue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 12, inFlight: 0 });
  });

  it("FIFO: keeps each group's order and group id, and moves every message once", async () => {
    pipeline = await opsPipeline("dev-fifo");
    const input = letters(40, { groups: 4 });
    await addDeadLetters(pipeline, input);
    const run = await runOps([
      "dlq",
      "redrive",
      ...localTarget(pipeline),
      "--journal",
      journalIn(tempDir("ops-redrive")),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("moved 40 dead letters from orders-dev-fifo-dlq.fifo to orders-dev-fifo-queue.fifo");
    const moved = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(moved).toHaveLength(40);
    for (let group = 0; group < 4; group += 1) {
      const inGroup = moved
        .filter((message) => message.groupId === `order-${group}`)
        .map((message) => JSON.parse(message.body).n);
      expect(inGroup).toEqual(input.map((_, index) => index).filter((index) => index % 4 === group));
    }
  });

  it("FIFO --reason: moves the asked reason, leaves the rest in the DLQ", async () => {
    pipeline = await opsPipeline("dev-fifo");
    // Each group holds one reason, so skipping one group blocks none of the others.
    const input = Array.from({ length: 12 }, (_, index) => ({
      body: JSON.stringify({ n: index }),
      reason: index % 2 ? "schema-violation" : "malformed-json",
      groupId: `order-${index % 2}`,
    }));
    await addDeadLetters(pipeline, input);
    const run = await runOps([
      "dlq",
      "redrive",
      ...localTarget(pipeline),
      "--reason",
      "schema-violation",
      "--journal",
      journalIn(tempDir("ops-redrive")),
    ]);
    expect(run.code).toBe(0);
    const moved = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(moved.map((message) => JSON.parse(message.body).n)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(
      (await drain(pipeline.sqs.client, pipeline.deadLetterQueue.url)).map((message) => JSON.parse(message.body).n),
    ).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "stopped by %s mid-run, then run again: nothing lost, nothing moved twice",
    async (signal) => {
      pipeline = await opsPipeline("dev");
      const input = letters(600);
      await addDeadLetters(pipeline, input);
      const journal = journalIn(tempDir("ops-redrive"));
      const args = ["dlq", "redrive", ...localTarget(pipeline), "--journal", journal];
      const first = startOps(args);
      await new Promise<void>((resolve) => {
        first.child.stderr?.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("moved ")) resolve();
        });
      });
      first.child.kill(signal);
      const stopped = await first.done;
      expect(stopped.code).toBe(signal === "SIGINT" ? 130 : 143);
      expect(stopped.stdout).toContain("interrupted: moved");
      expect(stopped.stdout).toContain("run the same command again to resume");
      const movedFirst = Number(/moved (\d+) dead letters/.exec(stopped.stdout)?.[1]);
      expect(movedFirst).toBeGreaterThan(0);
      expect(movedFirst).toBeLessThan(600);
      // Stopped cleanly: nothing held, every message either moved or still waiting in the DLQ.
      expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({
        visible: 600 - movedFirst,
        inFlight: 0,
      });

      const second = await runOps(args);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(`moved ${600 - movedFirst} dead letters`);
      const moved = await drain(pipeline.sqs.client, pipeline.queue.url);
      expect(moved).toHaveLength(600);
      expect(bodiesCounted(moved).size).toBe(600);
      expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });
      expect(existsSync(journal)).toBe(false);
    },
  );

  it("SIGKILLed mid-run, then run again: nothing lost; only a message whose send was under way may arrive twice", async () => {
    pipeline = await opsPipeline("dev");
    const input = letters(600);
    const ids = await addDeadLetters(pipeline, input);
    const journal = journalIn(tempDir("ops-redrive"));
    const args = ["dlq", "redrive", ...localTarget(pipeline), "--journal", journal, "--hold-seconds", "3"];
    const first = startOps(args);
    await new Promise<void>((resolve) => {
      first.child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("moved ")) resolve();
      });
    });
    first.child.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    // What the journal says was under way when the process died: sent, or maybe sent.
    const steps = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    const last = new Map<string, string>();
    for (const line of steps) {
      try {
        const entry = JSON.parse(line) as { event: string; messageId: string };
        last.set(entry.messageId, entry.event);
      } catch {
        // the line being written when the process died
      }
    }
    const maybeSent = new Set([...last].filter(([, event]) => event === "sending").map(([id]) => id));
    // The killed run's messages are hidden for --hold-seconds; then they come back.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const second = await runOps(args);
    expect(second.code).toBe(0);
    const moved = await drain(pipeline.sqs.client, pipeline.queue.url);
    const counts = bodiesCounted(moved);
    expect(counts.size).toBe(600);
    for (const [index, letter] of input.entries()) {
      const allowed = maybeSent.has(ids[index] as string) ? 2 : 1;
      expect(counts.get(letter.body)).toBeLessThanOrEqual(allowed);
    }
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(existsSync(journal)).toBe(false);
  });

  it("refuses a second redrive of the same journal while the first runs (exit 2)", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, letters(600));
    const journal = journalIn(tempDir("ops-redrive"));
    const args = ["dlq", "redrive", ...localTarget(pipeline), "--journal", journal];
    const first = startOps(args);
    await new Promise<void>((resolve) => {
      first.child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("moved ")) resolve();
      });
    });
    const second = await runOps(args);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^ops: another redrive \(pid \d+\) is using .*redrive\.jsonl/);
    expect(second.stderr.trim().split("\n")).toHaveLength(1);
    expect((await first.done).code).toBe(0);
    expect(await drain(pipeline.sqs.client, pipeline.queue.url)).toHaveLength(600);
  });

  it("a dead letter the source queue refuses stays in the DLQ, visible, and is named: exit 1", async () => {
    // The source queue takes at most 1 KiB; the DLQ (default 256 KiB) holds a bigger one.
    pipeline = await opsPipeline("dev", undefined, { attributes: { MaximumMessageSize: "1024" } });
    const [tooBig] = await addDeadLetters(pipeline, [{ body: "x".repeat(2000), reason: "schema-violation" }]);
    await addDeadLetters(pipeline, letters(5));
    const journal = journalIn(tempDir("ops-redrive"));
    const run = await runOps(["dlq", "redrive", ...localTarget(pipeline), "--journal", journal]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("moved 5 dead letters");
    expect(run.stdout).toContain(`not moved: ${tooBig}: `);
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 1, inFlight: 0 });
    expect(await drain(pipeline.sqs.client, pipeline.queue.url)).toHaveLength(5);
    // Refused is not "maybe sent": the journal holds nothing half done.
    expect(existsSync(journal)).toBe(false);
  });

  it("a live pipeline whose runtime dead-letters the copies again: moves what was there at the start, then ends", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, letters(30));
    const consumer = poisonAgain(pipeline);
    const run = await runOps([
      "dlq",
      "redrive",
      ...localTarget(pipeline),
      "--journal",
      journalIn(tempDir("ops-redrive")),
    ]);
    const redeadLettered = await consumer.stop();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("moved 30 dead letters");
    // Each copy came back once at most, and none was moved a second time.
    expect(redeadLettered).toBeLessThanOrEqual(30);
    if (redeadLettered > 0) {
      expect(run.stdout).toMatch(/arrived during this run, left in the dead-letter queue for the next one: \d+/);
    }
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({
      visible: redeadLettered,
      inFlight: 0,
    });
  });

  it("a live pipeline where SQS redrives the copies again after maxReceiveCount: none is moved twice, the run ends", async () => {
    // Every receive fails; after one receive and a 1 s visibility timeout SQS moves the copy to the DLQ,
    // attributes kept, SentTimestamp the copy's: only the run's tag tells it from an old dead letter.
    pipeline = await opsPipeline("dev", undefined, { attributes: { VisibilityTimeout: "1" }, maxReceiveCount: 1 });
    await addDeadLetters(pipeline, letters(30));
    const failing = receiveWithoutDeleting(pipeline);
    const run = await runOps([
      "dlq",
      "redrive",
      ...localTarget(pipeline),
      "--journal",
      journalIn(tempDir("ops-redrive")),
    ]);
    await failing.stop();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("moved 30 dead letters");
    const total = await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url);
    const source = await queueCounts(pipeline.sqs.client, pipeline.queue.url);
    expect(total.visible + total.inFlight + source.visible + source.inFlight).toBe(30);
  });

  it("--method move-task is refused where SQS has no move task (a local endpoint), exit 2", async () => {
    pipeline = await opsPipeline("dev");
    const run = await runOps(["dlq", "redrive", ...localTarget(pipeline), "--method", "move-task"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--method move-task needs AWS");
  });
});
