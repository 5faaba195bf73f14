import { describe, expect, it } from "vitest";
import { readSynthesizedStack } from "../../local/pipeline/synthesized-stack.js";
import { runLocal } from "../../local/run/local-run.js";
import { formatSummary } from "../../local/views/summary-view.js";
import { ARCHIVE_STACK, archiveStackOutdir } from "../support/archive-stack.js";

describe("readSynthesizedStack: archive mode", () => {
  it("finds the archiver (ARCHIVE_BUCKET in its environment, mapped from the processor's DLQ), the bucket and the topic", () => {
    const stack = readSynthesizedStack("test/fixtures/local", "archive");
    expect(stack.archivers.map((archiver) => [archiver.processor.resourceName, archiver.archivesFor])).toEqual([
      ["archiver-mapping", "processor-mapping"],
    ]);
    expect(stack.buckets).toEqual([{ resourceName: "archive", name: "orders-archive-dead-letters" }]);
    expect(stack.topics).toEqual([{ resourceName: "alarms", name: "orders-archive-alarms" }]);
    // Without a dead-letter queue to drain, a function with ARCHIVE_BUCKET is just another processor.
    const minimal = readSynthesizedStack("test/fixtures/local", "minimal");
    expect(minimal.archivers).toEqual([]);
  });
});

describe("npm run local in archive mode: every dead letter accounted for in the archive", () => {
  it("archives each poison message once with its reason, alerts with the counts, and passes", async () => {
    const run = await runLocal({
      environment: ARCHIVE_STACK,
      outdir: archiveStackOutdir(),
      count: 200,
      poisonShare: 0.1,
      transientShare: 0.05,
      seed: 3,
    });
    try {
      const r = run.report.reconciliation;
      expect(r.archive).toBeDefined();
      expect(r.archive?.archived).toBeGreaterThan(10);
      expect(r.archive).toMatchObject({ leftInDeadLetterQueue: 0, unreadable: [] });
      expect(r.archive?.alerts).toBeGreaterThan(0);
      expect(r.archive?.alertedDeadLetters).toBe(r.archive?.archived);
      expect(r.deadLetteredWithReason).toBe(r.archive?.archived);
      expect(r.unexpectedDeadLetters).toEqual([]);
      expect(r.wrongReasons).toEqual([]);
      expect(r.lost).toBe(0);
      expect(r.ok).toBe(true);
      expect(run.endpoints.archive).toMatchObject({ bucket: "orders-archive-dead-letters", prefix: "dead-letters/" });
      const summary = formatSummary(run.report, { stackFile: "cdk.tf.json" });
      expect(summary).toMatch(/archived\s+\d+ in the local S3 bucket, 0 left in the DLQ; \d+ alerts counting \d+/);
      expect(summary).toMatch(/^PASS: .*every dead letter archived once and alerted/m);
    } finally {
      await run.close();
    }
  });
});
