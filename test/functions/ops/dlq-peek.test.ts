import { afterEach, describe, expect, it } from "vitest";
import {
  addDeadLetters,
  drain,
  localTarget,
  type OpsPipeline,
  opsPipeline,
  queueCounts,
  runOps,
} from "./ops-fixture.js";

let pipeline: OpsPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

const MIXED = [
  ...Array.from({ length: 7 }, (_, index) => ({ body: `{"bad":${index}`, reason: "malformed-json" })),
  ...Array.from({ length: 4 }, (_, index) => ({
    body: JSON.stringify({ type: "nope", n: index }),
    reason: "unknown-type",
  })),
  // Moved by SQS after maxReceiveCount: no dlq-reason.
  ...Array.from({ length: 2 }, (_, index) => ({ body: JSON.stringify({ slow: index }) })),
];

describe("ops dlq peek (on fauxqs)", () => {
  it("groups the dead letters by reason, most first, with counts, ages and examples, and consumes nothing", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, MIXED);
    const run = await runOps(["dlq", "peek", ...localTarget(pipeline)]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("orders-dev-dlq: 13 dead letters, nothing consumed");
    const headers = lines.filter((line) => /^[a-z-]+: \d+ \(oldest/.test(line));
    expect(headers.map((line) => line.split(" (")[0])).toEqual([
      "malformed-json: 7",
      "unknown-type: 4",
      "max-receive-count: 2",
    ]);
    expect(run.stdout).toMatch(/oldest \d+ s, newest \d+ s/);
    // Three examples at most per reason, each with its id, age, receive count and body.
    expect(lines.filter((line) => line.startsWith("  ") && line.includes('{"bad":'))).toHaveLength(3);
    expect(run.stdout).toMatch(/ {2}[0-9a-f-]{36} {2}\d+ s ago {2}received 1x {2}\{"slow":0\}/);
    // Nothing consumed, and nothing left hidden: every message is visible again at once.
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 13, inFlight: 0 });
  });

  it("--json gives a stable shape for scripts; a second peek sees the receive count go up (documented)", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, MIXED);
    await runOps(["dlq", "peek", ...localTarget(pipeline)]);
    const run = await runOps(["dlq", "peek", ...localTarget(pipeline), "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(["queue", "read", "truncated", "groups"]);
    expect(report).toMatchObject({ queue: "orders-dev-dlq", read: 13, truncated: false });
    expect(report.groups.map((group: { reason: string; count: number }) => [group.reason, group.count])).toEqual([
      ["malformed-json", 7],
      ["unknown-type", 4],
      ["max-receive-count", 2],
    ]);
    const example = report.groups[2].examples[0];
    expect(Object.keys(example)).toEqual(["messageId", "ageMs", "receiveCount", "body"]);
    expect(example.receiveCount).toBe(2);
    expect(
      (await drain(pipeline.sqs.client, pipeline.deadLetterQueue.url)).every((message) => message.receiveCount === 3),
    ).toBe(true);
  });

  it("--reason shows one reason; --max stops early and says there are more; an empty DLQ says so", async () => {
    pipeline = await opsPipeline("dev");
    const empty = await runOps(["dlq", "peek", ...localTarget(pipeline)]);
    expect(empty.stdout).toBe("orders-dev-dlq: no dead letters\n");
    await addDeadLetters(pipeline, MIXED);
    const one = await runOps(["dlq", "peek", ...localTarget(pipeline), "--reason", "unknown-type"]);
    expect(one.stdout).toContain("orders-dev-dlq: 4 dead letters");
    expect(one.stdout).not.toContain("malformed-json");
    const capped = await runOps(["dlq", "peek", ...localTarget(pipeline), "--max", "5", "--json"]);
    expect(JSON.parse(capped.stdout)).toMatchObject({ read: 5, truncated: true });
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 13, inFlight: 0 });
  });

  it("cuts a long body in its example and says how long it is", async () => {
    pipeline = await opsPipeline("dev");
    await addDeadLetters(pipeline, [{ body: "x".repeat(50_000), reason: "body-too-large" }]);
    const run = await runOps(["dlq", "peek", ...localTarget(pipeline)]);
    expect(run.stdout).toContain(`${"x".repeat(200)}… (50,000 characters)`);
    expect(run.stdout.length).toBeLessThan(1000);
  });

  it("FIFO: reads the head of each group (SQS hides the rest of a group while one is held)", async () => {
    pipeline = await opsPipeline("dev-fifo");
    await addDeadLetters(
      pipeline,
      Array.from({ length: 6 }, (_, index) => ({
        body: `{"n":${index}}`,
        reason: "schema-violation",
        groupId: `order-${index % 3}`,
      })),
    );
    const run = await runOps(["dlq", "peek", ...localTarget(pipeline), "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.read).toBeGreaterThanOrEqual(3);
    expect(await queueCounts(pipeline.sqs.client, pipeline.deadLetterQueue.url)).toEqual({ visible: 6, inFlight: 0 });
  });
});
