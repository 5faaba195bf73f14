/**
 * A read-only view of a Terraform plan that the rules query: the resource nodes, what an attribute is
 * (a known value, or unknown and maybe configured), and which other resources an attribute points at,
 * through known ARNs, URLs and names or through configuration references, instance by instance.
 */
import type { PlanJson } from "../plan-json.js";
import { constantOf } from "./expressions.js";
import { ANY_KEY, ConfigurationIndex, type KeySelector, type Scope, type Target } from "./references.js";
import { type ResourceNode, resourceNodes } from "./resource-nodes.js";

export type { ResourceNode } from "./resource-nodes.js";

/** What an attribute is in the plan: a known value, or unknown and maybe configured. */
export type Attribute =
  | { readonly known: true; readonly value: unknown }
  | { readonly known: false; readonly configured: boolean; readonly expression: unknown };

/**
 * The resources an attribute points at: `exact` ones for certain, `possible` ones where it refers to a
 * collection without saying which instance (each is maybe the one). A rule never pairs a possible
 * link as if it were certain, nor lets one satisfy a requirement.
 */
export interface Links {
  readonly exact: readonly ResourceNode[];
  readonly possible: readonly ResourceNode[];
}

export const NO_LINKS: Links = Object.freeze({ exact: [], possible: [] });

/** Every node of a set of links, certain or possible. */
export function linked(links: Links): ResourceNode[] {
  return [...links.exact, ...links.possible];
}

export class PlanGraph {
  readonly nodes: readonly ResourceNode[];
  /** Changes to objects Terraform keeps as deposed (a failed create-before-destroy). */
  readonly deposed: readonly ResourceNode[];
  private readonly configuration: ConfigurationIndex;
  /** Live instances by configuration address. */
  private readonly byConfig = new Map<string, ResourceNode[]>();
  /** Live instances by configuration address and keys ({@link instanceId}). */
  private readonly byInstance = new Map<string, ResourceNode>();
  /** Candidates of a target that names no single instance, shared by every reference to it. */
  private readonly candidates = new Map<string, readonly ResourceNode[]>();
  private readonly scopes = new WeakMap<ResourceNode, Scope>();
  private readonly liveByKind = new Map<string, ResourceNode[]>();
  private readonly positions = new Map<ResourceNode, number>();
  private identifiers: Map<string, ResourceNode[]> | undefined;
  private names: Map<string, ResourceNode[]> | undefined;

  constructor(plan: PlanJson) {
    this.configuration = new ConfigurationIndex(plan);
    const { nodes, deposed } = resourceNodes(plan, this.configuration);
    this.nodes = nodes;
    this.deposed = deposed;
    for (const [index, node] of nodes.entries()) {
      this.positions.set(node, index);
      if (!node.live) continue;
      push(this.byConfig, node.configAddress, node);
      push(this.liveByKind, node.kind, node);
      this.byInstance.set(instanceId(node.configAddress, node.moduleKeys, node.key), node);
    }
  }

