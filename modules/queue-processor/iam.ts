import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { IAM } from "../../functions/aws-limits.js";
import { QueueProcessorConfigError } from "./errors.js";

/** An Allow statement for the function's role. */
export interface PolicyStatement {
  /** Statement id, letters and digits only. */
  readonly sid: string;
  /** Actions, each `service:Action`; no wildcards. */
  readonly actions: readonly string[];
  /** ARNs (tokens allowed); a bare `*` is refused. */
  readonly resources: readonly string[];
}

/** The one place a `*` resource is allowed: actions that support no resource-level permissions. */
const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = IAM.actionsWithoutResourceLevelPermissions;

/**
 * The function's execution role and its one inline policy. Statements are kept in order and
 * rendered at synth, so statements added after construction (`addStatement`) land in the same policy.
 */
export class ExecutionRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, roleName: string, tags: Record<string, string>) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: roleName,
      assumeRolePolicy: trust.json,
      tags,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: Lazy.anyValue({
        produce: () =>
          this.statements.map((statement) => ({
            sid: statement.sid,
            effect: "Allow",
            actions: [...statement.actions],
            resources: [...statement.resources],
          })),
      }),
    });
    this.policy = new IamRolePolicy(this, "policy", {
      name: `${roleName}-permissions`,
      role: this.role.id,
      policy: permissions.json,
    });
  }

  /** Adds an Allow statement after checking it grants nothing beyond what it names. */
  addStatement(statement: PolicyStatement): void {
    const problems = statementProblems(statement, this.statements);
    if (problems.length > 0) throw new QueueProcessorConfigError(this.node.path, problems);
    this.statements.push(statement);
  }
}

function statementProblems(statement: PolicyStatement, existing: readonly PolicyStatement[]) {
  const problems: { code: string; path: string; message: string }[] = [];
  const add = (code: string, message: string) => problems.push({ code, path: "addToRolePolicy", message });
  if (!/^[A-Za-z0-9]+$/.test(statement.sid ?? "")) {
    add(
      "policy-sid-invalid",
      `addToRolePolicy: sid must be letters and digits only (got ${JSON.stringify(statement.sid)})`,
    );
  } else if (existing.some((other) => other.sid === statement.sid)) {
    add(
      "policy-sid-duplicate",
      `addToRolePolicy: sid ${JSON.stringify(statement.sid)} is already used in this role's policy`,
    );
  }
  if (!Array.isArray(statement.actions) || statement.actions.length === 0) {
    add(
      "policy-actions-empty",
      `addToRolePolicy: actions must list at least one action (got ${JSON.stringify(statement.actions)})`,
    );
  } else {
    for (const action of statement.actions) {
      if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
        add(
          "policy-action-wildcard",
          `addToRolePolicy: actions must be exact "service:Action" names, no wildcards (got ${JSON.stringify(action)})`,
        );
      }
    }
  }
  if (!Array.isArray(statement.resources) || statement.resources.length === 0) {
    add(
      "policy-resources-empty",
      `addToRolePolicy: resources must list at least one ARN (got ${JSON.stringify(statement.resources)})`,
    );
  } else {
    const onlyUnscopedActions = statement.actions?.every((action) =>
      ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.includes(action),
    );
    for (const resource of statement.resources) {
      if (resource.trim() === "*" && !onlyUnscopedActions) {
        add(
          "policy-resource-wildcard",
          `addToRolePolicy: resources must name ARNs; "*" is allowed only for actions that support no resource-level permissions (${ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.join(", ")}) (got "*")`,
        );
      }
    }
  }
  return problems;
}
