/**
 * A first guess at the state a synthesized stack would create, read from its `cdk.tf.json` alone: every
 * managed resource with its configured values, references to other resources resolved against the
 * guess, and stand-ins (see plan-state.ts) for what AWS would compute. Planned against it, the stack's
 * references are all known, so one plan gives a state Terraform agrees with, where a plan from nothing
 * leaves ARNs and policy documents unknown until more plans settle them. Only a guess: review-environment
 * checks the plan against it and settles further when it does not hold.
 */
import type { InertUnknown, StateV4 } from "./plan-state.js";
import { providerAddress } from "./provider-address.js";
import { providerDefaults } from "./provider-defaults.js";
import type { ProviderSchemas, SchemaBlock } from "./schema-types.js";
import { convert, isObject, parseReference, resolveString, UNRESOLVED, valueAt } from "./seed-expressions.js";
import { fillBlock, regionOfProviderConfig, StandIns } from "./stand-ins.js";

type Json = unknown;
type Body = Record<string, Json>;

/**
 * Which computed attributes the configuration leaves out get a stand-in, as AWS would give them a value:
 * - every computed-only one (an ARN, a version, a URL): the provider never checks them against anything;
 * - of those the configuration may set (optional and computed), IDENTITY (an SDK resource without an
 *   `id` does not exist) and those something refers to, in the stack or in the change under review.
 * Other optional computed ones stay unset: a made-up value may be one the provider refuses or rewrites
 * (an enumeration: a plan from the table's made-up `stream_view_type` updates it, and defers every data
 * source that waits on the table), where an unset one is kept as it is. The state then holds null where
 * AWS would hold a value no one can know offline; a plan from nothing gave it a made-up one.
 */
const IDENTITY: ReadonlySet<string> = new Set(["id", "arn"]);

/**
 * By resource address, the attributes of it any of `configs` refers to (`${aws_sqs_queue.work.arn}`,
 * also inside a function call, `${upper(aws_iam_role.r.name)}`), and IDENTITY. Every
 * `type.name.attribute` token of the configuration counts, in an escaped `$${...}` or a plain
 * string too: one stand-in more, never one less. A `moved` block's new address refers to its old one.
 */
