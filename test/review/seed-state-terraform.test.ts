/**
 * The seed state against the real provider, on this project's prod stack (every resource type the
 * construct makes): one plan against the seed settles the state, as a confirming re-plan shows, and
 * the provider's defaults the seed fills in are the ones the provider plans for a create.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanJson } from "../../review/plan-json.js";
import { applyPlan, emptyState, managedChanges, settlesState } from "../../review/plan-state.js";
import { PROVIDER_DEFAULTS, providerDefaults } from "../../review/provider-defaults.js";
import { providerSchemas } from "../../review/provider-schemas.js";
import type { ProviderSchemas } from "../../review/schema-types.js";
import { inertUnknowns, seedState } from "../../review/seed-state.js";
import { terraformVersion } from "../../review/terraform.js";
import { Workspace } from "../../review/workspace.js";
import { projectSynth } from "../support/shared-stacks.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

type Config = { resource: Record<string, Record<string, Record<string, unknown>>> };

describe("the seed state of the prod stack, planned by the real provider", () => {
  let config: Config;
  let schemas: ProviderSchemas;
  let fromSeed: PlanJson;
  let confirming: PlanJson | undefined;
  let fromNothing: PlanJson;

  beforeAll(async () => {
    const stackDir = path.join(await projectSynth(), "stacks", "prod");
    config = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as Config;
    const scratch = tempDir("seed-state");
    const shared = { pluginCache: path.join(scratch, "plugin-cache"), dataRoot: path.join(scratch, "data") };
    const [seeded, empty] = await Promise.all([
      Workspace.create(stackDir, path.join(scratch, "seeded"), shared),
      Workspace.create(stackDir, path.join(scratch, "empty"), shared),
    ]);
    schemas = await providerSchemas(seeded);
    const seed = seedState(config, schemas, { lineage: "seed-test", terraformVersion: terraformVersion() });
    if (!seed) throw new Error("the seed does not follow the prod stack");
    try {
      [fromSeed, fromNothing] = await Promise.all([seeded.plan(seed), empty.plan(undefined)]);
      confirming = await seeded.changesFrom(applyPlan(seed, fromSeed, schemas));
    } finally {
      await Promise.all([seeded.close(), empty.close()]);
    }
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("settles in one plan: no data source waits for apply, no replacement, only inert unknowns", () => {
    expect(
      (fromSeed.resource_changes ?? []).filter(
        (change) => change.change.actions.includes("delete") || change.change.actions.includes("create"),
      ),
    ).toEqual([]);
    expect(settlesState(fromSeed, inertUnknowns(config, schemas))).toBe(true);
  });

  it("is confirmed by a re-plan against the state it gives: no managed change", () => {
    expect(confirming ? managedChanges(confirming).map((change) => change.address) : []).toEqual([]);
  });

  it("fills in exactly the defaults the provider plans for a create of each resource the stack leaves them out of", () => {
    const missing: string[] = [];
    for (const change of managedChanges(fromNothing)) {
      const configured = config.resource[change.type]?.[change.name] ?? {};
      const after = change.change.after as Record<string, unknown>;
      const unknown = (change.change.after_unknown ?? {}) as Record<string, unknown>;
      for (const [attribute, value] of Object.entries(after)) {
        if (attribute in configured || attribute === "tags_all" || unknown[attribute] === true) continue;
        const empty = value === null || (Array.isArray(value) && value.length === 0);
        if (empty) continue;
        if (providerDefaults(change.type, configured)[attribute] !== value) {
          missing.push(`${change.type}.${attribute} = ${JSON.stringify(value)}`);
        }
      }
    }
    expect([...new Set(missing)].sort()).toEqual([]);
  });

  it("plans the same values as a plan from nothing, settled, for every attribute the stack configures", () => {
    const settled = applyPlan(emptyState("from-nothing", terraformVersion()), fromNothing, schemas);
    const seeded = (fromSeed.resource_changes ?? []).filter((change) => change.mode === "managed");
    const differences: string[] = [];
    for (const change of seeded) {
      const configured = Object.keys(config.resource[change.type]?.[change.name] ?? {});
      const after = change.change.after as Record<string, unknown>;
      const resource = settled.resources.find((entry) => entry.type === change.type && entry.name === change.name);
      const fromNothingValues = resource?.instances[0]?.attributes ?? {};
      const unknownFromNothing = (managedChanges(fromNothing).find((other) => other.address === change.address)?.change
        .after_unknown ?? {}) as Record<string, unknown>;
      for (const attribute of configured) {
        // What refers to an ARN or a policy document is unknown from nothing: only the seed knows it.
        if (!(attribute in after) || unknownFromNothing[attribute] !== undefined) continue;
        if (JSON.stringify(after[attribute]) !== JSON.stringify(fromNothingValues[attribute]))
          differences.push(
            `${change.address}.${attribute}: ${JSON.stringify(after[attribute]).slice(0, 80)} vs ${JSON.stringify(fromNothingValues[attribute]).slice(0, 80)}`,
          );
      }
    }
    expect(differences).toEqual([]);
  });
});

const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }],
});
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } }],
});

/**
 * One resource of each type PROVIDER_DEFAULTS lists, with only its required arguments, and the
 * configurations providerDefaults tells apart.
 */
