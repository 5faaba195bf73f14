import { beforeAll, describe, expect, it } from "vitest";
import {
  formatFigures,
  functionTimeoutScenario,
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
    `(c) invocations past the function timeout (dev-fast-retry): ${faults} orders, a few overrun the 3 s timeout: the container is killed, the batch retried, every effect once`,
    async () => {
      const report = await functionTimeoutScenario({ count: faults, outdir });
      console.log(
        `${formatFigures(report)}; killed ${report.killed}, cold starts ${report.coldStarts}, slow ${JSON.stringify(report.slow)}, ` +
          `extra DLQ copies ${report.extraDeadLetterCopies}, outcomes ${JSON.stringify(report.outcomes)}`,
      );
      const r = report.reconciliation;

      // Each slow order's write was held past the timeout; each invocation that then overran was killed.
      // A busy machine can make a few more overrun: a report slower than the half margin left for it.
      // They are retried like the others.
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
});