function referencedAttributes(configs: readonly Json[]): Map<string, Set<string>> {
  const referenced = new Map<string, Set<string>>();
  const refer = (address: string, attributes: Iterable<string>) => {
    const set = referenced.get(address) ?? new Set(IDENTITY);
    for (const attribute of attributes) set.add(attribute);
    referenced.set(address, set);
  };
  for (const config of configs) {
    const text = JSON.stringify(config) ?? "";
    for (const match of text.matchAll(/(?<![\w.-])([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)/g)) {
      refer(`${match[1]}.${match[2]}`, [match[3] ?? ""]);
    }
  }
  for (const config of configs) {
    const moved = isObject(config) ? config.moved : undefined;
    for (const block of Array.isArray(moved) ? moved : [moved]) {
      if (isObject(block) && typeof block.from === "string" && typeof block.to === "string") {
        refer(block.from, referenced.get(block.to) ?? []);
      }
    }
  }
  return referenced;
}

/**
 * Whether a resource's `lifecycle` ignores changes to some of its arguments. A plan against the seed
 * would keep the seed's value of those where the real create used the configured one, and the seed
 * leaves unset what it cannot work out (a data source's JSON): it gives up on such a stack.
 */
function ignoresChanges(body: Body): boolean {
  const lifecycles = Array.isArray(body.lifecycle) ? body.lifecycle : [body.lifecycle];
  return lifecycles.some((lifecycle) => {
    const ignored = isObject(lifecycle) ? lifecycle.ignore_changes : undefined;
    return ignored !== undefined && ignored !== null && !(Array.isArray(ignored) && ignored.length === 0);
  });
}

export interface SeedOptions {
  readonly lineage: string;
  readonly terraformVersion: string;
  /**
   * Configurations whose references to this stack's resources count as well: the change under
   * review, planned against the state, reads what it refers to from it.
   */
  readonly referencedBy?: readonly Json[];
}

interface SeedResource {
  readonly type: string;
  readonly name: string;
  readonly provider: string;
  readonly providerSource: string;
  readonly local: string;
  readonly alias: string | undefined;
  readonly body: Body;
}

/**
 * The seed state of the stack `config` (a parsed `cdk.tf.json`), or undefined when the stack uses what
 * the guess does not follow (modules, count, for_each, ignore_changes): the review then plans from nothing.
 */
export function seedState(config: Json, schemas: ProviderSchemas, options: SeedOptions): StateV4 | undefined {
  if (!isObject(config) || config.module !== undefined) return undefined;
  const requiredProviders = (
    isObject(config.terraform) && isObject(config.terraform.required_providers)
      ? config.terraform.required_providers
      : {}
  ) as Record<string, Json>;
  const sourceOf = (local: string): string => {
    const required = requiredProviders[local];
    const source = typeof required === "string" ? undefined : isObject(required) ? required.source : undefined;
    return providerAddress(typeof source === "string" ? source : local);
  };
  const resources = new Map<string, SeedResource>();
  const resourceBlocks = config.resource ?? {};
  if (!isObject(resourceBlocks)) return undefined;
  for (const [type, byName] of Object.entries(resourceBlocks)) {
    if (!isObject(byName)) return undefined;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body) || body.count !== undefined || body.for_each !== undefined || ignoresChanges(body)) {
        return undefined;
      }
      const providerRef =
        typeof body.provider === "string" ? body.provider.replace(/^\$\{(.*)\}$/, "$1") : type.split("_")[0];
      if (providerRef === undefined) return undefined;
      const [local = "", alias] = providerRef.split(".");
      const providerSource = sourceOf(local);
      resources.set(`${type}.${name}`, {
        type,
        name,
        providerSource,
        local,
        alias,
        provider: `provider["${providerSource}"]${alias ? `.${alias}` : ""}`,
        body,
      });
    }
  }
  const region = regionOfProviderConfig(config.provider);
  const referenced = referencedAttributes([config, ...(options.referencedBy ?? [])]);
  const instances = new Map<string, Record<string, Json> | typeof UNRESOLVED>();
  const inProgress = new Set<string>();

  const attributesOf = (address: string): Record<string, Json> | typeof UNRESOLVED => {
    const done = instances.get(address);
    if (done !== undefined) return done;
    const resource = resources.get(address);
    if (!resource || inProgress.has(address)) return UNRESOLVED;
    const schema = schemas.provider_schemas[resource.providerSource]?.resource_schemas[resource.type];
    if (!schema) return UNRESOLVED;
    inProgress.add(address);
    const { value, unknown } = evaluateBlock(
      {
        ...providerDefaults(resource.type, resource.body),
        ...(schema.block.attributes?.tags_all
          ? { tags_all: tagsAll(defaultTagsOf(config.provider, resource.local, resource.alias), resource.body.tags) }
          : {}),
        ...resource.body,
        // The provider plans an empty `tags` as null, as it would store it.
        ...(isObject(resource.body.tags) && Object.keys(resource.body.tags).length === 0 ? { tags: null } : {}),
      },
      schema.block,
      referenced.get(address) ?? IDENTITY,
    );
    const standIns = new StandIns(resource.type, address, value, unknown, region);
    const attributes = fillBlock(value, unknown, schema.block, "", standIns) as Record<string, Json>;
    inProgress.delete(address);
    instances.set(address, attributes);
    return attributes;
  };

  /** A configured value, its references resolved; UNRESOLVED when any part cannot be. */
  const resolve = (value: Json): unknown => {
    if (typeof value === "string") return resolveString(value, reference);
    if (Array.isArray(value)) {
      const elements = value.map(resolve);
      return elements.includes(UNRESOLVED) ? UNRESOLVED : elements;
    }
    if (isObject(value)) {
      const entries = Object.entries(value).map(([key, element]) => [key, resolve(element)] as const);
      return entries.some(([, element]) => element === UNRESOLVED) ? UNRESOLVED : Object.fromEntries(entries);
    }
    return value;
  };

  const reference = (expression: string): unknown => {
    const parsed = parseReference(expression);
    const attributes = parsed ? attributesOf(parsed.address) : UNRESOLVED;
    if (!parsed || attributes === UNRESOLVED) return UNRESOLVED;
    return valueAt(attributes[parsed.attribute], parsed.steps);
  };

  /**
   * A block's configured values converted to the schema's types, and the mask of what gets a stand-in
   * (see IDENTITY): computed attributes the configuration leaves out, `referenced` naming which of the
   * optional ones (none, in a nested block).
   */
  const evaluateBlock = (
    body: Body,
    block: SchemaBlock,
    referenced: ReadonlySet<string> | undefined,
  ): { value: Record<string, Json>; unknown: Record<string, Json> } => {
    const value: Record<string, Json> = {};
    const unknown: Record<string, Json> = {};
    for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
      const configured = body[name];
      const resolved =
        configured === undefined || configured === null ? UNRESOLVED : convert(resolve(configured), attribute.type);
      if (resolved !== UNRESOLVED) value[name] = resolved;
      else if (
        attribute.computed &&
        (configured === undefined || configured === null) &&
        (!attribute.optional || referenced?.has(name))
      ) {
        unknown[name] = true;
      } else value[name] = null;
    }
    for (const [name, nested] of Object.entries(block.block_types ?? {})) {
      const configured = body[name];
      if (configured === undefined || configured === null) continue;
      const elements = Array.isArray(configured) ? configured : [configured];
      const evaluated = elements.filter(isObject).map((element) => evaluateBlock(element, nested.block, undefined));
      if (nested.nesting_mode === "single" || nested.nesting_mode === "group") {
        if (evaluated[0]) {
          value[name] = evaluated[0].value;
          unknown[name] = evaluated[0].unknown;
        }
      } else if (nested.nesting_mode === "list" || nested.nesting_mode === "set") {
        value[name] = evaluated.map((element) => element.value);
        unknown[name] = evaluated.map((element) => element.unknown);
      }
    }
    return { value, unknown };
  };

  const state: StateV4 = {
    version: 4,
    terraform_version: options.terraformVersion,
    serial: 1,
    lineage: options.lineage,
    outputs: {},
    resources: [],
  };
  for (const [address, resource] of resources) {
    const attributes = attributesOf(address);
    const schema = schemas.provider_schemas[resource.providerSource]?.resource_schemas[resource.type];
    if (attributes === UNRESOLVED || !schema) return undefined;
    state.resources.push({
      mode: "managed",
      type: resource.type,
      name: resource.name,
      provider: resource.provider,
      instances: [{ schema_version: schema.version, attributes, sensitive_attributes: [] }],
    });
  }
  return state;
}

