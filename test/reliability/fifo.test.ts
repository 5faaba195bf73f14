import { describe, expect, it } from "vitest";
import { fifoLoadScenario } from "../../local/scenarios/fifo-scenario.js";
import { formatFigures, reliabilitySizes, timeoutFor } from "../../local/scenarios/index.js";
import { reliabilityStacks } from "../support/shared-stacks.js";
import { expectReconciled } from "./expect-reconciled.js";

const { faults } = reliabilitySizes();

describe("reliability: load on a FIFO queue pair", () => {
  it(
    `${faults} orders with 5% poison and 5% transient failures, one message group per order: each applied exactly once, in order, or in the DLQ with its reason`,
    async () => {
      const report = await fifoLoadScenario({ count: faults, outdir: await reliabilityStacks() });
      console.log(`${formatFigures(report)}; duplicates sent ${report.duplicatesSent}`);

      expect(report.environment).toBe("dev-fifo");
      expect(report.sendFailures).toBe(0);
      // Transient failures happened and were retried within their group.
      expect(report.injectedFaults).toBeGreaterThan(0);
      expect(report.retries).toBeGreaterThan(0);
      // The final status is the newest update's: with one group per order, updates never overtook each other.
      expectReconciled(report);
      expect(report.reconciliation.deadLettered).toBe(report.reconciliation.deadLetteredWithReason);
    },
    timeoutFor(faults),
  );
});
