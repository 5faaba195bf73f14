import { describe, expect, it } from "vitest";
import { shortTimeoutScenario } from "../../local/scenarios/index.js";
import { formatFigures } from "../../local/scenarios/run-support.js";
import { reliabilityStacks } from "../support/shared-stacks.js";

describe("reliability: a function timeout within the runtime's deadline margin", () => {
  it("a 1 s timeout (the construct allows 1-900 s; the margin is 2 s) still applies every order: none redriven to the DLQ unprocessed", async () => {
    const report = await shortTimeoutScenario({ outdir: await reliabilityStacks() });
    console.log(formatFigures(report));
    const r = report.reconciliation;
    // Before the fix: 0 applied, every message redriven without a reason after 3 deliveries in under 2 s.
    expect(r.deadLetterReasons["(none)"] ?? 0).toBe(0);
    expect(r.unexpectedDeadLetters).toEqual([]);
    expect(r.stateMismatches).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.applied).toBeGreaterThan(0);
  });
});
