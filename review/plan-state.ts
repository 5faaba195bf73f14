/**
 * A Terraform state (format 4) built from a plan's planned values, so that another configuration can
 * be planned against "what the first one would have created" with `-refresh=false`, calling no AWS API.
 * Values the plan could not know (ARNs, ids) are filled by type from the provider schema.
 */
import type { PlanJson, ResourceChange } from "./plan-json.js";
import type { ProviderSchemas } from "./schema-types.js";
import { fillBlock, regionOfPlan, StandIns } from "./stand-ins.js";

interface StateInstance {
  schema_version: number;
  attributes: Record<string, unknown>;
  sensitive_attributes: unknown[];
  index_key?: string | number;
}
interface StateResource {
  mode: "managed";
  type: string;
  name: string;
  provider: string;
  instances: StateInstance[];
}
export interface StateV4 {
  version: 4;
  terraform_version: string;
  serial: number;
  lineage: string;
  outputs: Record<string, unknown>;
  resources: StateResource[];
}

export function emptyState(lineage: string, terraformVersion: string): StateV4 {
  return { version: 4, terraform_version: terraformVersion, serial: 0, lineage, outputs: {}, resources: [] };
}

/** Managed resources a plan would change (anything but no-op and read). */
export function managedChanges(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).filter(
    (change) =>
      change.mode === "managed" && !change.change.actions.every((action) => action === "no-op" || action === "read"),
  );
}

/**
 * An unknown attribute of an in-place update that cannot unsettle the state once a stand-in fills it:
 * one that nothing refers to and the configuration does not set (see seed-state.ts inertUnknowns).
 */
export type InertUnknown = (change: ResourceChange, attribute: string) => boolean;

/**
 * Whether applying `plan` leaves a settled state: every managed change is known in full (but for
 * `inert` unknowns of in-place updates) and no data source waits for apply. Terraform evaluated each
 * reference against the planned values of what it refers to, which are then exactly the state's, so
 * planning again yields the same values and, by the provider's contract (a plan after an apply shows
 * no change), no change: that plan can be skipped. An inert unknown changes no reference, and a
 * provider does not compare a computed attribute the configuration leaves out with anything.
 */
export function settlesState(plan: PlanJson, inert?: InertUnknown): boolean {
  const deferredRead = (plan.resource_changes ?? []).some(
    (change) => change.mode === "data" && change.change.actions.includes("read"),
  );
  return (
    !deferredRead &&
    managedChanges(plan).every((change) => {
      const unknown = change.change.after_unknown;
      if (!holdsUnknown(unknown)) return true;
      if (!inert || change.change.actions.join() !== "update" || unknown === null || typeof unknown !== "object") {
        return false;
      }
      return Object.entries(unknown).every(
        ([attribute, mask]) => !holdsUnknown(mask) || (mask === true && inert(change, attribute)),
      );
    })
  );
}

function holdsUnknown(unknown: unknown): boolean {
  if (unknown === true) return true;
  if (unknown === null || typeof unknown !== "object") return false;
  return Object.values(unknown).some(holdsUnknown);
}

/**
 * The state after `plan` is applied to `state`, with unknown values filled in. Their ARNs name the
 * region of the plan's configuration; a plan without one (read from a plan file) is given it.
 */
export function applyPlan(
  state: StateV4,
  plan: PlanJson,
  schemas: ProviderSchemas,
  region: string = regionOfPlan(plan),
): StateV4 {
  const next: StateV4 = structuredClone(state);
  next.serial += 1;
  for (const change of managedChanges(plan)) {
    const key = (resource: StateResource) => resource.type === change.type && resource.name === change.name;
    const existing = next.resources.find(key);
    if (change.change.actions.includes("delete") && !change.change.actions.includes("create")) {
      if (existing) existing.instances = existing.instances.filter((instance) => instance.index_key !== change.index);
      next.resources = next.resources.filter((resource) => resource.instances.length > 0);
      continue;
    }
    const schema = schemaOf(schemas, change, providerOf(change));
    const standIns = new StandIns(
      change.type,
      change.address,
      (change.change.after ?? {}) as Record<string, unknown>,
      (change.change.after_unknown ?? {}) as Record<string, unknown>,
      region,
    );
    const instance: StateInstance = {
      schema_version: schema.version,
      attributes: fillBlock(change.change.after, change.change.after_unknown, schema.block, "", standIns) as Record<
        string,
        unknown
      >,
      sensitive_attributes: [],
      ...(change.index !== undefined ? { index_key: change.index } : {}),
    };
    if (existing) {
      existing.instances = [...existing.instances.filter((other) => other.index_key !== change.index), instance];
    } else {
      next.resources.push({
        mode: "managed",
        type: change.type,
        name: change.name,
        provider: `provider["${providerOf(change)}"]`,
        instances: [instance],
      });
    }
  }
  return next;
}

function providerOf(change: ResourceChange): string {
  if (change.provider_name === undefined) throw new Error(`${change.address} has no provider_name in the plan`);
  return change.provider_name;
}

function schemaOf(schemas: ProviderSchemas, change: ResourceChange, provider: string) {
  const schema = schemas.provider_schemas[provider]?.resource_schemas[change.type];
  if (!schema) throw new Error(`no provider schema for ${change.type} (${provider})`);
  return schema;
}
