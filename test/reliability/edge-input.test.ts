import { describe, expect, it } from "vitest";
import { type EdgeInputReport, edgeCases, edgeInputScenario, formatFigures } from "../../local/scenarios/index.js";
import { reliabilityStacks } from "../support/shared-stacks.js";
import { expectReconciled } from "./expect-reconciled.js";

describe("reliability: bad input at the edges (dev stack, no filter)", () => {
  let report: EdgeInputReport;

  it("every case ends applied, in the DLQ with a clear reason, or refused at the send with one; the pipeline keeps running", async () => {
    report = await edgeInputScenario({ outdir: await reliabilityStacks() });
    console.log(formatFigures(report));
    for (const result of report.cases) {
      console.log(
        `  ${result.name.padEnd(34)} ${JSON.stringify(result.outcome).padEnd(76)} ${result.detail.slice(0, 140)}`,
      );
    }

    const expected = edgeCases().map((edge) => [edge.name, edge.expected]);
    expect(report.cases.map((result) => [result.name, result.outcome])).toEqual(expected);
    // A reason for every refusal and every dead letter, never an empty one.
    for (const result of report.cases.filter(
      (c) => c.outcome.kind === "refused" || c.outcome.kind === "dead-lettered",
    )) {
      expect(result.detail, result.name).toMatch(/\w{3,}/);
    }

    // The stream and every case that entered the queue: nothing lost, nothing applied twice.
    expectReconciled(report);
    expect(report.sendFailures).toBe(edgeCases().filter((edge) => edge.expected.kind === "refused").length);
    // The containers survived every case: no invocation failed whole, no container restarted.
    expect(report.outcomes.error + report.outcomes.timeout + report.outcomes["invalid-response"]).toBe(0);
    expect(report.coldStarts).toBeLessThanOrEqual(report.settings.maxConcurrency);
  });

  it("stores what JSON.parse read: 2^64 rounded to the nearest double, the last of duplicate keys", () => {
    expect(report.storedItems["edge-total-2p64"]).toMatchObject({ total: { N: "18446744073709552000" } });
    expect(report.storedItems["edge-duplicate-keys"]).toMatchObject({
      customer_id: { S: "cust-last" },
      status: { S: "pending" },
    });
    // Text the servers could take whole is stored as parsed, escapes resolved.
    expect(report.storedItems["edge-emoji-\u{1f600}-escaped"]).toBeDefined();
    expect(report.storedItems["edge-invalid-utf8-\ufffd(\ufffd"]).toBeDefined();
    // A lone surrogate, though escaped in the body, has no UTF-8 form: poison, never written.
    expect(report.storedItems["edge-lone-surrogate-\ud800-escaped"]).toBeUndefined();
  });
});
