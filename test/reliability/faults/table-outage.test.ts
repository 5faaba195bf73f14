import { beforeAll, describe, expect, it } from "vitest";
import {
  consumerKillScenario,
  DLQ_OUTAGE_MS,
  deadLetterQueueOutageScenario,
  formatFigures,
  functionTimeoutScenario,
  reliabilitySizes,
  TABLE_OUTAGE_MS,
  tableOutageScenario,
  timeoutFor,
} from "../../../local/scenarios/index.js";
import { reliabilityStacks } from "../../support/shared-stacks.js";
import { expectReconciled } from "../expect-reconciled.js";

const { faults } = reliabilitySizes();

// The four scenarios mostly wait (outages, backoff, visibility timeouts), so they run side by side:
// in sequence they would take about a minute.
let outdir: string;
beforeAll(async () => {
  outdir = await reliabilityStacks();
});

describe.concurrent("reliability: faults", () => {
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

  it(
    `(b) the DLQ unreachable when poison arrives (dev-fast-retry): ${faults} orders, DLQ sends refused for ${DLQ_OUTAGE_MS} ms: poison not acknowledged, retried, in the DLQ with its reason once reachable`,
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

  it(
    `(c) invocations past the function timeout (dev-fast-retry): ${faults} orders, a few overrun the 3 s timeout: the container is killed, the batch retried, every effect once`,
    async () => {
      const report = await functionTimeoutScenario({ count: faults, outdir });
      console.log(
        `${formatFigures(report)}; killed ${report.killed}, cold starts ${report.coldStarts}, slow ${JSON.stringify(report.slow)}, ` +
          `extra DLQ copies ${report.extraDeadLetterCopies}, outcomes ${JSON.stringify(report.outcomes)}`,
      );
      const r = report.reconciliation;

      // Each slow order's write was held past the timeout; each invocation that then overran was killed.
      // A busy machine (this file runs four scenarios at once) can make a few more overrun: a report
      // slower than the half margin left for it. They are retried like the others.
      expect(report.slow.delayedWrites).toBe(report.slow.orders);
      expect(report.slow.delayedReports).toBeGreaterThan(0);
      expect(report.killed).toBeGreaterThanOrEqual(report.slow.delayedReports);
      // The killed invocations' writes had been applied: the retried creates found their orders and changed nothing.
      expect(report.slow.createsFoundApplied).toBe(report.slow.orders);

      // Dead letters counted once per original message (a poison in a killed batch is dead-lettered again).
      expectReconciled(report);
      expect(r.deadLetterReasons["(none)"]).toBeUndefined();
    },
    timeoutFor(faults),
  );

  it(
    `(d) the long-running consumer killed mid-batch: ${faults} orders, functions/order-processor/consumer.ts SIGKILLed with batches in flight, a new one started: all applied exactly once`,
    async () => {
      const report = await consumerKillScenario({ count: faults });
      console.log(
        `${formatFigures(report)}; kill ${JSON.stringify(report.kill)}, extra DLQ copies ${report.extraDeadLetterCopies}`,
      );

      // Killed while holding messages, which came back (receive count 2) and the new consumer processed.
      expect(report.kill.appliedBefore).toBeGreaterThan(0);
      expect(report.kill.inFlightAtKill).toBeGreaterThan(0);
      expect(report.kill.redelivered).toBe(report.kill.inFlightAtKill);
      expect(report.kill.maxReceiveCount).toBeGreaterThan(1);
      expect(report.secondExitCode).toBe(0);

      expect(report.sendFailures).toBe(0);
      expectReconciled(report);
    },
    timeoutFor(faults),
  );
});
