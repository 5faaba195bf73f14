import { expect } from "vitest";
import type { ScenarioReport } from "../../local/scenarios/run-support.js";

/**
 * What every scenario must end with: nothing lost, no effect applied twice, the table exactly the
 * expected state, the DLQ holding only poison with its reason, nothing left in the work queue.
 * Each part is its own assertion so that a failure names what went wrong.
 */
export function expectReconciled(report: ScenarioReport): void {
  const r = report.reconciliation;
  expect(r.stateMismatches).toEqual([]);
  expect(r.unexpectedDeadLetters).toEqual([]);
  expect(r.wrongReasons).toEqual([]);
  expect(r.lost).toBe(0);
  expect(r.duplicatedEffects).toBe(0);
  expect(r.ok).toBe(true);
  expect(report.leftInQueue).toBe(0);
}
