import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { parseOrderEvent } from "../../../functions/order-processor/schema.js";
import { checkBatchResponse, InvalidBatchEventError, processBatch } from "../../../functions/runtime/index.js";
import { seededRandom } from "../../../local/run/seeded-random.js";
import { context, quiet, record } from "./records.js";

const WEIRD_VALUES: unknown[] = [
  undefined,
  null,
  "",
  0,
  -1,
  1e308,
  "x".repeat(5000),
  {},
  [],
  "\u0000",
  "é✓",
  true,
  { MessageGroupId: 5 },
];

function mangle(base: SQSRecord, random: () => number): SQSRecord {
  const copy = structuredClone(base) as unknown as Record<string, unknown>;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  for (let i = 0; i < 3; i++) {
    const field = pick([
      "body",
      "attributes",
      "messageAttributes",
      "eventSourceARN",
      "receiptHandle",
      "md5OfBody",
      "awsRegion",
    ]);
    copy[field] = pick(WEIRD_VALUES);
  }
  if (random() < 0.3)
    copy.body = pick(['{"type":"order_created"}', "[", "null", '{"type":"order_updated","data":{}}', "{}"]);
  return copy as unknown as SQSRecord;
}

describe("processBatch fuzzed with malformed records", () => {
  it("always answers with a response Lambda reads correctly, naming only records of the batch", async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const size = 1 + Math.floor(random() * 12);
      const fifo = random() < 0.5;
      const records = Array.from({ length: size }, (_, i) =>
        mangle(record(`s${seed}-r${i}`, "{}", fifo ? { groupId: `g${i % 3}` } : {}), random),
      );
      const threw = new Set<string>();
      const response = await processBatch(
        { Records: records },
        context(),
        async (r) => {
          try {
            // The order parser on whatever body arrived, then a random transient failure.
            parseOrderEvent(typeof r.body === "string" ? r.body : String(r.body));
            if (random() < 0.2) throw new Error("flaky");
          } catch (error) {
            threw.add(r.messageId);
            throw error;
          }
        },
        quiet,
      );
      expect(() => checkBatchResponse(response, { Records: records }), `seed ${seed}`).not.toThrow();
      // Without a dead-letter queue, every record whose handler threw (poison included) is reported
      // failed; on a standard queue exactly those, on FIFO also the rest of their groups.
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      expect(
        [...threw].filter((id) => !failed.has(id)),
        `seed ${seed}`,
      ).toEqual([]);
      if (!String(records[0]!.eventSourceARN).endsWith(".fifo")) expect(failed, `seed ${seed}`).toEqual(threw);
    }
  });

  it("refuses, as a whole, an event whose record has no usable messageId", async () => {
    for (const id of [undefined, null, "", 42]) {
      const bad = { ...record("x"), messageId: id } as unknown as SQSRecord;
      await expect(
        processBatch({ Records: [record("ok"), bad] }, context(), async () => undefined, quiet),
      ).rejects.toThrow(InvalidBatchEventError);
    }
  });
});
