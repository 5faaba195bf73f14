import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type ConfigIssue, QueueProcessorConfigError } from "./errors.js";
import type { PolicyStatement } from "./policy-statement.js";
import { checkStatement } from "./validation/statement-rules.js";

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

  /**
   * Lets the archiver store objects under one prefix of one bucket: `<bucket ARN>/<prefix>*`, since
   * the keys are named at run time. The other wildcard granted without a `DeliberateWildcard` sid: the
   * prefix is checked at synth (no `*` of its own, ending with `/`), and the plan review accepts exactly
   * `s3:PutObject` on the objects under a non-empty prefix of one named bucket.
   */
  grantObjectWrites(bucketArn: string, prefix: string): void {
    this.statements.push({
      sid: "StoreDeadLetters",
      actions: ["s3:PutObject"],
      resources: [`${bucketArn}/${prefix}*`],
    });
  }
}
