import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { runLocal } from "../../../local/run/local-run.js";
import { ARCHIVE_STACK, archiveStackOutdir } from "../../support/archive-stack.js";

// One fault scenario per file: a worker, an event loop and servers of its own (see test/README.md).
describe("reliability: faults (archive mode, hand-written stack test/fixtures/local/stacks/archive)", () => {
  it("S3 refusing every archiver put while the dead letters arrive: none leaves the DLQ unstored; once S3 is back each is archived once, with its reason, and alerted", async () => {
    let refusedWhileDown = 0;
    let waitingInQueue = 0;
    const run = await runLocal({
      environment: ARCHIVE_STACK,
      outdir: archiveStackOutdir(),
      count: 150,
      poisonShare: 0.15,
      transientShare: 0,
      seed: 5,
      scenario: async (controls) => {
        const s3 = controls.s3;
        if (!s3) throw new Error("archive mode puts the archiver's S3 calls behind a fault proxy");
        s3.setRule(() => "fail");
        await controls.until(
          (progress) => progress.sent === progress.total && progress.queued + progress.inFlight === 0,
        );
        await sleep(1500); // the archiver has tried and failed by now
        refusedWhileDown = s3.counts.failed;
        waitingInQueue = (await controls.progress()).deadLettered;
        s3.setRule(undefined);
      },
    });
    try {
      const r = run.report.reconciliation;
      expect(refusedWhileDown).toBeGreaterThan(0);
      expect(waitingInQueue).toBeGreaterThan(0);
      expect(r.archive).toMatchObject({ leftInDeadLetterQueue: 0, unreadable: [] });
      expect(r.archive?.archived).toBe(r.deadLetteredWithReason);
      expect(r.archive?.alertedDeadLetters).toBe(r.archive?.archived);
      expect(r.unexpectedDeadLetters).toEqual([]);
      expect(r.lost).toBe(0);
      expect(r.ok).toBe(true);
    } finally {
      await run.close();
    }
  }, 120_000);
});
