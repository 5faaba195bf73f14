/**
 * Every resource instance of a plan as the rules see it: its planned values (or its last ones, when the
 * plan deletes it), which of them are unknown until apply, and its configuration expressions.
 */
import type { JsonObject, PlanJson, ResourceChange, StateModule } from "../plan-json.js";
import { instanceAddress } from "./addresses.js";
import type { ConfigurationIndex } from "./references.js";

export interface ResourceNode {
  /** The instance address, e.g. `module.app["a"].aws_sqs_queue.work[0]`. */
  readonly address: string;
  /** The configuration address, without instance keys: `module.app.aws_sqs_queue.work`. */
  readonly configAddress: string;
  /** Module call names from the root, e.g. `["app"]`. */
  readonly modulePath: readonly string[];
  /** Each module call's instance key as printed (`"a"`), undefined for a call without count or for_each. */
  readonly moduleKeys: readonly (string | undefined)[];
  /** The instance key as printed (`"fast"`, `0`), undefined without count or for_each. */
  readonly key: string | undefined;
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

/**
 * The plan's resource nodes in plan order (the first change of an address wins), and apart the changes
 * to deposed objects. Data sources Terraform could read while planning are not in `resource_changes`,
 * only in `prior_state`: they are nodes too.
 */
export function resourceNodes(
  plan: PlanJson,
  configuration: ConfigurationIndex,
): { nodes: ResourceNode[]; deposed: ResourceNode[] } {
  const nodes = new Map<string, ResourceNode>();
  const deposed: ResourceNode[] = [];
  for (const change of plan.resource_changes ?? []) {
    const node = nodeFromChange(change, configuration);
    if (node.deposed !== undefined) deposed.push(node);
    else if (!nodes.has(node.address)) nodes.set(node.address, node);
  }
  const walkState = (module: StateModule): void => {
    for (const resource of module.resources ?? []) {
      if (resource.mode !== "data" || nodes.has(resource.address)) continue;
      nodes.set(
        resource.address,
        makeNode(configuration, {
          address: resource.address,
          mode: "data",
          type: resource.type,
          actions: ["read"],
          live: true,
          values: resource.values ?? {},
          unknown: false,
          before: null,
        }),
      );
    }
    for (const child of module.child_modules ?? []) walkState(child);
  };
  walkState(plan.prior_state?.values?.root_module ?? {});
  return { nodes: [...nodes.values()], deposed };
}

function nodeFromChange(change: ResourceChange, configuration: ConfigurationIndex): ResourceNode {
  const { actions } = change.change;
  const after = isObject(change.change.after) ? change.change.after : null;
  const before = isObject(change.change.before) ? change.change.before : null;
  const removed =
    after === null || (actions.length > 0 && actions.every((action) => action === "delete" || action === "forget"));
  return makeNode(configuration, {
    address: change.address,
    mode: change.mode,
    type: change.type,
    actions,
    live: !removed,
    values: (removed ? before : after) ?? {},
    unknown: removed ? false : change.change.after_unknown,
    before,
    actionReason: change.action_reason,
    replacePaths: change.change.replace_paths ?? [],
    deposed: change.deposed,
  });
}

type NodeFields = Pick<
  ResourceNode,
  "address" | "mode" | "type" | "actions" | "live" | "values" | "unknown" | "before"
> &
  Partial<Pick<ResourceNode, "actionReason" | "replacePaths" | "deposed">>;

function makeNode(configuration: ConfigurationIndex, fields: NodeFields): ResourceNode {
  const { configAddress, modulePath, moduleKeys, key } = instanceAddress(fields.address);
  return {
    ...fields,
    configAddress,
    modulePath,
    moduleKeys,
    key,
    kind: fields.mode === "data" ? `data.${fields.type}` : fields.type,
    expressions: configuration.expressionsOf(configAddress),
    actionReason: fields.actionReason,
    replacePaths: fields.replacePaths ?? [],
    deposed: fields.deposed,
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
