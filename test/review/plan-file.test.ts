/**
 * readPlanFile against `terraform show -json` on real plans (real terraform, the provider mirror):
 * this project's prod stack planned from nothing and against a state that changes it every way, and
 * a configuration of terraform_data covering the value encodings; and the plan files it must refuse.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { readPlanFile } from "../../review/plan-file.js";
import type { PlanJson, ResourceChange } from "../../review/plan-json.js";
import { applyPlan, emptyState, type StateV4 } from "../../review/plan-state.js";
import { readFields } from "../../review/protobuf-wire.js";
import type { ProviderSchemas } from "../../review/schema-types.js";
import { init, prepareOfflineCopy, terraform } from "../../review/terraform.js";
import { projectSynth } from "../support/shared-stacks.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS, terraformVersion } from "../support/terraform.js";

const VERSION = terraformVersion();

/** What show prints of a resource change, restricted to the fields readPlanFile gives. */
function comparable(change: ResourceChange): ResourceChange {
  const { address, mode, type, name, index, provider_name, deposed, action_reason } = change;
  const { actions, before, after, after_unknown, replace_paths } = change.change;
  return JSON.parse(
    JSON.stringify({
      address,
      mode,
      type,
      name,
      index,
      provider_name,
      deposed,
      action_reason,
      change: { actions, before, after, after_unknown, replace_paths },
    }),
  ) as ResourceChange;
}

async function show(dir: string): Promise<PlanJson> {
  return JSON.parse(await terraform(dir, ["show", "-json", "plan.bin"])) as PlanJson;
}

async function plan(dir: string, ...args: string[]): Promise<void> {
  await terraform(dir, ["plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin", ...args]);
}

function expectSameAsShow(dir: string, shown: PlanJson): ResourceChange[] {
  const read = readPlanFile(path.join(dir, "plan.bin"), VERSION);
  expect(read, "readPlanFile refused the plan").toBeDefined();
  const expected = (shown.resource_changes ?? []).map(comparable);
  expect(read?.resource_changes.map(comparable)).toEqual(expected);
  // Same values, and the same fields: none left out, none added.
  expect(JSON.stringify(read?.resource_changes.map(comparable))).toBe(JSON.stringify(expected));
  return expected;
}

const summary = (changes: readonly ResourceChange[]) =>
  [
    ...new Set(changes.map((change) => `${change.change.actions.join("+")} ${change.action_reason ?? ""}`.trim())),
  ].sort();

describe("readPlanFile on this project's prod stack", () => {
  let dir: string;
  let fromNothing: PlanJson;

  beforeAll(async () => {
    dir = tempDir("plan-file-prod");
    prepareOfflineCopy(path.join(await projectSynth(), "stacks", "prod"), dir);
    await init(dir);
    await plan(dir);
    fromNothing = await show(dir);
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("reads the plan from nothing as show does: creates with unknown values, and deferred data source reads", () => {
    const changes = expectSameAsShow(dir, fromNothing);
    expect(summary(changes)).toEqual(["create", "read read_because_config_unknown"]);
    expect(changes.some((change) => JSON.stringify(change.change.after_unknown).includes("true"))).toBe(true);
  });

  it(
    "reads a plan against a state as show does: updates, replacements both ways, deletes, a deposed object, no-ops and reads",
    async () => {
      const schemas = JSON.parse(await terraform(dir, ["providers", "schema", "-json"])) as ProviderSchemas;
      const state = applyPlan(emptyState("plan-file-test", VERSION), fromNothing, schemas);
      const resource = (type: string, namePart = "") => {
        const found = state.resources.find((each) => each.type === type && each.name.includes(namePart));
        if (!found) throw new Error(`no ${type} ${namePart} in the state`);
        return found;
      };
      const attributes = (type: string, namePart = "") =>
        (resource(type, namePart).instances[0] as StateV4["resources"][number]["instances"][number]).attributes;
      // An update in place, a replacement (destroy first), one of a tainted object, and one made
      // create-before-destroy in the configuration.
      attributes("aws_cloudwatch_log_group").retention_in_days = 1;
      attributes("aws_sqs_queue", "dead").name = "renamed-outside";
      (resource("aws_dynamodb_table").instances[0] as { status?: string }).status = "tainted";
      const topic = resource("aws_sns_topic");
      (topic.instances[0] as StateV4["resources"][number]["instances"][number]).attributes.name = "renamed-too";
      const config = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as {
        resource: Record<string, Record<string, Record<string, unknown>>>;
      };
      const topicConfig = config.resource.aws_sns_topic?.[topic.name] as Record<string, unknown>;
      topicConfig.lifecycle = { ...(topicConfig.lifecycle as object), create_before_destroy: true };
      writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config));
      // A resource no longer in the configuration, and a deposed object left by a failed replacement.
      const role = resource("aws_iam_role");
      state.resources.push({ ...structuredClone(role), name: "orphan" });
      role.instances.push({ ...structuredClone(role.instances[0]), deposed: "0badc0de" } as never);
      writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(state));

      await plan(dir, "-refresh=false");
      const changes = expectSameAsShow(dir, await show(dir));
      expect(summary(changes)).toEqual([
        "create+delete replace_because_cannot_update",
        "delete",
        "delete delete_because_no_resource_config",
        "delete+create replace_because_cannot_update",
        "delete+create replace_because_tainted",
        "no-op",
        "read read_because_config_unknown",
        "update",
      ]);
      expect(changes.find((change) => change.deposed)?.deposed).toBe("0badc0de");
      expect(changes.some((change) => change.change.replace_paths)).toBe(true);
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );
});

