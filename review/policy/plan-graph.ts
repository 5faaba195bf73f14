/**
 * A read-only view of a Terraform plan JSON (`terraform show -json plan.bin`, format 1.x) that the
 * rules query: every resource instance with its planned values, which of them are unknown, and its
 * configuration expressions, so resources can be linked through `references` when their ARNs, URLs
 * and ids are only known after apply.
 */

/** The plan is not what `terraform show -json <planfile>` prints. */
export class PlanFormatError extends Error {
  override readonly name = "PlanFormatError";
}

type JsonObject = Record<string, unknown>;

/** One expression of `configuration`: a constant, references, or both (JSON syntax templates). */
export interface Expression {
  readonly constant_value?: unknown;
  readonly references?: readonly string[];
}

export interface ResourceNode {
  /** The instance address, e.g. `module.app["a"].aws_sqs_queue.work[0]`. */
  readonly address: string;
  /** The configuration address, without instance keys: `module.app.aws_sqs_queue.work`. */
  readonly configAddress: string;
  /** Module call names from the root, e.g. `["app"]`. */
  readonly modulePath: readonly string[];
  readonly mode: "managed" | "data";
  readonly type: string;
  /** `aws_sqs_queue`, or `data.aws_iam_policy_document` for data sources. */
  readonly kind: string;
  readonly actions: readonly string[];
  /** False when the plan deletes (or forgets) the object: its configuration is not judged. */
  readonly live: boolean;
  /** Planned values (`change.after`), or the prior ones for an object being deleted. */
  readonly values: JsonObject;
  /** `change.after_unknown`: true (or a nested mask) where the value is only known after apply. */
  readonly unknown: unknown;
  readonly before: JsonObject | null;
  /** This resource's `configuration` expressions, when the plan has them. */
  readonly expressions: JsonObject | undefined;
  readonly actionReason: string | undefined;
  readonly replacePaths: readonly (readonly unknown[])[];
  readonly deposed: string | undefined;
}

/** What an attribute is in the plan: a known value, or unknown and maybe configured. */
export type Attribute =
  | { readonly known: true; readonly value: unknown }
  | { readonly known: false; readonly configured: boolean; readonly expression: unknown };

interface ModuleConfig {
  readonly resources: readonly JsonObject[];
  readonly module_calls: Readonly<Record<string, JsonObject>>;
  readonly outputs: Readonly<Record<string, JsonObject>>;
}

const MARKER = "\u0000unknown\u0000";

/** Strips instance keys (`[0]`, `["a"]`) from an address or reference, respecting quotes. */
export function stripInstanceKeys(address: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const ch = address[i]!;
    if (depth > 0) {
      if (quoted) {
        if (ch === "\\") i++;
        else if (ch === '"') quoted = false;
      } else if (ch === '"') quoted = true;
      else if (ch === "[") depth++;
      else if (ch === "]") depth--;
      continue;
    }
    if (ch === "[") depth = 1;
    else out += ch;
  }
  return out;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `["a", "b"]` from `module.a.module.b.aws_x.y` (instance keys already stripped). */
function modulePathOf(configAddress: string): string[] {
  const parts = configAddress.split(".");
  const path: string[] = [];
  for (let i = 0; i + 1 < parts.length && parts[i] === "module"; i += 2) path.push(parts[i + 1]!);
  return path;
}

function modulePrefix(path: readonly string[]): string {
  return path.map((name) => `module.${name}.`).join("");
}

/** Every `references` list under an expression (an expression, a block list, or nested blocks). */
export function collectReferences(expression: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      if (Array.isArray(value.references)) {
        for (const reference of value.references) if (typeof reference === "string") out.push(reference);
      }
      for (const [key, inner] of Object.entries(value))
        if (key !== "references" && key !== "constant_value") walk(inner);
    }
  };
  walk(expression);
  return out;
}

