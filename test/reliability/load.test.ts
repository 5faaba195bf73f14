import { describe, expect, it } from "vitest";
import { formatFigures, LOAD_SHARES, loadScenario, reliabilitySizes, timeoutFor } from "../../local/scenarios/index.js";
import { reliabilityStacks } from "../support/shared-stacks.js";
import { expectReconciled } from "./expect-reconciled.js";

const { load } = reliabilitySizes();

describe("reliability: load on the dev stack", () => {
  it(
    `${load} orders with 5% poison and 5% transient failures: each applied exactly once or in the DLQ with its reason`,
    async () => {
      const report = await loadScenario({ count: load, outdir: await reliabilityStacks() });
      console.log(formatFigures(report));
      const r = report.reconciliation;

      expect(report.sendFailures).toBe(0);
      expect(report.interrupted).toBe(false);
      expectReconciled(report);
      // The table equals the state computed from the stream alone; nothing lost, nothing applied twice.
      expect(r.applied).toBe(report.messages - report.poison.sent);

      // Poison: exactly the share sent; what passes dev's filter is in the DLQ with its reason, the rest was filtered.
      expect(report.poison.sent).toBe(Math.round(load * LOAD_SHARES.poisonShare));
      expect(report.poison.deadLettered).toBe(report.poison.passingFilter);
      expect(r.deadLettered).toBe(report.poison.passingFilter);
      expect(report.poison.filtered).toBe(report.poison.sent - report.poison.passingFilter);
      expect(r.deadLetterReasons["(none)"]).toBeUndefined();

      // The transient failures really happened and were retried: the first delivery of each chosen
      // order had its write refused on every one of the client's 3 attempts.
      expect(report.transient.orders).toBeGreaterThan(0);
      expect(report.injectedFaults).toBe(3 * report.transient.orders);
      expect(report.retries).toBeGreaterThanOrEqual(report.transient.orders);
    },
    timeoutFor(load),
  );
});
