/**
 * parsePlan, the one reading of `terraform show -json <planfile>` in review/: it accepts what
 * terraform prints and refuses anything else by name, so a wrong input can never read as "no change".
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PlanFormatError, parsePlan } from "../../review/plan-json.js";
import { FIXTURES_DIR, fixtureNames } from "../fixtures/plans/generate.js";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(FIXTURES_DIR, name, "plan.json"), "utf8")) as Record<string, unknown>;

/** A small valid plan with one change, for breaking one field at a time. */
function plan(): Record<string, unknown> {
  return {
    format_version: "1.2",
    resource_changes: [
      {
        address: "aws_sqs_queue.work",
        mode: "managed",
        type: "aws_sqs_queue",
        name: "work",
        provider_name: "registry.terraform.io/hashicorp/aws",
        change: { actions: ["create"], before: null, after: { name: "work" }, after_unknown: { arn: true } },
      },
    ],
    configuration: {
      root_module: {
        resources: [{ address: "aws_sqs_queue.work", expressions: { name: { constant_value: "work" } } }],
        module_calls: { app: { expressions: {}, module: { resources: [], outputs: { url: { expression: {} } } } } },
      },
    },
    prior_state: { values: { root_module: { resources: [], child_modules: [{ resources: [] }] } } },
  };
}

function refusal(input: unknown): string {
  try {
    parsePlan(input);
  } catch (error) {
    expect(error).toBeInstanceOf(PlanFormatError);
    return (error as Error).message;
  }
  throw new Error("parsePlan accepted it");
}

describe("parsePlan", () => {
  it("accepts every committed fixture (real terraform output) and returns it as it is", () => {
    for (const name of fixtureNames()) {
      const input = fixture(name);
      expect(parsePlan(input), name).toBe(input);
    }
    const input = plan();
    expect(parsePlan(input)).toBe(input);
  });

  it("accepts a plan without changes", () => {
    expect(parsePlan({ format_version: "1.2", planned_values: {} }).resource_changes).toBeUndefined();
  });

  it("refuses what is not an object, a state, and an object that is not a plan", () => {
    expect(refusal(null)).toBe("not a Terraform plan JSON: expected an object, got null");
    expect(refusal([])).toBe("not a Terraform plan JSON: expected an object, got a list");
    expect(refusal("plan")).toContain('got the string "plan"');
    expect(refusal({ format_version: "1.0", values: {} })).toContain("got a state");
    expect(refusal({ name: "queue-processor" })).toContain("got an object without format_version");
    expect(refusal({ format_version: "1.2" })).toContain("without resource_changes or planned_values");
  });

  it("refuses a format it does not read", () => {
    expect(refusal({ ...plan(), format_version: "2.0" })).toBe(
      'not a Terraform plan JSON: format_version is "2.0", a format this review does not read (1.x)',
    );
  });

  it("names the field whose shape is wrong", () => {
    const RC = ["resource_changes", 0];
    const ROOT = ["configuration", "root_module"];
    const cases: [readonly (string | number)[], unknown, string][] = [
      [["resource_changes"], {}, "resource_changes is an object, expected a list"],
      [RC, "x", 'resource_changes[0] is the string "x", expected an object'],
      [[...RC, "address"], MISSING, "resource_changes[0].address is missing"],
      [[...RC, "mode"], "ephemeral", 'resource_changes[0].mode is the string "ephemeral"'],
      [[...RC, "index"], true, "resource_changes[0].index is the boolean true"],
      [[...RC, "change"], MISSING, "resource_changes[0].change is missing"],
      [[...RC, "change", "actions"], "create", "change.actions is the string"],
      [[...RC, "change", "actions"], [1], "expected a list of strings"],
      [[...RC, "change", "replace_paths"], ["name"], "resource_changes[0].change.replace_paths[0] is the string"],
      [[...ROOT, "resources", 0, "address"], MISSING, "configuration.root_module.resources[0].address is missing"],
      [[...ROOT, "module_calls", "app", "module"], [], "configuration.root_module.module_calls.app.module is a list"],
      [[...ROOT, "module_calls", "app", "module", "outputs", "url"], null, "app.module.outputs.url is null"],
      [
        ["prior_state", "values", "root_module", "child_modules", 0, "resources"],
        [{ address: "data.x.y", mode: "data" }],
        "prior_state.values.root_module.child_modules[0].resources[0].type is missing",
      ],
    ];
    for (const [at, value, message] of cases) {
      expect(refusal(withValue(plan(), at, value)), at.join(".")).toContain(message);
    }
  });
});

const MISSING = Symbol("missing");

/** `input` with the value at `at` replaced, or removed for MISSING. */
function withValue(input: unknown, at: readonly (string | number)[], value: unknown): unknown {
  const parent = at.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], input);
  const key = at.at(-1) ?? "";
  const fields = parent as Record<string | number, unknown>;
  if (value === MISSING) delete fields[key];
  else fields[key] = value;
  return input;
}
