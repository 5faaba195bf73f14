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
