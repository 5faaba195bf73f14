import { beforeAll, describe, expect, it } from "vitest";
import {
  formatFigures,
  reliabilitySizes,
  TABLE_OUTAGE_MS,
  tableOutageScenario,
  timeoutFor,
} from "../../../local/scenarios/index.js";
import { reliabilityStacks } from "../../support/shared-stacks.js";
import { expectReconciled } from "../expect-reconciled.js";

const { faults } = reliabilitySizes();

let outdir: string;
beforeAll(async () => {
  outdir = await reliabilityStacks();
});

// One fault scenario per file: a worker, an event loop and servers of its own (see test/README.md).
describe("reliability: faults", () => {
  it(
    `(a) DynamoDB stopped mid-run (dev): ${faults} orders, the table down for ${TABLE_OUTAGE_MS} ms once a quarter is processed: retried, applied after recovery, only poison in the DLQ`,
    async () => {
      const report = await tableOutageScenario({ count: faults, outdir });
      console.log(`${formatFigures(report)}; outage ${JSON.stringify(report.outage)}`);
      const r = report.reconciliation;

      // The outage hit: records failed as transient (table-unavailable) and went back to the queue.
      expect(report.outage.processedBefore).toBeGreaterThan(0);
      expect(report.outage.retriedDuring).toBeGreaterThan(0);
      expect(report.outage.tableUnavailableFailures).toBeGreaterThan(0);
      // Every message that failed on the outage was applied (or found applied) after recovery.
      expect(report.outage.appliedAfterRecovery).toBe(report.outage.failedMessages);

      expectReconciled(report);
      // The poison/transient split holds: the DLQ holds poison only, each with its reason; no valid
      // message failed maxReceiveCount (3) deliveries and was redriven without one.
      expect(report.redrivenWithoutReason).toBe(0);
      expect(r.deadLettered).toBe(r.deadLetteredWithReason);
    },
    timeoutFor(faults),
  );
});