const BARE_RESOURCES: Record<string, Record<string, Record<string, unknown>>> = {
  aws_cloudwatch_log_group: { bare: { name: "bare" } },
  aws_cloudwatch_metric_alarm: {
    bare: {
      alarm_name: "bare",
      comparison_operator: "GreaterThanThreshold",
      evaluation_periods: 1,
      metric_name: "Errors",
      namespace: "AWS/Lambda",
      period: 60,
      statistic: "Sum",
      threshold: 0,
    },
  },
  aws_iam_policy: { bare: { name: "bare", policy: POLICY } },
  aws_iam_role: { bare: { name: "bare", assume_role_policy: TRUST } },
  aws_iam_user: { bare: { name: "bare" } },
  aws_kms_key: { bare: { description: "bare" } },
  aws_lambda_function: {
    bare: {
      function_name: "bare",
      role: "arn:aws:iam::123456789012:role/bare",
      runtime: "nodejs22.x",
      handler: "index.handler",
      s3_bucket: "bare-code",
      s3_key: "bare.zip",
    },
  },
  aws_s3_bucket: { bare: { bucket: "bare-bucket" } },
  aws_s3_bucket_lifecycle_configuration: {
    bare: {
      bucket: "bare-bucket",
      rule: [{ id: "expire", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: 1 }] }],
    },
  },
  aws_sns_topic: { bare: { name: "bare" } },
  aws_sqs_queue: {
    bare: { name: "bare" },
    sqsManaged: { name: "sqs-managed", sqs_managed_sse_enabled: true },
    unencrypted: { name: "unencrypted", sqs_managed_sse_enabled: false },
    kms: { name: "kms", kms_master_key_id: "alias/aws/sqs" },
  },
};

describe("PROVIDER_DEFAULTS against the real provider's plan of a create", () => {
  let created: PlanJson["resource_changes"];

  beforeAll(async () => {
    const prodDir = path.join(await projectSynth(), "stacks", "prod");
    const prod = JSON.parse(readFileSync(path.join(prodDir, "cdk.tf.json"), "utf8")) as {
      terraform: { required_providers: unknown };
    };
    const scratch = tempDir("provider-defaults");
    const stackDir = path.join(scratch, "stack");
    mkdirSync(stackDir);
    writeFileSync(
      path.join(stackDir, "cdk.tf.json"),
      JSON.stringify({
        terraform: { required_providers: prod.terraform.required_providers },
        provider: { aws: [{ region: "us-east-1" }] },
        resource: BARE_RESOURCES,
      }),
    );
    copyFileSync(path.join(prodDir, ".terraform.lock.hcl"), path.join(stackDir, ".terraform.lock.hcl"));
    const shared = { pluginCache: path.join(scratch, "plugin-cache"), dataRoot: path.join(scratch, "data") };
    const workspace = await Workspace.create(stackDir, path.join(scratch, "copy"), shared);
    try {
      created = (await workspace.plan(undefined)).resource_changes;
    } finally {
      await workspace.close();
    }
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("covers every type it lists", () => {
    expect(Object.keys(BARE_RESOURCES).sort()).toEqual(Object.keys(PROVIDER_DEFAULTS).sort());
  });

  it("gives, for each resource, exactly the values the provider plans for the arguments it leaves out", () => {
    const wrong: string[] = [];
    for (const change of created ?? []) {
      const configured = BARE_RESOURCES[change.type]?.[change.name] ?? {};
      const after = (change.change.after ?? {}) as Record<string, unknown>;
      const unknown = (change.change.after_unknown ?? {}) as Record<string, unknown>;
      for (const [attribute, value] of Object.entries(providerDefaults(change.type, configured))) {
        if (unknown[attribute] === true || JSON.stringify(after[attribute]) !== JSON.stringify(value)) {
          const planned = unknown[attribute] === true ? "(known after apply)" : JSON.stringify(after[attribute]);
          wrong.push(`${change.address}.${attribute}: listed ${JSON.stringify(value)}, planned ${planned}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(created?.length).toBe(Object.values(BARE_RESOURCES).flatMap((byName) => Object.keys(byName)).length);
  });
});
