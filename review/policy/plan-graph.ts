/**
 * A read-only view of a Terraform plan that the rules query: the resource nodes, what an attribute is
 * (a known value, or unknown and maybe configured), and which other resources an attribute points at,
 * through known ARNs, URLs and names or through configuration references.
 */
import type { PlanJson } from "../plan-json.js";
import { constantOf } from "./expressions.js";
import { ConfigurationIndex } from "./references.js";
import { type ResourceNode, resourceNodes } from "./resource-nodes.js";

export type { ResourceNode } from "./resource-nodes.js";

/** What an attribute is in the plan: a known value, or unknown and maybe configured. */
export type Attribute =
  | { readonly known: true; readonly value: unknown }
  | { readonly known: false; readonly configured: boolean; readonly expression: unknown };

export class PlanGraph {
  readonly nodes: readonly ResourceNode[];
  /** Changes to objects Terraform keeps as deposed (a failed create-before-destroy). */
  readonly deposed: readonly ResourceNode[];
  private readonly configuration: ConfigurationIndex;
  private readonly byConfig = new Map<string, ResourceNode[]>();

  constructor(plan: PlanJson) {
    this.configuration = new ConfigurationIndex(plan);
    const { nodes, deposed } = resourceNodes(plan, this.configuration);
    this.nodes = nodes;
    this.deposed = deposed;
    for (const node of nodes) {
      const list = this.byConfig.get(node.configAddress) ?? [];
      list.push(node);
      this.byConfig.set(node.configAddress, list);
    }
  }

  /** Live nodes of the given kinds (`aws_sqs_queue`, `data.aws_iam_policy_document`), in plan order. */
  live(...kinds: string[]): ResourceNode[] {
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

  /** The configuration addresses an expression refers to, following module variables and outputs. */
  resolve(modulePath: readonly string[], expression: unknown): string[] {
    return this.configuration.resolve(modulePath, expression);
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
    const lambda = /:function:([^:]+)/.exec(value)?.[1];
    if (lambda !== undefined) names.add(lambda);
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