/** A module instance per for_each key. */
const CHILD_MODULE = `
variable "label" { type = string }
resource "terraform_data" "inner" { input = var.label }
`;

/** Terraform's own resources only: applied at stage 1, then planned at stage 2, which changes it every way. */
function handWrittenConfig(stage: 1 | 2): string {
  const v2 = stage === 2;
  const keys = ["a", ...(v2 ? [] : ["b"]), 'c d\\"e\\\\f\\n$${x}'].map((key) => `"${key}"`).join(", ");
  return `
variable "secret" {
  type      = string
  sensitive = true
  default   = "s3cr3t"
}
resource "terraform_data" "counted" {
  count = ${v2 ? 2 : 3}
  input = count.index
}
resource "terraform_data" "each" {
  for_each = toset([${keys}])
  input    = each.key
}
resource "terraform_data" "values" {
  input = {
    big = 9007199254740993, huge = 1e30, fraction = 0.1, half = 0.5, negative = -12, beyond = 18446744073709551616
    empty = "", none = null, numeric_string = "0.1", set = toset(["b", "a"]), map = { k = "v", "" = "empty key" }
    tuple = [1, "x", true], nested = { inner = [{ deep = true }], objects = toset([{ a = 1 }, { a = 2 }]) }
    secret = var.secret, marked = sensitive("hidden"), stage = ${stage}
  }
}
resource "terraform_data" "replaced" { triggers_replace = "v${stage}" }
resource "terraform_data" "create_first" {
  triggers_replace = "v${stage}"
  input = {
    list = [terraform_data.replaced.id, "known"], map = { id = terraform_data.replaced.id }
    set  = toset([terraform_data.replaced.id, "known", "also"]), empty = [], object = {}
  }
  lifecycle { create_before_destroy = true }
}
resource "terraform_data" "destroyed_first" { triggers_replace = "v${stage}" }
resource "terraform_data" "updated" { input = "v${stage}" }
resource "terraform_data" "unchanged" { input = { same = ["as", "before"] } }
resource "terraform_data" "single" { ${v2 ? "for_each = { a = 1 }" : ""} }
module "child" {
  source   = "./child"
  for_each = ${v2 ? '{ x = "1" }' : '{ x = "1", y = "2" }'}
  label    = each.value
}
${
  v2
    ? `
removed {
  from = terraform_data.forgotten
  lifecycle { destroy = false }
}
data "terraform_remote_state" "pending" {
  backend = "local"
  config  = { path = "\${terraform_data.replaced.id}.tfstate" }
}`
    : `
resource "terraform_data" "forgotten" {}
resource "terraform_data" "removed" {}
data "terraform_remote_state" "gone" {
  backend = "local"
  config  = { path = "empty.tfstate" }
}`
}
`;
}

const EMPTY_STATE = { version: 4, terraform_version: VERSION, serial: 1, lineage: "x", outputs: {}, resources: [] };

