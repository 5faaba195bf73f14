/**
 * The lifecycle rule: a plan that destroys or replaces a resource that holds data loses it. Blocking
 * unless the environment is a configured non-production one (see environments.ts), and blocking in
 * every environment when the resource's own deletion protection is on: its owner declared it must stay.
 */
import { environmentJudgement, isNonProduction } from "../environments.js";
import type { ResourceNode } from "../plan-graph.js";
import { isStateful, STATEFUL } from "../resource-kinds.js";
import { json } from "../resource-values.js";
import type { Rule } from "../rule.js";
import type { FindingSeverity } from "../types.js";

/** Attributes that, true in the resource's last state, refuse a delete: the owner protected it. */
const DELETION_PROTECTION = ["deletion_protection_enabled", "deletion_protection"];
/** Attributes that, true, make terraform forget the object instead of deleting it: nothing is lost. */
const KEPT_ON_DESTROY = ["skip_destroy"];

export const statefulDestroy: Rule = {
  id: "stateful-destroy",
  severity: "blocking",
  reason:
    "Destroying or replacing a resource that holds data loses it (advisory only in a configured non-production environment).",
  check: ({ graph }, options) =>
    [...graph.nodes, ...graph.deposed]
      .filter(
        (node) =>
          node.mode === "managed" &&
          node.actions.includes("delete") &&
          !KEPT_ON_DESTROY.some((name) => node.before?.[name] === true),
      )
      .flatMap((node) => {
        const kind = isStateful(node.type) ? STATEFUL[node.type] : undefined;
        if (kind === undefined) return [];
        const address = node.address + (node.deposed ? ` (deposed ${node.deposed})` : "");
        const name = node.before?.name ?? node.before?.bucket;
        const protection = DELETION_PROTECTION.find((attribute) => node.before?.[attribute] === true);
        const severity: FindingSeverity =
          protection === undefined && isNonProduction(options.environment) ? "advisory" : "blocking";
        const why = protection
          ? `blocking in every environment: its ${protection} is on, and the apply will fail`
          : `${severity}: ${environmentJudgement(options.environment)}`;
        return {
          address,
          severity,
          message:
            `${address}${typeof name === "string" ? ` (${json(name)})` : ""} will be ${what(node)}${because(node)}: ${kind.lost}; ` +
            `expected an in-place change, or a migration that moves the ${kind.moved} first (${why})`,
        };
      }),
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
