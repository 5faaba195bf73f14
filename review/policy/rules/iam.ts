/** The IAM rule: Allow statements of identity policies name exact actions on exact resources. */
import { IAM } from "../../../functions/aws-limits.js";
import { constantOf } from "../expressions.js";
import { attributeStatements, type Statement } from "../policy-statements.js";
import { json } from "../resource-values.js";
import type { Rule, Violation } from "../rule.js";

/** X-Ray's write actions support no resource-level permissions: `*` is their only resource. */
const UNSCOPED_ACTIONS: readonly string[] = IAM.actionsWithoutResourceLevelPermissions;
const IDENTITY_POLICIES = ["aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_policy"];

export const iamWildcard: Rule = {
  id: "iam-wildcard",
  severity: "blocking",
  reason:
    'Allow statements name exact actions on exact resources; only X-Ray\'s write actions may use the resource "*".',
  check: ({ graph }) => {
    const violations: Violation[] = [];
    const check = (address: string, statements: readonly Statement[] | undefined) => {
      for (const statement of statements ?? []) {
        const violation = wildcardIn(address, statement);
        if (violation) violations.push(violation);
      }
    };
    for (const node of graph.live(...IDENTITY_POLICIES)) {
      const attribute = graph.attribute(node, "policy");
      check(
        node.address,
        attributeStatements(graph, node, attribute, attribute.known ? undefined : attribute.expression),
      );
    }
    for (const role of graph.live("aws_iam_role")) {
      const blocks = graph.valueAt(role, ["inline_policy"]);
      const configured = Array.isArray(role.expressions?.inline_policy)
        ? (role.expressions.inline_policy as Record<string, unknown>[])
        : [];
      if (!Array.isArray(blocks)) continue;
      blocks.forEach((block: Record<string, unknown> | null, index) => {
        const policy = graph.valueAt(role, ["inline_policy", index, "policy"]);
        if (policy !== undefined) {
          check(role.address, attributeStatements(graph, role, { known: true, value: policy }, undefined));
          return;
        }
        const byName = configured.find((config) => block !== null && constantOf(config.name) === block.name);
        const expression = (byName ?? configured[index])?.policy;
        check(role.address, attributeStatements(graph, role, { known: false }, expression));
      });
    }
    return violations;
  },
};

/** The wildcard an Allow statement grants, if any. */
function wildcardIn(address: string, statement: Statement): Violation | undefined {
  if (statement.effect !== "Allow") return undefined;
  const actions = statement.actions.filter((action): action is string => action !== undefined);
  if (
    statement.actions.length > 0 &&
    statement.actions.every((action) => action !== undefined && UNSCOPED_ACTIONS.includes(action))
  )
    return undefined;
  const wildcardActions = actions.filter((action) => action.includes("*"));
  const wildcardResource = statement.resources.includes("*");
  if (wildcardActions.length === 0 && !wildcardResource) return undefined;
  const found = [
    ...(wildcardActions.length > 0
      ? [`action${wildcardActions.length > 1 ? "s" : ""} ${wildcardActions.map(json).join(", ")}`]
      : []),
    ...(wildcardResource ? [`resource "*" (for ${actions.map(json).join(", ") || "unknown actions"})`] : []),
  ].join(" and ");
  const origin = `statement ${statement.sid ? json(statement.sid) : "without Sid"}${statement.source === address ? "" : ` of ${statement.source}`}`;
  return {
    address,
    message:
      `${address} allows ${found} in ${origin}; expected exact actions on exact resource ARNs ` +
      `("*" only for ${UNSCOPED_ACTIONS.join(", ")})`,
  };
}
