/**
 * A Terraform state (format 4) built from a plan's planned values, so that another configuration can
 * be planned against "what the first one would have created" with `-refresh=false`, calling no AWS API.
 * Values the plan could not know (ARNs, ids) are filled by type from the provider schema.
 */
import type { PlanJson, ResourceChange } from "./plan-json.js";

interface SchemaAttribute {
  readonly type?: unknown;
  readonly computed?: boolean;
  readonly optional?: boolean;
}
interface SchemaBlock {
  readonly attributes?: Readonly<Record<string, SchemaAttribute>>;
  readonly block_types?: Readonly<Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>>;
}
export interface ProviderSchemas {
  readonly provider_schemas: Readonly<
    Record<
      string,
      { readonly resource_schemas: Readonly<Record<string, { readonly version: number; readonly block: SchemaBlock }>> }
    >
  >;
}

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

/** The state after `plan` is applied to `state`, with unknown values filled in. */
export function applyPlan(state: StateV4, plan: PlanJson, schemas: ProviderSchemas): StateV4 {
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
    const instance: StateInstance = {
      schema_version: schema.version,
      attributes: fillBlock(change.change.after, change.change.after_unknown, schema.block, change.address) as Record<
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

/**
 * A stand-in for a value the plan did not know: deterministic, so references to it agree, and shaped
 * like the real thing where the provider validates what refers to it (ARNs).
 */
function placeholder(type: unknown, path: string): unknown {
  if (type === "string") {
    const [resourceType = "resource", rest = ""] = path.split(".");
    const name = rest.replace(/[^A-Za-z0-9_-]/g, "-");
    const attribute = path.slice(path.lastIndexOf(".") + 1);
    if (attribute === "arn" || attribute.endsWith("_arn")) {
      return `arn:aws:${resourceType.split("_")[1] ?? "service"}:us-east-1:123456789012:${resourceType}/${name}`;
    }
    if (attribute === "url") return `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;
    return `unknown-${name}-${attribute}`;
  }
  if (type === "number") return 0;
  if (type === "bool") return false;
  if (Array.isArray(type)) {
    const [kind, inner] = type as [string, unknown];
    if (kind === "list" || kind === "set") return [];
    if (kind === "map") return {};
    if (kind === "object") {
      return Object.fromEntries(
        Object.entries(inner as Record<string, unknown>).map(([name, t]) => [name, placeholder(t, `${path}.${name}`)]),
      );
    }
  }
  return null;
}

function fillValue(value: unknown, unknown: unknown, type: unknown, path: string): unknown {
  if (unknown === true) return placeholder(type, path);
  if (value === undefined || value === null) return null;
  if (Array.isArray(type) && Array.isArray(value)) {
    const [kind, inner] = type as [string, unknown];
    if (kind === "list" || kind === "set") {
      return value.map((element, index) =>
        fillValue(element, Array.isArray(unknown) ? unknown[index] : undefined, inner, `${path}[${index}]`),
      );
    }
  }
  if (Array.isArray(type) && typeof value === "object" && !Array.isArray(value)) {
    const [kind, inner] = type as [string, unknown];
    const entries = Object.entries(value as Record<string, unknown>);
    const mask = (unknown ?? {}) as Record<string, unknown>;
    if (kind === "map")
      return Object.fromEntries(entries.map(([k, v]) => [k, fillValue(v, mask[k], inner, `${path}.${k}`)]));
    if (kind === "object") {
      const types = inner as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(types).map((k) => [
          k,
          fillValue((value as Record<string, unknown>)[k], mask[k], types[k], `${path}.${k}`),
        ]),
      );
    }
  }
  return value;
}

/**
 * Computed attributes that must stay unset when unknown: the provider rejects any made-up value for
 * them (a FIFO throughput scope on a standard topic). Every other unknown gets a placeholder, since a
 * null computed attribute (an id, a name prefix) reads as "not created yet" and forces a replacement.
 */
const LEFT_UNSET: ReadonlySet<string> = new Set(["aws_sns_topic.fifo_throughput_scope"]);

function fillBlock(value: unknown, unknown: unknown, block: SchemaBlock, path: string): unknown {
  const object = (value ?? {}) as Record<string, unknown>;
  const mask = unknown === true ? undefined : ((unknown ?? {}) as Record<string, unknown>);
  const result: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    const isUnknown = unknown === true || mask?.[name] === true;
    result[name] =
      isUnknown && LEFT_UNSET.has(`${path.split(".")[0]}.${name}`)
        ? null
        : fillValue(object[name], unknown === true ? true : mask?.[name], attribute.type, `${path}.${name}`);
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const nestedValue = object[name];
    const nestedMask = unknown === true ? true : mask?.[name];
    const single = nested.nesting_mode === "single" || nested.nesting_mode === "group";
    if (nestedMask === true || nestedValue === undefined || nestedValue === null) {
      result[name] = single ? null : nested.nesting_mode === "map" ? {} : [];
    } else if (single) {
      result[name] = fillBlock(nestedValue, nestedMask, nested.block, `${path}.${name}`);
    } else if (Array.isArray(nestedValue)) {
      result[name] = nestedValue.map((element, index) =>
        fillBlock(
          element,
          Array.isArray(nestedMask) ? nestedMask[index] : undefined,
          nested.block,
          `${path}.${name}[${index}]`,
        ),
      );
    } else {
      result[name] = nestedValue;
    }
  }
  return result;
}
