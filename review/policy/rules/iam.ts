/**
 * The IAM rules: Allow statements of identity policies name exact actions on exact resources. A
 * wildcard is any `*` or `?` in an action or a resource ARN, and any NotAction or NotResource of an
 * Allow (it grants everything but what it names). A policy or an element the plan cannot show is
 * judged as a wildcard: it may be one. A statement whose Sid starts with `DeliberateWildcard` states
 * a deliberate exception: it is reported as advisory instead, so that a reviewer still sees it.
 */
import { IAM, S3 } from "../../../functions/aws-limits.js";
import { constantOf, holdsUnknown, showTemplate } from "../expressions.js";
import { linked, type PlanGraph } from "../plan-graph.js";
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
          `${address} has a policy the plan cannot show (${reading.unreadable}); it may grant anything; ` +
          "expected a policy whose statements the plan shows (JSON known at plan, or an aws_iam_policy_document)",
      });
      return;
    }
    for (const statement of reading.statements) {
      const found = wildcardsIn(statement);
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
  for (const attachment of graph.live(...ATTACHMENTS)) {
    if (linked(graph.links(attachment, "policy_arn", ["aws_iam_policy"])).length > 0) continue;
    const arn = graph.valueOf(attachment, "policy_arn");
    result.wildcards.push({
      address: attachment.address,
      message:
        `${attachment.address} attaches ${typeof arn === "string" ? json(arn) : "a policy known only after apply"}, ` +
        "a policy the plan does not show (an AWS managed policy, or one made elsewhere); it may grant anything; " +
        "expected an aws_iam_policy of this plan, or an inline policy, whose statements the plan shows",
    });
  }
  cache.set(graph, result);
  return result;
}

/** What an Allow statement grants beyond exact actions on exact resources, in words; empty when nothing. */
function wildcardsIn(statement: Statement): string[] {
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
      !(logStreams && isOwnLogStreams(resource)) &&
      !(objectWrites && isObjectsUnderPrefix(resource)),
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

function isOwnLogStreams(resource: string): boolean {
  if (!resource.endsWith(LOG_STREAMS_SUFFIX)) return false;
  const group = resource.slice(0, -LOG_STREAMS_SUFFIX.length);
  return showTemplate(group, "") === "" ? holdsUnknown(group) : LOG_GROUP_ARN.test(group);
}

function isObjectsUnderPrefix(resource: string): boolean {
  if (!resource.endsWith("*")) return false;
  const slash = resource.indexOf("/");
  if (slash < 0) return false;
  const bucket = resource.slice(0, slash);
  const prefix = resource.slice(slash + 1, -1);
  const bucketNamed = showTemplate(bucket, "") === "" ? holdsUnknown(bucket) : BUCKET_ARN.test(bucket);
  return bucketNamed && !holdsUnknown(prefix) && S3.keyPrefix.test(prefix);
}

function list(items: readonly (string | undefined)[]): string {
  return items.map((item) => (item === undefined ? "(known after apply)" : json(showTemplate(item)))).join(", ");
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