describe("readPlanFile on a configuration of terraform_data", () => {
  let dir: string;

  beforeAll(async () => {
    dir = tempDir("plan-file-values");
    writeFileSync(path.join(dir, "empty.tfstate"), JSON.stringify(EMPTY_STATE));
    writeFileSync(path.join(dir, "main.tf"), handWrittenConfig(1));
    mkdirSync(path.join(dir, "child"));
    writeFileSync(path.join(dir, "child", "main.tf"), CHILD_MODULE);
    await init(dir);
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("reads a plan from nothing as show does: count and for_each keys, a module, every kind of value", async () => {
    await plan(dir);
    const changes = expectSameAsShow(dir, await show(dir));
    const values = changes.find((change) => change.address === "terraform_data.values");
    expect(values?.change.after).toMatchObject({
      input: { empty: "", none: null, numeric_string: "0.1", fraction: 0.1, huge: 1e30, secret: "s3cr3t" },
    });
    expect(changes.map((change) => change.index)).toContain(0);
    expect(changes.map((change) => change.address)).toContain('module.child["y"].terraform_data.inner');
  });

  it(
    "reads a plan against the applied state as show does: updates, replacements, deletes of every reason, forget, a read",
    async () => {
      await terraform(dir, ["apply", "-input=false", "-no-color", "-auto-approve"]);
      const statePath = path.join(dir, "terraform.tfstate");
      const state = JSON.parse(readFileSync(statePath, "utf8")) as {
        resources: { name: string; instances: Record<string, unknown>[] }[];
      };
      const updated = state.resources.find((resource) => resource.name === "updated");
      updated?.instances.push({ ...structuredClone(updated.instances[0]), deposed: "00000001" });
      writeFileSync(statePath, JSON.stringify(state));
      writeFileSync(path.join(dir, "main.tf"), handWrittenConfig(2));
      await plan(dir);
      const changes = expectSameAsShow(dir, await show(dir));
      expect(summary(changes)).toEqual([
        "create",
        "create+delete replace_because_cannot_update",
        "delete",
        "delete delete_because_count_index",
        "delete delete_because_each_key",
        "delete delete_because_no_module",
        "delete delete_because_no_resource_config",
        "delete delete_because_wrong_repetition",
        "delete+create replace_because_cannot_update",
        "forget delete_because_no_resource_config",
        "no-op",
        "read read_because_config_unknown",
        "update",
      ]);
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );
});

describe("readPlanFile refuses what it cannot read for certain", () => {
  let dir: string;
  let planFile: string;
  let entries: Record<string, Uint8Array>;
  let rezipped = 0;

  beforeAll(async () => {
    dir = tempDir("plan-file-refuse");
    writeFileSync(path.join(dir, "main.tf"), `resource "terraform_data" "a" { input = "x" }`);
    await init(dir);
    await plan(dir);
    planFile = path.join(dir, "plan.bin");
    entries = unzipSync(readFileSync(planFile));
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  /** The plan file with its tfplan entry replaced. */
  function withTfplan(tfplan: Uint8Array | undefined): string {
    rezipped += 1;
    const file = path.join(dir, `changed-${rezipped}.bin`);
    const { tfplan: _, ...others } = entries;
    writeFileSync(file, zipSync(tfplan === undefined ? others : { ...others, tfplan }));
    return file;
  }

  it("reads the untouched plan, and the same entries zipped again", () => {
    expect(readPlanFile(planFile, VERSION)?.resource_changes.map((change) => change.address)).toEqual([
      "terraform_data.a",
    ]);
    expect(readPlanFile(withTfplan(entries.tfplan), VERSION)).toBeDefined();
  });

  it("returns undefined for a file that is not a zip", () => {
    const file = path.join(dir, "not-a-zip.bin");
    writeFileSync(file, "this is not a plan");
    expect(readPlanFile(file, VERSION)).toBeUndefined();
  });

  it("returns undefined for a zip without tfplan", () => {
    expect(readPlanFile(withTfplan(undefined), VERSION)).toBeUndefined();
  });

  it("returns undefined for a tfplan cut inside a field or between fields", () => {
    const tfplan = entries.tfplan as Uint8Array;
    expect(readPlanFile(withTfplan(tfplan.subarray(0, tfplan.length - 3)), VERSION)).toBeUndefined();
    const [version, firstChange] = readFields(tfplan);
    const boundary =
      (firstChange?.kind === "bytes" ? firstChange.value.byteOffset + firstChange.value.length : 0) - tfplan.byteOffset;
    expect(version?.number).toBe(1);
    expect(readPlanFile(withTfplan(tfplan.subarray(0, boundary)), VERSION)).toBeUndefined();
    expect(readPlanFile(withTfplan(new Uint8Array()), VERSION)).toBeUndefined();
  });

  it("returns undefined for a tfplan changed after it was zipped (its CRC-32 no longer matches)", () => {
    const file = path.join(dir, "stored.bin");
    const zip = zipSync({ ...entries, tfplan: [entries.tfplan as Uint8Array, { level: 0 }] });
    writeFileSync(file, zip);
    expect(readPlanFile(file, VERSION)).toBeDefined();
    // Stored, not deflated: the address is there in plain; a.a becomes a.b, a plan that parses well.
    const at = Buffer.from(zip).indexOf("terraform_data.a");
    zip[at + "terraform_data.".length] = "b".charCodeAt(0);
    writeFileSync(file, zip);
    expect(Buffer.from(unzipSync(zip).tfplan as Uint8Array).includes("terraform_data.b")).toBe(true);
    expect(readPlanFile(file, VERSION)).toBeUndefined();
  });

  it("returns undefined for every prefix of tfplan, and never throws on one with bytes changed", () => {
    const tfplan = entries.tfplan as Uint8Array;
    for (let length = 0; length < tfplan.length; length += 1)
      expect(readPlanFile(withTfplan(tfplan.subarray(0, length)), VERSION), `first ${length} bytes`).toBeUndefined();
    // A fixed sequence (a linear congruential generator), so that a failure repeats.
    let seed = 20261130;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    for (let round = 0; round < 300; round += 1) {
      const changed = tfplan.slice();
      for (let flips = 1 + random(3); flips > 0; flips -= 1) changed[random(changed.length)] = random(256);
      expect(() => readPlanFile(withTfplan(changed), VERSION), `round ${round}`).not.toThrow();
    }
  });

  it("returns undefined for a plan made by another Terraform version", () => {
    expect(readPlanFile(planFile, "1.11.5")).toBeUndefined();
    expect(readPlanFile(planFile, `${VERSION}-dev`)).toBeUndefined();
  });

  it("returns undefined for an action it does not know", () => {
    const tfplan = (entries.tfplan as Uint8Array).slice();
    const resourceChange = readFields(tfplan).find((field) => field.number === 3);
    const change = readFields(resourceChange?.kind === "bytes" ? resourceChange.value : new Uint8Array()).find(
      (field) => field.number === 9,
    );
    // Change.action is its first field: tag 0x08, then the value (1: create); 4 is no Action.
    if (change?.kind !== "bytes") throw new Error("no change in the plan");
    expect([...change.value.subarray(0, 2)]).toEqual([0x08, 0x01]);
    change.value[1] = 4;
    expect(readPlanFile(withTfplan(tfplan), VERSION)).toBeUndefined();
  });

  it(
    "returns undefined for a plan that imports: show tells it in a field it does not give",
    async () => {
      const importing = tempDir("plan-file-import");
      writeFileSync(
        path.join(importing, "main.tf"),
        `resource "terraform_data" "imported" {}\nimport {\n  to = terraform_data.imported\n  id = "abc"\n}\n`,
      );
      await init(importing);
      await plan(importing);
      expect((await show(importing)).resource_changes?.[0]?.change.actions).toEqual(["no-op"]);
      expect(readPlanFile(path.join(importing, "plan.bin"), VERSION)).toBeUndefined();
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it("throws for a plan file that is not there", () => {
    expect(() => readPlanFile(path.join(dir, "missing.bin"), VERSION)).toThrow(/ENOENT/);
  });

  it(
    "returns undefined when only the schema tells a string from a number written as a string",
    async () => {
      const ambiguous = tempDir("plan-file-ambiguous");
      const config = (workspace: string) => `
resource "terraform_data" "a" {}
data "terraform_remote_state" "pending" {
  backend   = "local"
  workspace = "${workspace}"
  config    = { path = "\${terraform_data.a.id}.tfstate" }
}`;
      writeFileSync(path.join(ambiguous, "main.tf"), config("0.1"));
      await init(ambiguous);
      await plan(ambiguous);
      // cty writes the number 0.1 (not exactly a float64) as the string "0.1": this string attribute
      // could be either without the schema.
      expect(readPlanFile(path.join(ambiguous, "plan.bin"), VERSION)).toBeUndefined();
      writeFileSync(path.join(ambiguous, "main.tf"), config("0.5"));
      await plan(ambiguous);
      // 0.5 is exactly a float64: as a number cty would write a float, so "0.5" is a string.
      expectSameAsShow(ambiguous, await show(ambiguous));
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );
});
