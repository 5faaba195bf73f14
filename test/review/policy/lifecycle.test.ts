/**
 * stateful-destroy decides from the plan (the resource's kind, its deletion protection) and the
 * configured environments, never from one spelling: only dev and staging, named exactly so, make a
 * lost table or queue advisory; any other name, and no name, is judged as production.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENVIRONMENTS } from "../../../config/environments.js";
import { NON_PRODUCTION_ENVIRONMENTS } from "../../../review/policy/environments.js";
import { type CheckOptions, checkPlan } from "../../../review/policy/index.js";
import { FIXTURES_DIR } from "../../fixtures/plans/generate.js";

const plan = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES_DIR, name, "plan.json"), "utf8"));
const destroys = (name: string, options: CheckOptions) =>
  checkPlan(plan(name), options).filter((finding) => finding.rule === "stateful-destroy");

describe("stateful-destroy and the environment", () => {
  it("knows dev and staging as non-production from config/environments.ts (their tables are unprotected)", () => {
    expect(NON_PRODUCTION_ENVIRONMENTS).toEqual(["dev", "staging"]);
    expect(ENVIRONMENTS.find((environment) => environment.name === "prod")?.tableDeletionProtection).toBe(true);
  });

  const PRODUCTION: readonly [string | undefined, string][] = [
    ["prod", "prod is production"],
    [undefined, "no environment given: judged as production"],
    ["Prod", '"Prod" is not a configured non-production environment (dev, staging): judged as production'],
    ["PRODUCTION", '"PRODUCTION" is not a configured non-production environment'],
    ["production", '"production" is not a configured non-production environment'],
    ["Dev", '"Dev" is not a configured non-production environment'],
    ["dev ", '"dev " is not a configured non-production environment'],
    ["deve", '"deve" is not a configured non-production environment'],
    ["qa", '"qa" is not a configured non-production environment'],
    ["", '"" is not a configured non-production environment'],
  ];
  for (const [environment, why] of PRODUCTION) {
    it(`blocks a replaced queue and a destroyed table for ${JSON.stringify(environment)}`, () => {
      const found = destroys("stateful-destroy-fail", environment === undefined ? {} : { environment });
      expect(found.map((finding) => [finding.address, finding.severity])).toEqual([
        ["aws_dynamodb_table.orders", "blocking"],
        ["aws_sqs_queue.orders", "blocking"],
      ]);
      for (const finding of found) expect(finding.message).toContain(`(blocking: ${why}`);
    });
  }

  it("makes them advisory in dev and staging", () => {
    for (const environment of ["dev", "staging"]) {
      expect(destroys("stateful-destroy-fail", { environment }).map((finding) => finding.severity)).toEqual([
        "advisory",
        "advisory",
      ]);
    }
  });
});

describe("stateful-destroy on stateful-destroy-kinds (real terraform plan against a prior state)", () => {
  it("blocks a table with deletion protection on even in dev, and judges buckets, keys and log groups", () => {
    const found = destroys("stateful-destroy-kinds", { environment: "dev" });
    expect(found.map((finding) => [finding.address, finding.severity])).toEqual([
      ["aws_dynamodb_table.protected", "blocking"],
      ["aws_cloudwatch_log_group.gone", "advisory"],
      ["aws_kms_key.orders", "advisory"],
      ["aws_s3_bucket.exports", "advisory"],
    ]);
    expect(found[0]!.message).toContain("replaced (destroyed, then created) because name cannot change in place");
    expect(found[0]!.message).toContain("blocking in every environment: its deletion_protection_enabled is on");
    expect(found[2]!.message).toContain("what it encrypted can no longer be decrypted");
    expect(found[3]!.message).toContain('aws_s3_bucket.exports ("fixture-exports") will be destroyed');
  });

  it("leaves out a log group whose skip_destroy keeps it, and blocks the rest in prod", () => {
    const found = destroys("stateful-destroy-kinds", { environment: "prod" });
    expect(found.map((finding) => finding.address)).not.toContain("aws_cloudwatch_log_group.kept");
    expect(found.map((finding) => finding.severity)).toEqual(["blocking", "blocking", "blocking", "blocking"]);
  });
});

describe("npm run policy --environment", () => {
  const REPO = path.resolve(FIXTURES_DIR, "../../..");
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "review/policy/cli.ts", ...args], { cwd: REPO, encoding: "utf8" });
  const fixture = path.join("test/fixtures/plans", "stateful-destroy-fail", "plan.json");

  it("refuses a name that is not configured exactly (exit 2), naming the allowed ones", () => {
    for (const [name, hint] of [
      ["Prod", "did you mean prod?"],
      ["PRODUCTION", ""],
      ["production", ""],
      [" staging", "did you mean staging?"],
      ["qa", ""],
    ] as const) {
      const result = cli(fixture, "--environment", name);
      expect(result.status, name).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(
        `--environment must be one of dev, staging, prod, exactly as configured (got ${JSON.stringify(name)}`,
      );
      expect(result.stderr).toContain(hint);
    }
  });

  it("blocks without --environment and in prod (exit 1); dev and staging let it through (exit 0)", () => {
    expect(cli(fixture).status).toBe(1);
    expect(cli(fixture, "-e", "prod").status).toBe(1);
    expect(cli(fixture, "--environment=staging").status).toBe(0);
    expect(cli(fixture, "-e", "dev").status).toBe(0);
  });
});
