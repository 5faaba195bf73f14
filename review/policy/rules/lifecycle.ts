/** The lifecycle rule: a plan that destroys or replaces a queue or a table loses what it holds. */
import type { ResourceNode } from "../plan-graph.js";
import { QUEUE } from "../resource-kinds.js";
import { json } from "../resource-values.js";
import type { Rule } from "../rule.js";
import type { FindingSeverity } from "../types.js";

const TABLE = "aws_dynamodb_table";

export const statefulDestroy: Rule = {
  id: "stateful-destroy",
  severity: "blocking",
  reason: "Destroying or replacing a queue or table loses its messages or data (blocking in prod, advisory elsewhere).",
  check: ({ graph }, options) => {
    const severity: FindingSeverity = options.environment === "prod" ? "blocking" : "advisory";
    return [...graph.nodes, ...graph.deposed]
      .filter(
        (node) =>
          node.mode === "managed" && node.actions.includes("delete") && (node.type === QUEUE || node.type === TABLE),
      )
      .map((node) => {
        const address = node.address + (node.deposed ? ` (deposed ${node.deposed})` : "");
        const name = node.before?.name;
        const lost = node.type === QUEUE ? "its messages are lost" : "its items are lost";
        const protectedTable =
          node.type === TABLE && node.before?.deletion_protection_enabled === true
            ? " (deletion protection is on: the apply will fail)"
            : "";
        return {
          address,
          severity,
          message:
            `${address}${typeof name === "string" ? ` (${json(name)})` : ""} will be ${what(node)}${because(node)}: ${lost}${protectedTable}; ` +
            `expected an in-place change, or a migration that moves the ${node.type === QUEUE ? "messages" : "data"} first` +
            (severity === "advisory" ? ` (blocking in prod)` : ""),
        };
      });
  },
};

function what(node: ResourceNode): string {
  const create = node.actions.indexOf("create");
  if (create === -1) return "destroyed";
  return create > node.actions.indexOf("delete")
    ? "replaced (destroyed, then created)"
    : "replaced (created, then the old one destroyed)";
}

function because(node: ResourceNode): string {
  const paths = node.replacePaths.map((path) =>
    path
      .map((step) => (typeof step === "number" ? `[${step}]` : String(step)))
      .join(".")
      .replace(/\.\[/g, "["),
  );
  switch (node.actionReason) {
    case "replace_because_cannot_update":
      return paths.length > 0
        ? ` because ${paths.join(", ")} cannot change in place`
        : " because a change cannot be made in place";
    case "replace_because_tainted":
      return " because it is tainted";
    case "replace_by_request":
      return " because a replace was requested";
    case "replace_by_triggers":
      return " because of replace_triggered_by";
    case "delete_because_no_resource_config":
      return " because its configuration was removed";
    case "delete_because_no_module":
      return " because its module was removed";
    case "delete_because_count_index":
    case "delete_because_each_key":
      return " because its count index or for_each key is gone";
    case "delete_because_wrong_repetition":
      return " because its count or for_each changed";
    case undefined:
      return paths.length > 0 ? ` because ${paths.join(", ")} cannot change in place` : "";
    default:
      return ` (${node.actionReason})`;
  }
}
