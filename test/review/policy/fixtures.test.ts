/**
 * The committed plan fixtures are real terraform output: one is regenerated with terraform here
 * and must match byte for byte (regenerate all with `node --import tsx test/fixtures/plans/generate.ts`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES_DIR, fixtureNames, planFixture } from "../../fixtures/plans/generate.js";
import { terraformVersion } from "../../support/terraform.js";

describe("plan fixtures", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "plan-fixture-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("every fixture has a committed plan.json from terraform show -json, without timestamp", () => {
    const names = fixtureNames();
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) {
      const file = path.join(FIXTURES_DIR, name, "plan.json");
      expect(existsSync(file), `${name}/plan.json is missing; run test/fixtures/plans/generate.ts`).toBe(true);
      const plan = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      expect(plan.format_version, name).toMatch(/^1\./);
      expect(plan.timestamp, name).toBeUndefined();
      expect(plan.errored, name).toBe(false);
    }
  });

  it("regenerating stateful-destroy-fail (hand-written prior state) with terraform gives the committed plan.json", async () => {
    terraformVersion();
    const name = "stateful-destroy-fail";
    const regenerated = await planFixture(name, path.join(scratch, name));
    expect(regenerated).toBe(readFileSync(path.join(FIXTURES_DIR, name, "plan.json"), "utf8"));
  });
});
