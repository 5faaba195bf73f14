/**
 * A first guess at the state a synthesized stack would create, read from its `cdk.tf.json` alone: every
 * managed resource with its configured values, references to other resources resolved against the
 * guess, and stand-ins (see plan-state.ts) for what AWS would compute. Planned against it, the stack's
 * references are all known, so one plan gives a state Terraform agrees with, where a plan from nothing
 * leaves ARNs and policy documents unknown until more plans settle them. Only a guess: review-environment
 * checks the plan against it and settles further when it does not hold.
 */
import {
  fillBlock,
  type InertUnknown,
  type ProviderSchemas,
  regionOfProviderConfig,
  type SchemaBlock,
  StandIns,
  type StateV4,
} from "./plan-state.js";

type Json = unknown;
type Body = Record<string, Json>;

/** A value the guess cannot work out (a data source, a function call): left unset, for the plan to fill. */
const UNRESOLVED = Symbol("unresolved");
type Resolved = Json | typeof UNRESOLVED;

/**
 * The AWS provider's defaults (5.x) for arguments our stacks leave out, as its plans of a create show
 * them: a state without them is planned as changed (null becomes the default), which defers every
 * data source that refers to it, and replaces the resource where the argument forces a replacement.
 * The schema does not carry defaults. A default missing or wrong here costs the review more plans (it
 * then settles as it would from nothing), never a wrong report; test/review/seed-state.test.ts checks
 * the list against the provider's plans of prod
 * (test/review/seed-state-terraform.test.ts).
 */
export const PROVIDER_DEFAULTS: Readonly<Record<string, Readonly<Record<string, Json>>>> = {
  aws_cloudwatch_log_group: { skip_destroy: false },
  aws_cloudwatch_metric_alarm: { actions_enabled: true },
  aws_iam_policy: { path: "/" },
  aws_iam_role: { force_detach_policies: false, max_session_duration: 3600, path: "/" },
  aws_iam_user: { path: "/" },
  aws_kms_key: { customer_master_key_spec: "SYMMETRIC_DEFAULT", key_usage: "ENCRYPT_DECRYPT" },
  aws_lambda_function: { package_type: "Zip", publish: false, reserved_concurrent_executions: -1, skip_destroy: false },
  aws_s3_bucket: { force_destroy: false },
  aws_s3_bucket_lifecycle_configuration: { transition_default_minimum_object_size: "all_storage_classes_128K" },
  aws_sns_topic: { content_based_deduplication: false, fifo_topic: false },
  aws_sqs_queue: {
    content_based_deduplication: false,
    delay_seconds: 0,
    fifo_queue: false,
    kms_data_key_reuse_period_seconds: 0,
    receive_wait_time_seconds: 0,
    visibility_timeout_seconds: 30,
  },
};

/**
 * Computed attributes a resource always gets a stand-in for when its configuration leaves them out: an
 * SDK resource without an `id` does not exist. Other computed attributes get one only when something
 * refers to them, and are otherwise left unset: a made-up value may be one the provider refuses (an
 * enumeration), and an unset one is planned like a created resource's, by its default.
 */
const IDENTITY: ReadonlySet<string> = new Set(["id", "arn"]);

/**
 * By resource address, the attributes of it anything in the stack refers to (`${aws_sqs_queue.work.arn}`),
 * and IDENTITY. An escaped `$${...}` counts too: one stand-in more, never one less.
 */
