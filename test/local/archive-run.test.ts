import { cpSync, mkdirSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { readSynthesizedStack } from "../../local/pipeline/synthesized-stack.js";
import { runLocal } from "../../local/run/local-run.js";
import { formatSummary } from "../../local/views/summary-view.js";
import { bundleFunction } from "../../modules/bundle/bundle.js";
import { RUNTIME_PROVIDED_MODULES } from "../../modules/queue-processor/function.js";
import { tempDir } from "../support/temp-dirs.js";

/**
 * The hand-written archive-mode stack (test/fixtures/local/stacks/archive) with its two deployment
 * packages bundled into its assets, as synth would: the construct's archive mode is built apart, and
 * this keeps the local run's side testable on its own.
 */
function archiveStackOutdir(): string {
  const outdir = tempDir("archive-stack");
  const stackDir = path.join(outdir, "stacks", "archive");
  cpSync("test/fixtures/local/stacks/archive", stackDir, { recursive: true });
  mkdirSync(path.join(stackDir, "assets"));
  for (const [entry, name] of [
    ["functions/order-processor/handler.ts", "processor"],
    ["functions/archiver/handler.ts", "archiver"],
  ] as const) {
    const bundle = bundleFunction({
      entry,
      outputDirectory: tempDir(`bundle-${name}`),
      externalModules: RUNTIME_PROVIDED_MODULES,
    });
    cpSync(bundle.zipPath, path.join(stackDir, "assets", `${name}.zip`));
  }
  return outdir;
}

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

describe.concurrent("npm run local in archive mode: every dead letter accounted for in the archive", () => {
  it("archives each poison message once with its reason, alerts with the counts, and passes", async () => {
    const run = await runLocal({
      environment: "archive",
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

  it("with S3 down while the dead letters arrive: none leaves the DLQ unstored, and once S3 is back each is archived once", async () => {
    let refusedWhileDown = 0;
    const run = await runLocal({
      environment: "archive",
      outdir: archiveStackOutdir(),
      count: 100,
      poisonShare: 0.15,
      transientShare: 0,
      seed: 5,
      scenario: async (controls) => {
        const s3 = controls.s3;
        if (!s3) throw new Error("archive mode should put the archiver's S3 behind a fault proxy");
        s3.setRule(() => "fail");
        await controls.until(
          (progress) => progress.sent === progress.total && progress.queued + progress.inFlight === 0,
        );
        // The archiver has tried (and failed) by now: the dead letters are still in the queue.
        await sleep(1500);
        refusedWhileDown = s3.counts.failed;
        const progress = await controls.progress();
        expect(progress.deadLettered).toBeGreaterThan(0);
        s3.setRule(undefined);
      },
    });
    try {
      const r = run.report.reconciliation;
      expect(refusedWhileDown).toBeGreaterThan(0);
      expect(r.archive).toMatchObject({ leftInDeadLetterQueue: 0, unreadable: [] });
      expect(r.archive?.archived).toBe(r.deadLetteredWithReason);
      expect(r.archive?.alertedDeadLetters).toBe(r.archive?.archived);
      expect(r.unexpectedDeadLetters).toEqual([]);
      expect(r.ok).toBe(true);
    } finally {
      await run.close();
    }
  });
});
