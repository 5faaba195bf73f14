import { describe, expect, it } from "vitest";
import { processBatch } from "../../../functions/runtime/index.js";
import { context, eventOf, quiet, record, sleep } from "./records.js";

// Real timers and a handler that really waits: the pool's limit is observed, not assumed.
describe("processBatch concurrency", () => {
  it("runs at most 16 records of a standard batch at once, reaches 16, and processes all 1,000", async () => {
    const records = Array.from({ length: 1000 }, (_, i) => record(`m${i}`));
    let inFlight = 0;
    let maxInFlight = 0;
    const handled: string[] = [];
    const response = await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(1);
        inFlight--;
        handled.push(r.messageId);
      },
      { ...quiet, concurrency: 16 },
    );

    expect(maxInFlight).toBe(16);
    expect(inFlight).toBe(0);
    expect(response).toEqual({ batchItemFailures: [] });
    expect([...handled].sort()).toEqual(records.map((r) => r.messageId).sort());
  });

  it("runs at most 8 message groups of a FIFO batch at once, one record per group at a time, each group in batch order", async () => {
    // 100 groups x 10 records, interleaved as SQS delivers them: record i belongs to group i % 100.
    const records = Array.from({ length: 1000 }, (_, i) => record(`m${i}`, undefined, { groupId: `g${i % 100}` }));
    const running = new Map<string, number>();
    let maxGroupsInFlight = 0;
    let maxRecordsOfOneGroup = 0;
    const handledByGroup = new Map<string, string[]>();
    const response = await processBatch(
      eventOf(...records),
      context(),
      async (r) => {
        const group = r.attributes.MessageGroupId!;
        running.set(group, (running.get(group) ?? 0) + 1);
        maxRecordsOfOneGroup = Math.max(maxRecordsOfOneGroup, running.get(group)!);
        maxGroupsInFlight = Math.max(maxGroupsInFlight, running.size);
        handledByGroup.set(group, [...(handledByGroup.get(group) ?? []), r.messageId]);
        await sleep(1);
        const left = running.get(group)! - 1;
        if (left === 0) running.delete(group);
        else running.set(group, left);
      },
      { ...quiet, concurrency: 8 },
    );

    expect(maxGroupsInFlight).toBeLessThanOrEqual(8);
    expect(maxGroupsInFlight).toBe(8);
    expect(maxRecordsOfOneGroup).toBe(1);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(handledByGroup.size).toBe(100);
    for (let g = 0; g < 100; g++) {
      const inBatchOrder = Array.from({ length: 10 }, (_, k) => `m${k * 100 + g}`);
      expect(handledByGroup.get(`g${g}`)).toEqual(inBatchOrder);
    }
  });
});
