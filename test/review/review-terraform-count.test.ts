/**
 * How many times `npm run review` runs terraform for three environments (dev and prod changed, staging
 * not), counted by a `terraform` shim first on PATH that logs each invocation and then execs the real
 * one; and the report, byte for byte the one the review wrote before it planned less (the base commit
 * aside, which differs per repository).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { countingTerraform, type TerraformInvocation } from "../../bench/support/counting-terraform.js";
import { repositoryWithChange, startReview } from "../../bench/support/review-repository.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

const ENVIRONMENTS = ["dev", "prod", "staging"];
const EXPECTED_REPORT = path.join(process.cwd(), "test", "fixtures", "review-reports", "three-environments.md");

/** The environment a run belongs to: the review plans in `<scratch>/plans/<environment>/{base,head}`. */
function environmentOf(invocation: TerraformInvocation): string | undefined {
  const parts = invocation.dir.split(path.sep);
  return parts.at(-3) === "plans" ? parts.at(-2) : undefined;
}

describe("npm run review of three environments: terraform runs", () => {
  let report: string;
  let status: number | null;
  let invocations: TerraformInvocation[];

  beforeAll(async () => {
    const terraform = countingTerraform(tempDir("counting-terraform"));
    const started = startReview(repositoryWithChange(tempDir("review-repo"), { staging: true }), terraform.env);
    ({ status, report } = await started.finished);
    invocations = terraform.invocations();
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  const count = (environment: string, command: string) =>
    invocations.filter((run) => environmentOf(run) === environment && run.command === command).length;

  it("plans each environment twice (the base against its seed state, the change), and shows only the change's plan", () => {
    const plans = Object.fromEntries(ENVIRONMENTS.map((environment) => [environment, count(environment, "plan")]));
    for (const environment of ENVIRONMENTS) {
      expect(plans[environment], JSON.stringify(plans)).toBe(2);
      // The base's plan is read from its plan file (review/plan-file.ts).
      expect(count(environment, "show")).toBe(1);
    }
  });

  it("initialises once for all environments (their stacks pin the same provider), and asks for the schemas at most once", () => {
    expect(invocations.filter((run) => run.command === "init")).toHaveLength(1);
    expect(invocations.filter((run) => run.command === "providers").length).toBeLessThanOrEqual(1);
    const elsewhere = invocations.filter((run) => environmentOf(run) === undefined && run.command !== "version");
    expect(elsewhere).toEqual([]);
  });

  it("writes the same report as before, and exits 1 on its blocking findings", () => {
    const expected = readFileSync(EXPECTED_REPORT, "utf8");
    expect(report.replace(/^(# Terraform review: HEAD~1 )\([0-9a-f]{12}\)/, "$1(BASE_COMMIT)")).toBe(expected);
    expect(status).toBe(1);
  });
});
