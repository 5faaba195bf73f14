import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../../support/temp-dirs.js";
import { drain, localTarget, type OpsPipeline, opsPipeline, queueCounts, runOps, startOps } from "./ops-fixture.js";

let pipeline: OpsPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

function event(index: number): string {
  return JSON.stringify({
    type: "order_created",
    data: { order_id: `order-${index}`, customer_id: "c-1", items: [{ sku: "sku-1", quantity: 1 }], total: 10 + index },
    timestamp: "2026-11-30T10:00:00Z",
    correlation_id: `corr-${index}`,
  });
}

function update(index: number): string {
  return JSON.stringify({
    type: "order_updated",
    data: { order_id: `order-${index}`, status: "shipped" },
    timestamp: "2026-11-30T10:00:01Z",
  });
}

function file(lines: readonly string[]): string {
  const name = path.join(tempDir("ops-send"), "orders.jsonl");
  writeFileSync(name, `${lines.join("\n")}\n`);
  return name;
}

describe("ops send (on fauxqs)", () => {
  it("sends every order event of the file through the producer, with progress", async () => {
    pipeline = await opsPipeline("dev");
    const lines = Array.from({ length: 1200 }, (_, index) => event(index));
    const run = await runOps(["send", ...localTarget(pipeline), file(["", ...lines, "  "])]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("sent 1200 of 1200 order events to orders-dev-queue\n");
    expect(run.stderr).toContain("sent 500/1200");
    expect(run.stderr).toContain("sent 1200/1200");
    const received = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(received).toHaveLength(1200);
    const first = received.map((message) => JSON.parse(message.body)).find((body) => body.data.order_id === "order-7");
    expect(first).toEqual(JSON.parse(event(7)));
  });

  it("FIFO: one order's events keep their order in its group", async () => {
    pipeline = await opsPipeline("dev-fifo");
    const lines = [0, 1, 2].flatMap((n) => [event(n), update(n)]);
    const run = await runOps(["send", ...localTarget(pipeline), file(lines)]);
    expect(run.code).toBe(0);
    const received = await drain(pipeline.sqs.client, pipeline.queue.url);
    for (const n of [0, 1, 2]) {
      const group = received.filter((message) => message.groupId === `order-${n}`);
      expect(group.map((message) => JSON.parse(message.body).type)).toEqual(["order_created", "order_updated"]);
    }
  });

  it.each([
    ["a line that is not JSON", '{"type": "order_created", "data": ', /line 3: malformed-json/],
    [
      "an unknown type",
      JSON.stringify({ type: "order_deleted", data: { order_id: "x" }, timestamp: "2026-11-30T10:00:00Z" }),
      /line 3: unknown-type/,
    ],
    [
      "a missing order_id",
      JSON.stringify({ type: "order_created", data: { customer_id: "c" }, timestamp: "2026-11-30T10:00:00Z" }),
      /line 3: schema-violation/,
    ],
    ["a time that does not exist", event(3).replace("2026-11-30T10", "2026-02-30T10"), /line 3: schema-violation/],
    ["a JSON array", "[1, 2]", /line 3: unknown-type/],
  ])("%s: exit 2 naming the line, and nothing sent", async (_, bad, message) => {
    pipeline = await opsPipeline("dev");
    const run = await runOps(["send", ...localTarget(pipeline), file([event(1), event(2), bad, event(4)])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain("nothing sent");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(await queueCounts(pipeline.sqs.client, pipeline.queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("many bad lines: names the first three and counts the rest", async () => {
    pipeline = await opsPipeline("dev");
    const run = await runOps(["send", ...localTarget(pipeline), file(["{", "{", event(1), "{", "{", "{"])]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/line 1: .*line 2: .*line 4: .*\(and 2 more bad lines\)/);
  });

  it("an empty file and a missing file: exit 2, nothing sent", async () => {
    pipeline = await opsPipeline("dev");
    const empty = await runOps(["send", ...localTarget(pipeline), file([])]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("the file holds no order event");
    const missing = await runOps(["send", ...localTarget(pipeline), path.join(tempDir("ops-send"), "none.jsonl")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*none\.jsonl: ENOENT/);
  });

  it("stopped by SIGINT mid-file: says how many were sent and that the last lines were not (exit 130)", async () => {
    pipeline = await opsPipeline("dev");
    const lines = Array.from({ length: 5000 }, (_, index) => event(index));
    const { child, done } = startOps(["send", ...localTarget(pipeline), file(lines)]);
    await new Promise<void>((resolve) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("sent 500/5000")) resolve();
      });
    });
    child.kill("SIGINT");
    const run = await done;
    expect(run.code).toBe(130);
    const sent = Number(/^sent (\d+) of 5000 order events/.exec(run.stdout)?.[1]);
    const notSent = Number(/interrupted: (\d+) events not sent \(the last lines\)/.exec(run.stdout)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(500);
    expect(sent + notSent).toBe(5000);
    // What it says was sent is exactly what the queue holds: the first lines, each once.
    const received = await drain(pipeline.sqs.client, pipeline.queue.url);
    expect(received.map((message) => JSON.parse(message.body).data.order_id).sort()).toEqual(
      Array.from({ length: sent }, (_, index) => `order-${index}`).sort(),
    );
  });
});
