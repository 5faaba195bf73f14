/**
 * Stand-ins for what only AWS would know of a resource (its ARN, URL, id): the values the review's
 * states hold where a plan left them unknown (plan-state.ts) or the configuration leaves them to AWS
 * (seed-state.ts). Deterministic and shaped like the real values, so that references agree and what
 * reads an ARN reads it as the real one.
 */
import type { PlanJson } from "./plan-json.js";
import type { SchemaBlock } from "./schema-types.js";

const ACCOUNT = "123456789012";
const DEFAULT_REGION = "us-east-1";

function regionOrDefault(region: unknown): string {
  return typeof region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : DEFAULT_REGION;
}

/** The region of the plan's default AWS provider, when its configuration says it as a constant. */
export function regionOfPlan(plan: PlanJson): string {
  const config = (plan.configuration as { provider_config?: Record<string, unknown> } | undefined)?.provider_config;
  const aws = config?.aws as { expressions?: { region?: { constant_value?: unknown } } } | undefined;
  return regionOrDefault(aws?.expressions?.region?.constant_value);
}

/** The same from a stack's `cdk.tf.json` `provider` block: its default (unaliased) AWS provider's region. */
export function regionOfProviderConfig(providers: unknown): string {
  const aws = (providers as { aws?: unknown } | undefined)?.aws;
  const configs = (Array.isArray(aws) ? aws : [aws]) as ({ alias?: unknown; region?: unknown } | undefined)[];
  return regionOrDefault(configs.find((config) => config && config.alias === undefined)?.region);
}

/**
 * The ARN formats of the resources our stacks create (AWS's "Amazon Resource Names" reference, and
 * each service's page of resource types), by resource type: a stand-in ARN must be the ARN the real
 * resource would have, so that what reads it (a log streams statement, an attachment of a policy of
 * the plan) reads it as the real one.
 */
const ARN_FORMATS: Readonly<
  Record<string, { readonly name: string; readonly arn: (name: string, region: string) => string }>
> = {
  aws_cloudwatch_log_group: {
    name: "name",
    arn: (name, region) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`,
  },
  aws_cloudwatch_metric_alarm: {
    name: "alarm_name",
    arn: (name, region) => `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`,
  },
  aws_sqs_queue: { name: "name", arn: (name, region) => `arn:aws:sqs:${region}:${ACCOUNT}:${name}` },
  aws_sns_topic: { name: "name", arn: (name, region) => `arn:aws:sns:${region}:${ACCOUNT}:${name}` },
  aws_lambda_function: {
    name: "function_name",
    arn: (name, region) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`,
  },
  aws_dynamodb_table: { name: "name", arn: (name, region) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}` },
  aws_iam_role: { name: "name", arn: (name) => `arn:aws:iam::${ACCOUNT}:role/${name}` },
  aws_iam_policy: { name: "name", arn: (name) => `arn:aws:iam::${ACCOUNT}:policy/${name}` },
  aws_s3_bucket: { name: "bucket", arn: (name) => `arn:aws:s3:::${name}` },
  aws_kms_key: { name: "key_id", arn: (name, region) => `arn:aws:kms:${region}:${ACCOUNT}:key/${name}` },
};

/** Where the review's ARNs name a service other than the type's second word (`aws_cloudwatch_log_group`). */
const SERVICES: Readonly<Record<string, string>> = { aws_cloudwatch_log_group: "logs" };

/**
 * Stand-ins for the values one resource's plan did not know: deterministic, so references to them
 * agree, and shaped like the real thing where something validates or reads them. Its own `arn` and
 * `url` name it as AWS would, by its planned name (IAM names keep their path), or by its address.
 */
export class StandIns {
  private readonly name: string;
  private readonly ownName: string;

  /** For the resource `address` of `resourceType`, with its planned (or configured) values and what of them is unknown. */
  constructor(
    readonly resourceType: string,
    address: string,
    after: Record<string, unknown>,
    unknown: Record<string, unknown>,
    private readonly region: string,
  ) {
    // The address without the type: unique in the plan (`work`, `module.app["a"].work[0]`).
    this.name = address.replace(`${resourceType}.`, "").replace(/[^A-Za-z0-9_-]/g, "-");
    const format = ARN_FORMATS[this.resourceType];
    const planned = format && unknown[format.name] !== true ? after[format.name] : undefined;
    const path =
      (this.resourceType === "aws_iam_role" || this.resourceType === "aws_iam_policy") && typeof after.path === "string"
        ? after.path
        : "/";
    this.ownName = typeof planned === "string" && planned !== "" ? `${path.slice(1)}${planned}` : this.name;
  }

  /** A stand-in for the value of type `type` at `path` (`arn`, `inline_policy[0].name`). */
  value(type: unknown, path: string): unknown {
    if (type === "string") {
      const attribute = path.slice(path.lastIndexOf(".") + 1);
      if (path === "arn" && ARN_FORMATS[this.resourceType])
        return ARN_FORMATS[this.resourceType]?.arn(this.ownName, this.region);
      if (path === "url" && this.resourceType === "aws_sqs_queue")
        return `https://sqs.${this.region}.amazonaws.com/${ACCOUNT}/${this.ownName}`;
      if (attribute === "arn" || attribute.endsWith("_arn")) {
        const service = SERVICES[this.resourceType] ?? this.resourceType.split("_")[1] ?? "service";
        return `arn:aws:${service}:${this.region}:${ACCOUNT}:${this.resourceType}/${this.name}/${attribute}`;
      }
      if (attribute === "url") return `https://sqs.${this.region}.amazonaws.com/${ACCOUNT}/${this.name}`;
      return `unknown-${this.name}-${attribute}`;
    }
    if (type === "number") return 0;
    if (type === "bool") return false;
    if (Array.isArray(type)) {
      const [kind, inner] = type as [string, unknown];
      if (kind === "list" || kind === "set") return [];
      if (kind === "map") return {};
      if (kind === "object") {
        return Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).map(([name, t]) => [name, this.value(t, `${path}.${name}`)]),
        );
      }
    }
    return null;
  }
}

