import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hclRoot, type PlanJson, plannedResources, planRoot } from "../../support/hcl-module.js";
import { projectSynth } from "../../support/shared-stacks.js";
import { tempDir } from "../../support/temp-dirs.js";
import { planOffline, TERRAFORM_HOOK_TIMEOUT_MS, terraformVersion } from "../../support/terraform.js";

describe("the generated Terraform module, called from HCL with the orders prod values (seed 002)", () => {
  // The HCL root declares the orders table as the stack does, so even the function's TABLE_NAME and
  // the ApplyOrderEvents statement compare equal.
  let module: { validate: { valid: boolean; diagnostics: unknown[] }; plan: PlanJson };
  let prod: PlanJson;
  let root: string;

  beforeAll(async () => {
    terraformVersion();
    const [outdir, fixtureRoot] = await Promise.all([projectSynth(), hclRoot("test/fixtures/hcl-module/main.tf")]);
    root = fixtureRoot;
    const [planned, prodPlan] = await Promise.all([
      planRoot(root),
      planOffline(path.join(outdir, "stacks", "prod"), tempDir("hcl-prod-plan")),
    ]);
    module = planned;
    prod = prodPlan.plan as unknown as PlanJson;
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  const managedTypes = (plan: PlanJson) =>
    [...new Set(plan.resource_changes.filter((c) => c.mode === "managed").map((c) => c.type))].sort();

  it("passes terraform validate with no diagnostics", () => {
    expect(module.validate.diagnostics).toEqual([]);
    expect(module.validate.valid).toBe(true);
  });

  it("plans the same resource types and counts as the prod stack (35), all creates", () => {
    const changes = module.plan.resource_changes.filter((c) => c.mode === "managed");
    expect(changes.filter((c) => c.change.actions.join() !== "create")).toEqual([]);
    expect(managedTypes(module.plan)).toEqual(managedTypes(prod));
    expect(changes).toHaveLength(35);
    expect(changes).toHaveLength(prod.resource_changes.filter((c) => c.mode === "managed").length);
  });

  it("plans every queue, DLQ, redrive, mapping, function, role, policy document, alarm, topic and bucket attribute as the prod stack does", () => {
    // Only where the zips lie differs; their source_code_hash is compared with the rest.
    expect(plannedResources(module.plan, ["filename"])).toEqual(plannedResources(prod, ["filename"]));
  });

  it("ships the handler zip given and the archiver zip inside the module folder", () => {
    const filenames = module.plan.resource_changes
      .filter((c) => c.type === "aws_lambda_function")
      .map((c) => c.change.after.filename)
      .sort();
    expect(filenames).toEqual(["./order-processor.zip", "queue-processor/archiver.zip"]);
  });

  it("outputs the alarm names and archive prefix the prod stack outputs", () => {
    const outputs = (plan: PlanJson) => plan.planned_values.outputs ?? {};
    for (const name of ["alarm_names", "archive_prefix"]) {
      expect(outputs(module.plan)[name]?.value, name).toEqual(outputs(prod)[name]?.value);
    }
    expect(outputs(module.plan).alarm_names?.value).toHaveLength(6);
  });
});
