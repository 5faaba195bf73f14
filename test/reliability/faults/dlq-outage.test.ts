import { beforeAll, describe, expect, it } from "vitest";
import {
  DLQ_OUTAGE_MS,
  deadLetterQueueOutageScenario,
  formatFigures,
  reliabilitySizes,
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
    `(b) the DLQ unreachable when poison arrives (dev-fast-retry): ${faults} orders, DLQ sends refused for ${DLQ_OUTAGE_MS} ms or more: poison not acknowledged, retried, in the DLQ with its reason once reachable`,
    async () => {
      const report = await deadLetterQueueOutageScenario({ count: faults, outdir });
      console.log(`${formatFigures(report)}; outage ${JSON.stringify(report.outage)}`);
      const r = report.reconciliation;

      // Poison arrived while the DLQ refused: each was reported failed, not deleted...
      expect(report.outage.sendsRefused).toBeGreaterThan(0);
      expect(report.outage.poisonNotAcknowledged).toBeGreaterThan(0);
      // ...and came back after the visibility timeout to be dead-lettered.
      expect(report.outage.deadLetteredOnRetry).toBe(report.outage.poisonNotAcknowledged);

      expectReconciled(report);
      expect(report.redrivenWithoutReason).toBe(0);
      expect(r.deadLetteredWithReason).toBe(r.deadLettered);
    },
    timeoutFor(faults),
  );
});