function fillValue(value: unknown, unknown: unknown, type: unknown, path: string, standIns: StandIns): unknown {
  if (unknown === true) return standIns.value(type, path);
  if (value === undefined || value === null) return null;
  if (Array.isArray(type) && Array.isArray(value)) {
    const [kind, inner] = type as [string, unknown];
    if (kind === "list" || kind === "set") {
      return value.map((element, index) =>
        fillValue(element, Array.isArray(unknown) ? unknown[index] : undefined, inner, `${path}[${index}]`, standIns),
      );
    }
  }
  if (Array.isArray(type) && typeof value === "object" && !Array.isArray(value)) {
    const [kind, inner] = type as [string, unknown];
    const entries = Object.entries(value as Record<string, unknown>);
    const mask = (unknown ?? {}) as Record<string, unknown>;
    if (kind === "map")
      return Object.fromEntries(entries.map(([k, v]) => [k, fillValue(v, mask[k], inner, `${path}.${k}`, standIns)]));
    if (kind === "object") {
      const types = inner as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(types).map((k) => [
          k,
          fillValue((value as Record<string, unknown>)[k], mask[k], types[k], `${path}.${k}`, standIns),
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

/** A block's attributes at `path` (`""` for the resource), unknown ones filled with stand-ins. */
export function fillBlock(
  value: unknown,
  unknown: unknown,
  block: SchemaBlock,
  path: string,
  standIns: StandIns,
): unknown {
  const object = (value ?? {}) as Record<string, unknown>;
  const mask = unknown === true ? undefined : ((unknown ?? {}) as Record<string, unknown>);
  const result: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    const isUnknown = unknown === true || mask?.[name] === true;
    result[name] =
      isUnknown && path === "" && LEFT_UNSET.has(`${standIns.resourceType}.${name}`)
        ? null
        : fillValue(object[name], unknown === true ? true : mask?.[name], attribute.type, join(path, name), standIns);
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const nestedValue = object[name];
    const nestedMask = unknown === true ? true : mask?.[name];
    const single = nested.nesting_mode === "single" || nested.nesting_mode === "group";
    if (nestedMask === true || nestedValue === undefined || nestedValue === null) {
      result[name] = single ? null : nested.nesting_mode === "map" ? {} : [];
    } else if (single) {
      result[name] = fillBlock(nestedValue, nestedMask, nested.block, join(path, name), standIns);
    } else if (Array.isArray(nestedValue)) {
      result[name] = nestedValue.map((element, index) =>
        fillBlock(
          element,
          Array.isArray(nestedMask) ? nestedMask[index] : undefined,
          nested.block,
          `${join(path, name)}[${index}]`,
          standIns,
        ),
      );
    } else {
      result[name] = nestedValue;
    }
  }
  return result;
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}
