/** Reading the values rules compare, with Terraform's and AWS's defaults where the plan leaves them out. */
import type { PlanGraph, ResourceNode } from "./plan-graph.js";

/** Whether a queue is FIFO, from its flag or its name; undefined when the plan cannot tell. */
export function isFifo(graph: PlanGraph, queue: ResourceNode): boolean | undefined {
  const flag = graph.valueOf(queue, "fifo_queue");
  if (typeof flag === "boolean") return flag;
  const name = graph.valueOf(queue, "name");
  if (typeof name === "string") return name.endsWith(".fifo");
  return flag === null ? false : undefined;
}

/** A number attribute, `fallback` when unset; undefined when it is configured but unknown. */
export function numberOf(graph: PlanGraph, node: ResourceNode, name: string, fallback: number): number | undefined {
  const value = graph.valueOf(node, name);
  if (typeof value === "number") return value;
  if (value === null) return fallback;
  const attribute = graph.attribute(node, name);
  return !attribute.known && !attribute.configured ? fallback : undefined;
}

/** True when the plan's configuration shows the attribute is not set (so its value is the default). */
export function unset(node: ResourceNode, name: string): boolean {
  return node.expressions !== undefined && node.expressions[name] === undefined;
}

/** A value as it appears in a message. */
export const json = (value: unknown): string => JSON.stringify(value);

/** How many addresses a message lists before it only counts the rest. */
const LISTED = 5;

/** Addresses as a message lists them, each once: `a, b and 3 more`. */
export function listOf(addresses: Iterable<string>): string {
  const unique = [...new Set(addresses)];
  if (unique.length <= LISTED) return unique.join(", ");
  return `${unique.slice(0, LISTED).join(", ")} and ${unique.length - LISTED} more`;
}
