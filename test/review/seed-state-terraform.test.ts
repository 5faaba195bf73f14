/**
 * The seed state against the real provider, on this project's prod stack (every resource type the
 * construct makes): one plan against the seed settles the state, as a confirming re-plan shows, and
 * the provider's defaults the seed fills in are the ones the provider plans for a create.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanJson } from "../../review/plan-json.js";
import { applyPlan, emptyState, managedChanges, type ProviderSchemas, settlesState } from "../../review/plan-state.js";
import { providerSchemas } from "../../review/provider-schemas.js";
import { inertUnknowns, PROVIDER_DEFAULTS, seedState } from "../../review/seed-state.js";
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
    const seed = seedState(config, schemas, "seed-test", terraformVersion());
    if (!seed) throw new Error("the seed does not follow the prod stack");
    [fromSeed, fromNothing] = await Promise.all([seeded.plan(seed), empty.plan(undefined)]);
    confirming = await seeded.changesFrom(applyPlan(seed, fromSeed, schemas));
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
        if (PROVIDER_DEFAULTS[change.type]?.[attribute] !== value) {
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
