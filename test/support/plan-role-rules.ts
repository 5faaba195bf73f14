// The rules the read-only plan role (.github/iam/plan-readonly-role.json) keeps, as small functions
// that return what breaks them: test/workflows.test.ts runs them on the document and on bad copies.

interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: { readonly Federated?: string };
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly Statement[];
}

export interface PlanRoleDocument {
  readonly readActionsByResourceType: Readonly<Record<string, readonly string[]>>;
  readonly trustPolicies: Readonly<Record<string, PolicyDocument>>;
  readonly permissionsPolicy: PolicyDocument;
}

const list = (value: string | readonly string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : [...value];

const READ_VERB = /^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]*$/;
const STATE_READS = ["s3:GetObject", "s3:ListBucket"];
const OIDC_PROVIDER = "oidc-provider/token.actions.githubusercontent.com";
const AUDIENCE = "token.actions.githubusercontent.com:aud";
const SUBJECT = "token.actions.githubusercontent.com:sub";

/** IAM's wildcard match (`*` any run, `?` one character), for checking that a pattern covers an ARN. */
export function iamMatches(pattern: string, value: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${expression}$`).test(value);
}

/** Whether the policy allows `action` on `resource` (and no Deny in it takes that back). */
export function allows(policy: PolicyDocument, action: string, resource: string): boolean {
  const covers = (statement: Statement) =>
    list(statement.Action).some((pattern) => iamMatches(pattern, action)) &&
    list(statement.Resource).some((pattern) => iamMatches(pattern, resource));
  const statements = policy.Statement;
  return (
    statements.some((s) => s.Effect === "Allow" && covers(s)) &&
    !statements.some((s) => s.Effect === "Deny" && covers(s))
  );
}

/** A statement that names the state bucket or its objects (the archive bucket of prod is another). */
const onStateBucket = (statement: Statement): boolean =>
  list(statement.Resource).some((resource) => resource.startsWith("arn:aws:s3:::<STATE_BUCKET>") || resource === "*");

/**
 * Allows only reads: Get/List/Describe actions with no wildcard, on resources other than `*`; of the
 * state bucket only GetObject and ListBucket (another bucket, prod's dead-letter archive, may be read); and denies writing any object of the bucket, the lock
 * file included.
 */
export function readOnlyFindings(policy: PolicyDocument): string[] {
  const findings: string[] = [];
  for (const statement of policy.Statement) {
    const name = statement.Sid ?? "(no Sid)";
    if (statement.Effect !== "Allow") continue;
    if ("NotAction" in statement || "NotResource" in statement)
      findings.push(`${name} allows with NotAction/NotResource`);
    for (const action of list(statement.Action)) {
      if (/[*?]/.test(action)) findings.push(`${name} allows the wildcard action ${action}`);
      else if (action.startsWith("s3:") && !STATE_READS.includes(action) && onStateBucket(statement))
        findings.push(`${name} allows ${action} on the state bucket`);
      else if (!READ_VERB.test(action))
        findings.push(`${name} allows ${action}, which is not a read (Get/List/Describe)`);
    }
    for (const resource of list(statement.Resource)) {
      if (resource === "*" || /^arn:aws:[a-z0-9-]+:[^:]*:[^:]*:\*$/.test(resource))
        findings.push(`${name} allows on every resource (${resource})`);
    }
  }
  const stateObjects = "arn:aws:s3:::<STATE_BUCKET>/queue-processor/orders/<ENV>.tfstate";
  for (const write of ["s3:PutObject", "s3:DeleteObject"]) {
    for (const key of [stateObjects, `${stateObjects}.tflock`]) {
      const denied = policy.Statement.some(
        (s) =>
          s.Effect === "Deny" &&
          list(s.Action).includes(write) &&
          list(s.Resource).some((pattern) => iamMatches(pattern, key)),
      );
      if (!denied)
        findings.push(
          `no Deny of ${write} on ${key}: a policy attached later could let the plan write state or take the lock`,
        );
    }
  }
  return findings;
}

/**
 * Lets only GitHub's OIDC tokens for exactly `subject` assume the role: the audience AWS's action asks
 * for, the subject matched exactly (StringEquals, no wildcard), and no other way in.
 */
export function trustFindings(policy: PolicyDocument, subject: string): string[] {
  const findings: string[] = [];
  if (policy.Statement.length === 0) findings.push("no statement: nobody can assume the role");
  for (const statement of policy.Statement) {
    const name = statement.Sid ?? "(no Sid)";
    if (statement.Effect !== "Allow") continue;
    if (!statement.Principal?.Federated?.endsWith(`:${OIDC_PROVIDER}`))
      findings.push(`${name} trusts someone other than GitHub's OIDC provider`);
    if (list(statement.Action).join() !== "sts:AssumeRoleWithWebIdentity")
      findings.push(`${name} allows ${list(statement.Action).join(", ")}`);
    const conditions = statement.Condition ?? {};
    const operators = Object.keys(conditions);
    if (operators.join() !== "StringEquals")
      findings.push(`${name} matches with ${operators.join(", ") || "no condition"}; only StringEquals is exact`);
    const equals = conditions.StringEquals ?? {};
    if (list(equals[AUDIENCE]).join() !== "sts.amazonaws.com")
      findings.push(`${name} does not require the audience sts.amazonaws.com`);
    const subjects = list(equals[SUBJECT]);
    if (subjects.join() !== subject)
      findings.push(`${name} lets ${subjects.join(", ") || "any subject"} in; expected exactly ${subject}`);
  }
  return findings;
}
