/**
 * The IAM rules: Allow statements of identity policies name exact actions on exact resources. A
 * wildcard is any `*` or `?` in an action or a resource ARN, and any NotAction or NotResource of an
 * Allow (it grants everything but what it names). A policy or an element the plan cannot show is
 * judged as a wildcard: it may be one. A statement whose Sid starts with `DeliberateWildcard` states
 * a deliberate exception: it is reported as advisory instead, so that a reviewer still sees it.
 */
import { IAM, S3 } from "../../../functions/runtime/aws-limits.js";
import { constantOf, holdsUnknown, referencesOf, showTemplate, soleInterpolation } from "../expressions.js";
import type { PlanGraph, ResourceNode } from "../plan-graph.js";
import { type PolicyReading, readPolicy, type Statement } from "../policy-statements.js";
import { json } from "../resource-values.js";
import type { Rule, Violation } from "../rule.js";

/** The Sid prefix of a deliberate exception; the construct's `addToRolePolicy` uses the same one. */
const DELIBERATE_WILDCARD_SID = "DeliberateWildcard";

/** X-Ray's write actions support no resource-level permissions: `*` is their only resource. */
const UNSCOPED_ACTIONS = IAM.actionsWithoutResourceLevelPermissions.map((action) => action.toLowerCase());
/**
 * Lambda names a function's log streams at run time, so a function writes to the streams of its own
 * log group: `<log group ARN>:log-stream:*`, for these actions only (the construct's WriteOwnLogs).
 */
const LOG_STREAM_ACTIONS = ["logs:createlogstream", "logs:putlogevents"];
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^*?]+$/;
const LOG_STREAMS_SUFFIX = ":log-stream:*";
/**
 * Storing objects under one prefix of one bucket, `<bucket ARN>/<prefix>*`, for this action only (the
 * construct's StoreDeadLetters: the archiver names its keys at run time). The prefix is not empty and
 * holds no wildcard of its own; the bucket is a named bucket's ARN or one interpolated reference.
 */
const OBJECT_WRITE_ACTIONS = ["s3:putobject"];
const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IDENTITY_POLICIES = ["aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_policy"];
const ATTACHMENTS = [
  "aws_iam_role_policy_attachment",
  "aws_iam_user_policy_attachment",
  "aws_iam_group_policy_attachment",
  "aws_iam_policy_attachment",
];
/** Resources that attach a set of managed policies, and the attribute that holds their ARNs. */
const ATTACHED_SETS: readonly (readonly [kind: string, attribute: string])[] = [
  ["aws_iam_role", "managed_policy_arns"],
  ["aws_iam_role_policy_attachments_exclusive", "policy_arns"],
  ["aws_iam_user_policy_attachments_exclusive", "policy_arns"],
  ["aws_iam_group_policy_attachments_exclusive", "policy_arns"],
];
const LOG_GROUP = "aws_cloudwatch_log_group";
const BUCKET = "aws_s3_bucket";
const POLICY = "aws_iam_policy";
const EXPECTED =
  `expected exact actions on exact resource ARNs ("*" only for ${IAM.actionsWithoutResourceLevelPermissions.join(", ")}), ` +
  `or a statement whose Sid starts with ${DELIBERATE_WILDCARD_SID} for a deliberate exception`;

export const iamWildcard: Rule = {
  id: "iam-wildcard",
  severity: "blocking",
  reason:
    "Allow statements name exact actions on exact ARNs (no *, ?, NotAction, NotResource, or policy the plan cannot show).",
  check: ({ graph }) => judged(graph).wildcards,
};

export const iamWildcardException: Rule = {
  id: "iam-wildcard-exception",
  severity: "advisory",
  reason: `A wildcard in a statement whose Sid starts with ${DELIBERATE_WILDCARD_SID}: allowed, and shown for review.`,
  check: ({ graph }) => judged(graph).exceptions,
};

/** Both rules read the same policies: once per plan. */
const cache = new WeakMap<PlanGraph, { wildcards: Violation[]; exceptions: Violation[] }>();