/** The `default_tags` of the provider configuration `local` (`aws`), `alias` or the default one, as configured. */
function defaultTagsOf(providers: Json, local: string, alias: string | undefined): Json {
  const configs = isObject(providers) ? providers[local] : undefined;
  const config = (Array.isArray(configs) ? configs : [configs]).find(
    (entry) => isObject(entry) && entry.alias === alias,
  );
  const defaultTags = isObject(config) ? config.default_tags : undefined;
  const block = Array.isArray(defaultTags) ? defaultTags[0] : defaultTags;
  return isObject(block) ? (block.tags ?? {}) : {};
}

/** What the provider plans as `tags_all`: the provider's default tags, overridden by the resource's own. */
function tagsAll(defaultTags: Json, tags: Json): Json {
  return { ...(isObject(defaultTags) ? defaultTags : {}), ...(isObject(tags) ? tags : {}) };
}

/**
 * Which unknown attributes of a plan of `config` are inert (see settlesState): computed, not set by
 * the resource's configuration, and referred to by no expression of the stack or of `referencedBy`.
 */
export function inertUnknowns(
  config: Json,
  schemas: ProviderSchemas,
  referencedBy: readonly Json[] = [],
): InertUnknown {
  const body = isObject(config) ? config : {};
  const referenced = referencedAttributes([body, ...referencedBy]);
  const resources = isObject(body.resource) ? body.resource : {};
  return (change, attribute) => {
    if (change.provider_name === undefined || change.index !== undefined || change.address.startsWith("module."))
      return false;
    const byName = resources[change.type];
    const configured = isObject(byName) ? byName[change.name] : undefined;
    const schema = schemas.provider_schemas[change.provider_name]?.resource_schemas[change.type];
    const declared = schema?.block.attributes?.[attribute];
    return (
      isObject(configured) &&
      configured[attribute] === undefined &&
      declared?.computed === true &&
      !(referenced.get(change.address)?.has(attribute) ?? false) &&
      !IDENTITY.has(attribute)
    );
  };
}