/** True when a JSON-syntax constant still holds `${...}` interpolations (known only at plan or apply). */
export function isTemplate(value: unknown): boolean {
  if (typeof value === "string") return /(^|[^$])\$\{/.test(value);
  if (Array.isArray(value)) return value.some(isTemplate);
  if (isObject(value)) return Object.values(value).some(isTemplate);
  return false;
}

/**
 * A JSON-syntax template string with each `${...}` replaced by a marker, so that a policy written
 * as a JSON string with interpolated ARNs can still be read. `unknownMarker` tells the marker apart.
 */
export function replaceInterpolations(template: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    if (template[i] === "$" && template[i + 1] === "$" && template[i + 2] === "{") {
      out += "${";
      i += 2;
      continue;
    }
    if (template[i] === "$" && template[i + 1] === "{") {
      let depth = 1;
      let j = i + 2;
      let quoted = false;
      for (; j < template.length && depth > 0; j++) {
        const ch = template[j];
        if (quoted) {
          if (ch === "\\") j++;
          else if (ch === '"') quoted = false;
        } else if (ch === '"') quoted = true;
        else if (ch === "{") depth++;
        else if (ch === "}") depth--;
      }
      out += MARKER;
      i = j - 1;
      continue;
    }
    out += template[i];
  }
  return out;
}

/** True for a string produced from an interpolation by {@link replaceInterpolations}. */
export function holdsUnknown(value: string): boolean {
  return value.includes(MARKER);
}

export class PlanGraph {
  readonly nodes: readonly ResourceNode[];
  /** Changes to objects Terraform keeps as deposed (a failed create-before-destroy), by address. */
  readonly deposed: readonly ResourceNode[];
  private readonly byAddress = new Map<string, ResourceNode>();
  private readonly byConfig = new Map<string, ResourceNode[]>();
  private readonly modules = new Map<string, ModuleConfig>();
  private readonly resourceConfig = new Map<string, JsonObject>();

  constructor(plan: unknown) {
    if (!isObject(plan))
      throw new PlanFormatError(`not a Terraform plan JSON: expected an object, got ${describe(plan)}`);
    if (typeof plan.format_version !== "string" || !("resource_changes" in plan || "planned_values" in plan)) {
      const what =
        "values" in plan
          ? "a state (terraform show -json without a plan file)"
          : "an object without format_version and resource_changes";
      throw new PlanFormatError(`not a Terraform plan JSON (terraform show -json <planfile>): got ${what}`);
    }
    if ("resource_changes" in plan && !Array.isArray(plan.resource_changes)) {
      throw new PlanFormatError("not a Terraform plan JSON: resource_changes is not a list");
    }
    this.indexConfiguration(asObject(asObject(plan.configuration).root_module), []);

    const nodes: ResourceNode[] = [];
    const deposed: ResourceNode[] = [];
    for (const raw of asArray(plan.resource_changes)) {
      const node = this.nodeFromChange(raw);
      if (!node) continue;
      if (node.deposed !== undefined) deposed.push(node);
      else if (!this.byAddress.has(node.address)) {
        nodes.push(node);
        this.byAddress.set(node.address, node);
      }
    }
    // Data sources Terraform could read while planning are not in resource_changes, only in prior_state.
    const walkState = (module: JsonObject): void => {
      for (const raw of asArray(module.resources)) {
        const resource = asObject(raw);
        if (resource.mode !== "data" || typeof resource.address !== "string" || this.byAddress.has(resource.address))
          continue;
        const node = this.makeNode(
          resource.address,
          "data",
          String(resource.type),
          ["read"],
          true,
          asObject(resource.values),
          false,
          null,
          {},
        );
        nodes.push(node);
        this.byAddress.set(node.address, node);
      }
      for (const child of asArray(module.child_modules)) walkState(asObject(child));
    };
    walkState(asObject(asObject(asObject(plan.prior_state).values).root_module));

    this.nodes = nodes;
    this.deposed = deposed;
    for (const node of nodes) {
      const list = this.byConfig.get(node.configAddress) ?? [];
      list.push(node);
      this.byConfig.set(node.configAddress, list);
    }
  }

