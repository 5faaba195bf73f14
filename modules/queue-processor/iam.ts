import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type ConfigIssue, QueueProcessorConfigError } from "./errors.js";
import { checkStatement } from "./validation/statement-rules.js";

/**
 * An Allow statement for the function's role: exact actions on exact resources. A wildcard (`*` or
 * `?`) in an action or a resource is refused, except the resource `*` of X-Ray's actions, which
 * support no other, and a deliberate wildcard: a `sid` that starts with `DeliberateWildcard` together
 * with a `wildcardReason`.
 */
export interface PolicyStatement {
  /** Statement id, letters and digits only, unique in the role's policy. */
  readonly sid: string;
  /** Actions, each `service:Action`, e.g. `dynamodb:PutItem`. */
  readonly actions: readonly string[];
  /** ARNs, or references to them (tokens), e.g. `table.arn`. */
  readonly resources: readonly string[];
  /**
   * Why the statement needs a wildcard, e.g. "S3 Inventory writes objects under keys it chooses".
   * Required when, and allowed only when, the `sid` starts with `DeliberateWildcard`; the statement may
   * then hold wildcards in its actions and resources. The synth prints a warning with the sid and this
   * reason, and the plan review reports the statement as the advisory `iam-wildcard-exception`. The
   * reason itself is not part of the IAM policy (IAM has no field for it).
   * @default - no wildcard is allowed
   */
  readonly wildcardReason?: string;
}

/**
 * The function's execution role and its one inline policy. Statements are kept in order and
 * rendered at synth, so statements added after construction (`addStatement`) land in the same policy.
 */
export class ExecutionRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;
  private readonly statements: Omit<PolicyStatement, "wildcardReason">[] = [];

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

  /**
   * Adds an Allow statement after checking it grants nothing beyond what it names; returns the
   * warnings about it (a deliberate wildcard). A copy is kept, so later changes to the caller's
   * arrays change nothing.
   */
  addStatement(statement: PolicyStatement): readonly ConfigIssue[] {
    const { errors, warnings } = checkStatement(
      statement,
      this.statements.map((existing) => existing.sid),
    );
    if (errors.length > 0) throw new QueueProcessorConfigError(this.node.path, errors);
    this.statements.push({
      sid: statement.sid,
      actions: [...statement.actions],
      resources: [...statement.resources],
    });
    return warnings;
  }

  /**
   * Lets the function write to the streams of its own log group. The one wildcard granted without a
   * `DeliberateWildcard` sid: Lambda names the streams at run time, and the plan review accepts exactly
   * these two actions on the streams of one named log group.
   */
  grantOwnLogStreams(logGroupArn: string): void {
    this.statements.push({
      sid: "WriteOwnLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${logGroupArn}:log-stream:*`],
    });
  }
}