function referencedAttributes(config: Json): Map<string, Set<string>> {
  const referenced = new Map<string, Set<string>>();
  const text = JSON.stringify(config);
  for (const match of text.matchAll(/\$\{([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)/g)) {
    const address = `${match[1]}.${match[2]}`;
    const set = referenced.get(address) ?? new Set(IDENTITY);
    set.add(match[3] ?? "");
    referenced.set(address, set);
  }
  return referenced;
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

function isObject(value: Json): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `aws` → `registry.terraform.io/hashicorp/aws`, as Terraform expands a provider source. */
function expandSource(source: string): string {
  const parts = source.split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${source}`;
  if (parts.length === 2) return `registry.terraform.io/${source}`;
  return source;
}

/**
 * The seed state of the stack `config` (a parsed `cdk.tf.json`), or undefined when the stack uses what
 * the guess does not follow (modules, count, for_each): the review then plans from nothing.
 */
export function seedState(
  config: Json,
  schemas: ProviderSchemas,
  lineage: string,
  terraformVersion: string,
): StateV4 | undefined {
  if (!isObject(config) || config.module !== undefined) return undefined;
  const requiredProviders = (
    isObject(config.terraform) && isObject(config.terraform.required_providers)
      ? config.terraform.required_providers
      : {}
  ) as Record<string, Json>;
  const sourceOf = (local: string): string => {
    const required = requiredProviders[local];
    const source = typeof required === "string" ? undefined : isObject(required) ? required.source : undefined;
    return expandSource(typeof source === "string" ? source : local);
  };
  const resources = new Map<string, SeedResource>();
  const resourceBlocks = config.resource ?? {};
  if (!isObject(resourceBlocks)) return undefined;
  for (const [type, byName] of Object.entries(resourceBlocks)) {
    if (!isObject(byName)) return undefined;
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body) || body.count !== undefined || body.for_each !== undefined) return undefined;
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
  const referenced = referencedAttributes(config);
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
        ...PROVIDER_DEFAULTS[resource.type],
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
  const resolve = (value: Json): Resolved => {
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

  const reference = (expression: string): Resolved => {
    const match = /^([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)((?:\[\d+\]|\.[A-Za-z_][\w-]*)*)$/.exec(
      expression.trim(),
    );
    if (!match || match[1] === "data" || match[1] === "var" || match[1] === "local" || match[1] === "module") {
      return UNRESOLVED;
    }
    const attributes = attributesOf(`${match[1]}.${match[2]}`);
    if (attributes === UNRESOLVED) return UNRESOLVED;
    let current: Json = attributes[match[3] ?? ""];
    for (const step of (match[4] ?? "").match(/\[\d+\]|\.[A-Za-z_][\w-]*/g) ?? []) {
      if (step.startsWith("[")) current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
      else current = isObject(current) ? current[step.slice(1)] : undefined;
      if (current === undefined) return UNRESOLVED;
    }
    return current === undefined ? UNRESOLVED : current;
  };

  /**
   * A block's configured values converted to the schema's types, and the mask of what a plan would
   * leave unknown: computed attributes the configuration does not set.
   */
  const evaluateBlock = (
    body: Body,
    block: SchemaBlock,
    standIns: ReadonlySet<string> | undefined,
  ): { value: Record<string, Json>; unknown: Record<string, Json> } => {
    const value: Record<string, Json> = {};
    const unknown: Record<string, Json> = {};
    for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
      const configured = body[name];
      const resolved =
        configured === undefined || configured === null ? UNRESOLVED : convert(resolve(configured), attribute.type);
      if (resolved !== UNRESOLVED) value[name] = resolved;
      else if (attribute.computed && (configured === undefined || configured === null) && standIns?.has(name)) {
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
    terraform_version: terraformVersion,
    serial: 1,
    lineage,
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
 * the resource's configuration, and referred to by no expression of the stack.
 */
export function inertUnknowns(config: Json, schemas: ProviderSchemas): InertUnknown {
  const body = isObject(config) ? config : {};
  const referenced = referencedAttributes(body);
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

/** A string of the configuration: a literal, one reference (any type), or a template of references (a string). */
function resolveString(value: string, reference: (expression: string) => Resolved): Resolved {
  if (!value.includes("${") && !value.includes("%{")) return value;
  if (value.includes("%{")) return UNRESOLVED;
  const whole = /^\$\{([^{}]*)\}$/.exec(value);
  if (whole) return reference(whole[1] ?? "");
  let result = "";
  let rest = value;
  while (rest.length > 0) {
    const start = rest.indexOf("${");
    if (start === -1) {
      result += rest;
      break;
    }
    // `$${` is a literal `${`.
    if (start > 0 && rest[start - 1] === "$") {
      result += `${rest.slice(0, start - 1)}\${`;
      rest = rest.slice(start + 2);
      continue;
    }
    const end = rest.indexOf("}", start);
    if (end === -1) return UNRESOLVED;
    const inner = rest.slice(start + 2, end);
    if (inner.includes("{")) return UNRESOLVED;
    const resolved = reference(inner);
    if (
      resolved === UNRESOLVED ||
      (typeof resolved !== "string" && typeof resolved !== "number" && typeof resolved !== "boolean")
    ) {
      return UNRESOLVED;
    }
    result += `${rest.slice(0, start)}${String(resolved)}`;
    rest = rest.slice(end + 1);
  }
  return result;
}

/** A resolved value converted to a schema type as Terraform would (`"10"` to a number); UNRESOLVED when it cannot be. */
function convert(value: Resolved, type: Json): Resolved {
  if (value === UNRESOLVED || value === null) return value;
  if (type === "string") {
    return typeof value === "string"
      ? value
      : typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : UNRESOLVED;
  }
  if (type === "number") {
    if (typeof value === "number") return value;
    return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
      ? Number(value)
      : UNRESOLVED;
  }
  if (type === "bool") {
    if (typeof value === "boolean") return value;
    return value === "true" ? true : value === "false" ? false : UNRESOLVED;
  }
  if (Array.isArray(type)) {
    const [kind, inner] = type as [string, Json];
    if ((kind === "list" || kind === "set") && Array.isArray(value)) {
      const elements = value.map((element) => convert(element, inner));
      return elements.includes(UNRESOLVED) ? UNRESOLVED : elements;
    }
    if (kind === "map" && isObject(value)) {
      const entries = Object.entries(value).map(([key, element]) => [key, convert(element, inner)] as const);
      return entries.some(([, element]) => element === UNRESOLVED) ? UNRESOLVED : Object.fromEntries(entries);
    }
    if (kind === "object" && isObject(value)) {
      const entries = Object.entries(inner as Record<string, Json>).map(
        ([key, attributeType]) => [key, value[key] === undefined ? null : convert(value[key], attributeType)] as const,
      );
      return entries.some(([, element]) => element === UNRESOLVED) ? UNRESOLVED : Object.fromEntries(entries);
    }
    return UNRESOLVED;
  }
  // "dynamic": as configured.
  return value;
}