  private indexConfiguration(module: JsonObject, path: string[]): void {
    const config: ModuleConfig = {
      resources: asArray(module.resources).filter(isObject),
      module_calls: asObject(module.module_calls) as Record<string, JsonObject>,
      outputs: asObject(module.outputs) as Record<string, JsonObject>,
    };
    this.modules.set(path.join("."), config);
    for (const resource of config.resources) {
      if (typeof resource.address === "string")
        this.resourceConfig.set(modulePrefix(path) + resource.address, resource);
    }
    for (const [name, call] of Object.entries(config.module_calls)) {
      this.indexConfiguration(asObject(asObject(call).module), [...path, name]);
    }
  }

  private nodeFromChange(raw: unknown): ResourceNode | undefined {
    const rc = asObject(raw);
    const change = asObject(rc.change);
    if (typeof rc.address !== "string" || typeof rc.type !== "string") return undefined;
    const actions = asArray(change.actions).filter((action): action is string => typeof action === "string");
    const after = isObject(change.after) ? change.after : null;
    const before = isObject(change.before) ? change.before : null;
    const removed =
      after === null || (actions.length > 0 && actions.every((action) => action === "delete" || action === "forget"));
    const mode = rc.mode === "data" ? "data" : "managed";
    return this.makeNode(
      rc.address,
      mode,
      rc.type,
      actions,
      !removed,
      (removed ? before : after) ?? {},
      removed ? false : change.after_unknown,
      before,
      {
        actionReason: typeof rc.action_reason === "string" ? rc.action_reason : undefined,
        replacePaths: asArray(change.replace_paths).map(asArray),
        deposed: typeof rc.deposed === "string" ? rc.deposed : undefined,
      },
    );
  }

  private makeNode(
    address: string,
    mode: "managed" | "data",
    type: string,
    actions: string[],
    live: boolean,
    values: JsonObject,
    unknown: unknown,
    before: JsonObject | null,
    extra: { actionReason?: string | undefined; replacePaths?: unknown[][]; deposed?: string | undefined },
  ): ResourceNode {
    const configAddress = stripInstanceKeys(address);
    const config = this.resourceConfig.get(configAddress);
    return {
      address,
      configAddress,
      modulePath: modulePathOf(configAddress),
      mode,
      type,
      kind: mode === "data" ? `data.${type}` : type,
      actions,
      live,
      values,
      unknown,
      before,
      expressions: config ? asObject(config.expressions) : undefined,
      actionReason: extra.actionReason,
      replacePaths: extra.replacePaths ?? [],
      deposed: extra.deposed,
    };
  }

  /** Live nodes of the given kinds (`aws_sqs_queue`, `data.aws_iam_policy_document`), in plan order. */
  live(...kinds: string[]): ResourceNode[] {
    return this.nodes.filter((node) => node.live && kinds.includes(node.kind));
  }

  node(address: string): ResourceNode | undefined {
    return this.byAddress.get(address);
  }

  /** An attribute's planned value, or what the configuration says about it when unknown. */
  attribute(node: ResourceNode, name: string): Attribute {
    const mask = isObject(node.unknown) ? node.unknown[name] : node.unknown;
    const expression = node.expressions?.[name];
    if (mask === true) return { known: false, configured: expression !== undefined, expression };
    return { known: true, value: node.values[name] ?? null };
  }

  /**
   * A value as far as it can be told: the planned value when known, else a configuration constant
   * without interpolations, else undefined.
   */
  valueOf(node: ResourceNode, name: string): unknown {
    const attribute = this.attribute(node, name);
    if (attribute.known) return attribute.value;
    return constantOf(attribute.expression);
  }

  /** A nested planned value (`["scaling_config", 0, "maximum_concurrency"]`), undefined when unknown or absent. */
  valueAt(node: ResourceNode, path: readonly (string | number)[]): unknown {
    let value: unknown = node.values;
    let mask: unknown = node.unknown;
    for (const key of path) {
      if (mask === true) return undefined;
      value = (value as Record<string | number, unknown> | null | undefined)?.[key];
      mask = typeof mask === "object" && mask !== null ? (mask as Record<string | number, unknown>)[key] : undefined;
    }
    return mask === true ? undefined : value;
  }