function judged(graph: PlanGraph): { wildcards: Violation[]; exceptions: Violation[] } {
  const cached = cache.get(graph);
  if (cached) return cached;
  const result = { wildcards: [] as Violation[], exceptions: [] as Violation[] };
  const judge = (address: string, reading: PolicyReading) => {
    if (reading.unreadable !== undefined) {
      result.wildcards.push({
        address,
        message:
          `${address} has a policy the plan cannot show (${reading.unreadable}); the plan cannot show what it grants, ` +
          "which may be anything; expected a policy whose statements the plan shows (JSON known at plan, a JSON " +
          "template, or exactly an aws_iam_policy_document's json)",
      });
      return;
    }
    for (const statement of reading.statements) {
      const found = wildcardsIn(graph, statement);
      if (found.length === 0) continue;
      const origin = `statement ${statement.sid ? json(statement.sid) : "without Sid"}${statement.source === address ? "" : ` of ${statement.source}`}`;
      if (statement.sid?.startsWith(DELIBERATE_WILDCARD_SID)) {
        result.exceptions.push({
          address,
          message: `${address} allows ${found.join(" and ")} in ${origin}, a deliberate exception (Sid starts with ${DELIBERATE_WILDCARD_SID}); check that it is needed`,
        });
      } else {
        result.wildcards.push({
          address,
          message: `${address} allows ${found.join(" and ")} in ${origin}; ${EXPECTED}`,
        });
      }
    }
  };
  for (const node of graph.live(...IDENTITY_POLICIES)) {
    const attribute = graph.attribute(node, "policy");
    judge(node.address, readPolicy(graph, node, attribute, attribute.known ? undefined : attribute.expression));
  }
  for (const role of graph.live("aws_iam_role")) {
    const inline = graph.attribute(role, "inline_policy");
    const configured = Array.isArray(role.expressions?.inline_policy)
      ? (role.expressions.inline_policy as Record<string, unknown>[])
      : [];
    const blocks = graph.valueAt(role, ["inline_policy"]);
    if (!Array.isArray(blocks)) {
      // Unknown as a whole: only its configuration can tell what it grants.
      if (!inline.known)
        configured.forEach((config) => {
          judge(role.address, readPolicy(graph, role, { known: false }, config.policy));
        });
      // With no block the plan shows, an unknown inline_policy is a new role's computed one. A `dynamic
      // "inline_policy"` is not in the plan's configuration, and looks the same (see the README).
      continue;
    }
    blocks.forEach((block: Record<string, unknown> | null, index) => {
      const policy = graph.valueAt(role, ["inline_policy", index, "policy"]);
      if (policy !== undefined) {
        judge(role.address, readPolicy(graph, role, { known: true, value: policy }, undefined));
        return;
      }
      const byName = configured.find((config) => block !== null && constantOf(config.name) === block.name);
      const expression = (byName ?? configured[index])?.policy;
      judge(role.address, readPolicy(graph, role, { known: false }, expression));
    });
  }
  // An attached policy is judged where the plan shows it (its aws_iam_policy); one it does not show
  // (an AWS managed policy, one made elsewhere) may grant anything.
  const attaches = (address: string, what: string) =>
    result.wildcards.push({
      address,
      message:
        `${address} attaches ${what}, a policy the plan does not show (an AWS managed policy, or one made elsewhere); ` +
        "it may grant anything; expected an aws_iam_policy of this plan, or an inline policy, whose statements the plan shows",
    });
  for (const attachment of graph.live(...ATTACHMENTS)) {
    const attribute = graph.attribute(attachment, "policy_arn");
    if (attribute.known) {
      if (typeof attribute.value !== "string" || !isPlanPolicy(graph, attribute.value))
        attaches(
          attachment.address,
          typeof attribute.value === "string" ? json(attribute.value) : "an ARN that is not a string",
        );
    } else if (graph.exactly(attachment, attribute.expression, "arn", [POLICY])?.length !== 1) {
      attaches(attachment.address, `a policy known only after apply${referring(attribute.expression)}`);
    }
  }
  for (const [kind, name] of ATTACHED_SETS)
    for (const node of graph.live(kind)) {
      for (const what of unshownPolicies(graph, node, name)) attaches(node.address, `${what} (${name})`);
    }
  cache.set(graph, result);
  return result;
}

