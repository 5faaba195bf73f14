import { describe, expect, it } from "vitest";
import { runLocal } from "../../../local/run/local-run.js";
import { ARCHIVE_STACK, archiveStackOutdir } from "../../support/archive-stack.js";

// One fault scenario per file: a worker, an event loop and servers of its own (see test/README.md).
describe("reliability: faults (archive mode, hand-written stack test/fixtures/local/stacks/archive)", () => {
  it("S3 refusing the first delivery's puts of every other dead letter (all SDK attempts): those are redelivered and stored then, each once, the rest at once", async () => {
    const attempts = new Map<string, number>();
    let refused = 0;
    const run = await runLocal({
      environment: ARCHIVE_STACK,
      outdir: archiveStackOutdir(),
      count: 150,
      poisonShare: 0.2,
      transientShare: 0,
      seed: 11,
      scenario: async (controls) => {
        const s3 = controls.s3;
        if (!s3) throw new Error("archive mode puts the archiver's S3 calls behind a fault proxy");
        // The put's body is the archived dead letter: its message id decides. The archiver's SDK makes 3 attempts.
        s3.setRule((request) => {
          const messageId = (request.body as { messageId?: unknown } | undefined)?.messageId;
          if (typeof messageId !== "string" || messageId.charCodeAt(0) % 2 === 0) return "pass";
          const seen = attempts.get(messageId) ?? 0;
          attempts.set(messageId, seen + 1);
          if (seen >= 3) return "pass";
          refused += 1;
          return "fail";
        });
      },
    });
    try {
      const r = run.report.reconciliation;
      expect(refused).toBeGreaterThan(0);
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