  /** True when the attribute is set: a known non-empty value, or a configured expression. */
  isSet(node: ResourceNode, name: string): boolean {
    const attribute = this.attribute(node, name);
    if (!attribute.known) return attribute.configured;
    const value = attribute.value;
    return value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
  }

  /** The configuration addresses an expression refers to, following module variables and outputs. */
  resolve(modulePath: readonly string[], expression: unknown, depth = 0): string[] {
    const found = new Set<string>();
    if (depth > 16) return [];
    for (const reference of collectReferences(expression)) {
      const parts = stripInstanceKeys(reference).split(".");
      const [head, second, third] = parts;
      if (head === undefined || second === undefined) continue;
      if (head === "var") {
        if (modulePath.length === 0) continue;
        const parent = modulePath.slice(0, -1);
        const call = this.modules.get(parent.join("."))?.module_calls[modulePath[modulePath.length - 1]!];
        const argument = asObject(asObject(call).expressions)[second];
        for (const address of this.resolve(parent, argument, depth + 1)) found.add(address);
      } else if (head === "module") {
        if (third === undefined) continue;
        const child = [...modulePath, second];
        const output = this.modules.get(child.join("."))?.outputs[third];
        for (const address of this.resolve(child, asObject(output).expression, depth + 1)) found.add(address);
      } else if (head === "data") {
        if (third !== undefined) found.add(`${modulePrefix(modulePath)}data.${second}.${third}`);
      } else if (!["local", "each", "count", "path", "terraform", "self"].includes(head)) {
        found.add(`${modulePrefix(modulePath)}${head}.${second}`);
      }
    }
    return [...found];
  }

  /** Live nodes of the given kinds that an expression refers to. */
  referenced(modulePath: readonly string[], expression: unknown, kinds: readonly string[]): ResourceNode[] {
    const out: ResourceNode[] = [];
    for (const address of this.resolve(modulePath, expression)) {
      for (const node of this.byConfig.get(address) ?? []) {
        if (node.live && kinds.includes(node.kind) && !out.includes(node)) out.push(node);
      }
    }
    return out;
  }

  /** Live nodes of the given kinds that a known ARN, URL, name or id designates. */
  matching(value: string, kinds: readonly string[]): ResourceNode[] {
    const names = new Set<string>([value]);
    const lambda = /:function:([^:]+)/.exec(value);
    if (lambda) names.add(lambda[1]!);
    else {
      names.add(value.slice(value.lastIndexOf(":") + 1));
      names.add(value.slice(value.lastIndexOf("/") + 1));
    }
    return this.nodes.filter((node) => {
      if (!node.live || !kinds.includes(node.kind)) return false;
      const v = node.values;
      if ([v.arn, v.url, v.id].includes(value)) return true;
      return [v.name, v.function_name].some((name) => typeof name === "string" && name !== "" && names.has(name));
    });
  }

  /**
   * The live nodes of the given kinds an attribute points at: by its known value (ARN, URL, name)
   * and by the references of its configuration expression, for values unknown until apply.
   */
  links(node: ResourceNode, name: string, kinds: readonly string[]): ResourceNode[] {
    const out: ResourceNode[] = [];
    const attribute = this.attribute(node, name);
    if (attribute.known) {
      const values = Array.isArray(attribute.value) ? attribute.value : [attribute.value];
      for (const value of values) {
        if (typeof value === "string" && value !== "") out.push(...this.matching(value, kinds));
      }
    }
    out.push(...this.referenced(node.modulePath, node.expressions?.[name], kinds));
    return [...new Set(out)].filter((other) => other !== node);
  }
}

/** A configuration constant without interpolations, or undefined. */
export function constantOf(expression: unknown): unknown {
  if (!isObject(expression) || !("constant_value" in expression)) return undefined;
  return isTemplate(expression.constant_value) ? undefined : expression.constant_value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? "a string" : typeof value;
}