/** What an Allow statement grants beyond exact actions on exact resources, in words; empty when nothing. */
function wildcardsIn(graph: PlanGraph, statement: Statement): string[] {
  if (statement.effect === "Deny") return [];
  const found: string[] = [];
  if (statement.effect !== "Allow")
    found.push(
      `Effect ${statement.effect === undefined ? "missing or known only after apply" : json(statement.effect)} (read as Allow)`,
    );
  if (statement.unexpectedKeys.length > 0)
    found.push(
      `${plural(statement.unexpectedKeys.length, "element")} ${statement.unexpectedKeys.map(json).join(", ")} that IAM does not define (element names are case-sensitive: Action, NotAction, Resource, NotResource, ...)`,
    );
  if (statement.notActions.length > 0) found.push(`NotAction ${list(statement.notActions)} (every other action)`);
  if (statement.notResources.length > 0)
    found.push(`NotResource ${list(statement.notResources)} (every other resource)`);

  const actions = statement.actions.map((action) => (action === undefined ? undefined : action.toLowerCase()));
  const unknownActions = statement.actions.filter((action) => action === undefined || holdsUnknown(action));
  const wildcardActions = statement.actions.filter(
    (action): action is string => action !== undefined && !holdsUnknown(action) && isWildcard(action),
  );
  if (unknownActions.length > 0)
    found.push(`${plural(unknownActions.length, "action")} ${list(unknownActions)} known only after apply`);
  if (wildcardActions.length > 0) found.push(`${plural(wildcardActions.length, "action")} ${list(wildcardActions)}`);

  const only = (allowed: readonly string[]) =>
    actions.length > 0 && actions.every((action) => action !== undefined && allowed.includes(action));
  const unscoped = only(UNSCOPED_ACTIONS);
  const logStreams = only(LOG_STREAM_ACTIONS);
  const objectWrites = only(OBJECT_WRITE_ACTIONS);
  const wildcardResources = statement.resources.filter(
    (resource): resource is string =>
      resource !== undefined &&
      isWildcard(literalParts(resource)) &&
      !(unscoped && resource === "*") &&
      !(logStreams && isOwnLogStreams(graph, statement.scope, resource)) &&
      !(objectWrites && isObjectsUnderPrefix(graph, statement.scope, resource)),
  );
  // A resource interpolated from another resource's attribute (its ARN) is exact; one the plan does
  // not show at all may be anything.
  const hidden = statement.resources.filter((resource) => resource === undefined);
  if (hidden.length > 0)
    found.push(`${plural(hidden.length, "resource")} the plan does not show (known only after apply)`);
  if (wildcardResources.length > 0)
    found.push(
      `${plural(wildcardResources.length, "resource")} ${list(wildcardResources)} (for ${list(statement.actions) || (statement.notActions.length > 0 ? "the actions NotAction leaves" : "no action")})`,
    );
  return found;
}

/** True when the text holds an IAM wildcard: `*` (any characters) or `?` (any one character). */
function isWildcard(text: string): boolean {
  return text.includes("*") || text.includes("?");
}

/** A template's literal text: what is interpolated at apply is a resource's attribute, never a wildcard. */
function literalParts(text: string): string {
  return holdsUnknown(text) ? showTemplate(text, "") : text;
}

/**
 * True for the streams of one log group: `<group>:log-stream:*`, where the group is an
 * aws_cloudwatch_log_group of the plan (by reference to its `arn`, or by its known ARN) or a known
 * ARN of one named log group.
 */
function isOwnLogStreams(graph: PlanGraph, scope: ResourceNode, resource: string): boolean {
  if (!resource.endsWith(LOG_STREAMS_SUFFIX)) return false;
  const group = resource.slice(0, -LOG_STREAMS_SUFFIX.length);
  if (!holdsUnknown(group))
    return (
      LOG_GROUP_ARN.test(group) ||
      graph.matching(group, [LOG_GROUP]).some((node) => graph.valueOf(node, "arn") === group)
    );
  const reference = soleInterpolation(group);
  if (reference === undefined) return false;
  return graph.exactly(scope, { constant_value: `\${${reference}}` }, "arn", [LOG_GROUP])?.length === 1;
}

/**
 * True when a known ARN is that of an aws_iam_policy of the plan: its known ARN, or, while that is
 * unknown, a customer managed policy ARN (an account id, never `aws`) with its path and name.
 */
