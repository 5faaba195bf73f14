import { describe, expect, it } from "vitest";
import { consumerKillScenario, formatFigures, reliabilitySizes, timeoutFor } from "../../../local/scenarios/index.js";
import { expectReconciled } from "../expect-reconciled.js";

const { faults } = reliabilitySizes();

// One fault scenario per file: a worker, an event loop and servers of its own (see test/README.md).
describe("reliability: faults", () => {
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