  /** Live nodes of the given kinds (`aws_sqs_queue`, `data.aws_iam_policy_document`), in plan order. */
  live(...kinds: string[]): ResourceNode[] {
    if (kinds.length === 1) return [...(this.liveByKind.get(kinds[0] ?? "") ?? [])];
    return this.nodes.filter((node) => node.live && kinds.includes(node.kind));
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

  /** The configuration addresses an expression of a node refers to, following module variables and outputs. */
  resolve(node: ResourceNode, expression: unknown): string[] {
    return [
      ...new Set(this.configuration.resolve(this.scopeOf(node), expression).map((target) => target.configAddress)),
    ];
  }

  /** Live nodes of the given kinds that an expression of a node refers to, instance by instance. */
  referenced(node: ResourceNode, expression: unknown, kinds: readonly string[]): Links {
    const exact = new Set<ResourceNode>();
    const possible = new Set<ResourceNode>();
    for (const target of this.configuration.resolve(this.scopeOf(node), expression)) {
      const found = this.instancesOf(target);
      const certain = found.length === 1 && !target.uncertain;
      for (const other of found) if (kinds.includes(other.kind)) (certain ? exact : possible).add(other);
    }
    return links(exact, possible);
  }

  /**
   * The live nodes of the given kinds an expression of a node is exactly the `attribute` of, one per
   * element (`data.aws_iam_policy_document.p.json`, `[aws_iam_policy.a.arn, aws_iam_policy.b.arn]`);
   * undefined when it may be anything more: another reference, a template with more than the
   * reference, a collection whose instance the plan does not say.
   */
  exactly(
    node: ResourceNode,
    expression: unknown,
    attribute: string,
    kinds: readonly string[],
  ): ResourceNode[] | undefined {
    const targets = this.configuration.exactly(this.scopeOf(node), expression, attribute);
    if (targets === undefined) return undefined;
    const out: ResourceNode[] = [];
    for (const target of targets) {
      const found = this.instancesOf(target);
      const only = found[0];
      if (found.length !== 1 || only === undefined || target.uncertain || !kinds.includes(only.kind)) return undefined;
      out.push(only);
    }
    return out;
  }

  /** Live nodes of the given kinds that a known ARN, URL, name or id designates. */
  matching(value: string, kinds: readonly string[]): ResourceNode[] {
    const { identifiers, names } = this.valueIndex();
    const found = new Set(identifiers.get(value) ?? []);
    const lambda = /:function:([^:]+)/.exec(value)?.[1];
    const candidates =
      lambda !== undefined
        ? [value, lambda]
        : [value, value.slice(value.lastIndexOf(":") + 1), value.slice(value.lastIndexOf("/") + 1)];
    for (const name of new Set(candidates)) for (const node of names.get(name) ?? []) found.add(node);
    return [...found].filter((node) => kinds.includes(node.kind)).sort((a, b) => this.order(a) - this.order(b));
  }

  /**
   * The live nodes of the given kinds an attribute points at: by its known value (ARN, URL, name)
   * and by the references of its configuration expression, for values unknown until apply.
   */
  links(node: ResourceNode, name: string, kinds: readonly string[]): Links {
    const exact = new Set<ResourceNode>();
    const attribute = this.attribute(node, name);
    if (attribute.known) {
      const values = Array.isArray(attribute.value) ? attribute.value : [attribute.value];
      for (const value of values) {
        if (typeof value === "string" && value !== "")
          for (const other of this.matching(value, kinds)) exact.add(other);
      }
    }
    const referenced = this.referenced(node, node.expressions?.[name], kinds);
    for (const other of referenced.exact) exact.add(other);
    // A known value that designates something says which instance it is: the references add no guess.
    const possible = attribute.known && exact.size > 0 ? [] : referenced.possible;
    exact.delete(node);
    return links(
      exact,
      possible.filter((other) => other !== node),
    );
  }

  /** A node's place in plan order. */
  private order(node: ResourceNode): number {
    return this.positions.get(node) ?? Number.MAX_SAFE_INTEGER;
  }

  /** Where a node's expressions are evaluated: its module instance, its key and its for_each. */
  private scopeOf(node: ResourceNode): Scope {
    let scope = this.scopes.get(node);
    if (scope === undefined) {
      const strict = (token: string | undefined): KeySelector => ({ token, loose: false });
      scope = {
        modules: node.modulePath.map((name, index) => ({ name, key: strict(node.moduleKeys[index]) })),
        key: strict(node.key),
        forEach: this.configuration.forEachOf(node.configAddress),
      };
      this.scopes.set(node, scope);
    }
    return scope;
  }

  /** The live instances a target designates: by their keys, a loose key falling back to any. */
  private instancesOf(target: Target): readonly ResourceNode[] {
    const selectors = [...target.modules, target.key];
    const tokens: (string | undefined)[] = [];
    let guessed = false;
    for (const selector of selectors) {
      if (selector === ANY_KEY) break;
      tokens.push(selector.token);
      guessed ||= selector.loose;
    }
    if (tokens.length === selectors.length) {
      const node = this.byInstance.get(instanceId(target.configAddress, tokens.slice(0, -1), tokens.at(-1)));
      if (node !== undefined) return [node];
      if (!guessed) return [];
    }
    const strict = this.select(target.configAddress, selectors, false);
    return strict.length > 0 ? strict : this.select(target.configAddress, selectors, true);
  }

  private select(
    configAddress: string,
    selectors: readonly KeySelector[],
    looseAsAny: boolean,
  ): readonly ResourceNode[] {
    const cacheKey = JSON.stringify([configAddress, selectors, looseAsAny]);
    let found = this.candidates.get(cacheKey);
    if (found === undefined) {
      const matches = (selector: KeySelector | undefined, token: string | undefined) =>
        selector === undefined || selector === ANY_KEY || (looseAsAny && selector.loose) || selector.token === token;
      found = (this.byConfig.get(configAddress) ?? []).filter(
        (node) =>
          node.moduleKeys.every((token, index) => matches(selectors[index], token)) &&
          matches(selectors.at(-1), node.key),
      );
      this.candidates.set(cacheKey, found);
    }
    return found;
  }

  /** Live nodes by their known ARN, URL and id, and by their known name or function name. */
  private valueIndex(): { identifiers: Map<string, ResourceNode[]>; names: Map<string, ResourceNode[]> } {
    if (this.identifiers === undefined || this.names === undefined) {
      this.identifiers = new Map();
      this.names = new Map();
      for (const node of this.nodes) {
        if (!node.live) continue;
        const v = node.values;
        for (const value of new Set([v.arn, v.url, v.id]))
          if (typeof value === "string" && value !== "") push(this.identifiers, value, node);
        for (const value of new Set([v.name, v.function_name]))
          if (typeof value === "string" && value !== "") push(this.names, value, node);
      }
    }
    return { identifiers: this.identifiers, names: this.names };
  }
}

/** One string per instance: its configuration address and its keys as printed. */
function instanceId(
  configAddress: string,
  moduleKeys: readonly (string | undefined)[],
  key: string | undefined,
): string {
  return JSON.stringify([configAddress, moduleKeys.map((token) => token ?? null), key ?? null]);
}

function links(exact: ReadonlySet<ResourceNode>, possible: Iterable<ResourceNode>): Links {
  const maybe = [...possible].filter((node) => !exact.has(node));
  return exact.size === 0 && maybe.length === 0 ? NO_LINKS : { exact: [...exact], possible: maybe };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