function isPlanPolicy(graph: PlanGraph, arn: string): boolean {
  const customer = /^arn:aws[a-z-]*:iam::\d{12}:policy(\/.*)$/.exec(arn)?.[1];
  return graph.live(POLICY).some((policy) => {
    const known = graph.valueOf(policy, "arn");
    if (typeof known === "string") return known === arn;
    const name = graph.valueOf(policy, "name");
    const path = graph.valueOf(policy, "path") ?? "/";
    return (
      customer !== undefined && typeof name === "string" && typeof path === "string" && customer === `${path}${name}`
    );
  });
}

/**
 * The policies a set of managed policy ARNs attaches that the plan does not show, in words: known
 * ARNs of no aws_iam_policy of the plan, and elements known only after apply that are not exactly
 * an aws_iam_policy's arn. HCL shows a list known only after apply as its references alone, without
 * its constant elements (`[aws_iam_policy.p.arn, "arn:aws:iam::aws:policy/AdministratorAccess"]`):
 * such a list is not shown.
 */
function unshownPolicies(graph: PlanGraph, node: ResourceNode, name: string): string[] {
  const attribute = graph.attribute(node, name);
  const expression = node.expressions?.[name];
  const constant = (expression as { constant_value?: unknown } | undefined)?.constant_value;
  const partly =
    attribute.known &&
    Array.isArray(attribute.value) &&
    attribute.value.some((_v, index) => graph.valueAt(node, [name, index]) === undefined);
  if (!attribute.known || (partly && Array.isArray(constant))) {
    // A role's managed_policy_arns is computed: unknown, and not configured, it attaches nothing.
    if (expression === undefined) return [];
    // JSON syntax shows each element's text; HCL only the references.
    if (!Array.isArray(constant)) return [`policies known only after apply${referring(expression)}`];
    return constant.flatMap((element) => {
      if (typeof element !== "string") return ["a non-string element"];
      if (!element.includes("${")) return isPlanPolicy(graph, element) ? [] : [json(element)];
      return graph.exactly(node, { constant_value: element }, "arn", [POLICY])?.length === 1
        ? []
        : [`${json(element)}, known only after apply`];
    });
  }
  const values = Array.isArray(attribute.value) ? attribute.value : [];
  const unknown = values.map((_value, index) => graph.valueAt(node, [name, index]) === undefined);
  const found = values.flatMap((value, index) =>
    unknown[index] ? [] : typeof value === "string" && isPlanPolicy(graph, value) ? [] : [json(value)],
  );
  const hidden = unknown.filter(Boolean).length;
  // Known elements are shown: the unknown ones must each be an aws_iam_policy's arn, and nothing more.
  if (hidden > 0 && (graph.exactly(node, expression, "arn", [POLICY])?.length ?? 0) < 1)
    found.push(`${hidden === 1 ? "a policy" : `${hidden} policies`} known only after apply${referring(expression)}`);
  return found;
}

/** ` (it refers to var.arn, aws_iam_policy.p.arn)`, or nothing for an expression without references. */
function referring(expression: unknown): string {
  const references = referencesOf(expression);
  return references.length > 0 ? ` (it refers to ${references.join(", ")})` : "";
}

/**
 * True for the objects under one prefix of one bucket: `<bucket>/<prefix>*`, the prefix without
 * wildcards, where the bucket is an aws_s3_bucket of the plan (by reference to its `arn`, or by its
 * known ARN) or a known ARN of one named bucket.
 */
function isObjectsUnderPrefix(graph: PlanGraph, scope: ResourceNode, resource: string): boolean {
  if (!resource.endsWith("*")) return false;
  const slash = resource.indexOf("/");
  if (slash < 0) return false;
  const bucket = resource.slice(0, slash);
  const prefix = resource.slice(slash + 1, -1);
  if (holdsUnknown(prefix) || !S3.keyPrefix.test(prefix)) return false;
  if (!holdsUnknown(bucket))
    return (
      BUCKET_ARN.test(bucket) || graph.matching(bucket, [BUCKET]).some((node) => graph.valueOf(node, "arn") === bucket)
    );
  const reference = soleInterpolation(bucket);
  if (reference === undefined) return false;
  return graph.exactly(scope, { constant_value: `\${${reference}}` }, "arn", [BUCKET])?.length === 1;
}

function list(items: readonly (string | undefined)[]): string {
  return items.map((item) => (item === undefined ? "(known after apply)" : json(showTemplate(item)))).join(", ");
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
