import { IAM } from "@queue-processor/runtime/aws-limits";
import { describeValue } from "../describe-value.js";
import type { ConfigIssue } from "../errors.js";
import { closestKey, KNOWN_KEYS } from "../known-keys.js";
import { literalText, stringParts } from "../terraform-strings.js";
import { got, isPlainObject } from "./rule.js";
import { templateIssue } from "./terraform-template-rules.js";

/**
 * The sid prefix that, with a `wildcardReason`, states a deliberate wildcard. The plan review
 * (review/policy/rules/iam.ts) follows the same convention and reports such a statement as the
 * advisory `iam-wildcard-exception`.
 */
const DELIBERATE_WILDCARD_SID_PREFIX = "DeliberateWildcard";

/** The one place a `*` resource needs no exception: actions that support no resource-level permissions. */
const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = IAM.actionsWithoutResourceLevelPermissions;

/** `service:Action`, where the action part may hold the wildcards `*` and `?`; or `*` alone. */
const ACTION_FORMAT = /^(?:\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const WILDCARD = /[*?]/;
/** Keys that turn an Allow into "everything but": refused whatever their spelling. */
const NOT_KEYS = /^not_?(?:actions?|resources?)$/i;

const PATH = "addToRolePolicy";

/** What `addToRolePolicy` reports about one statement: errors refuse it, warnings go to the synth. */
export interface StatementCheck {
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

/**
 * Judges a statement for the function's role: the shape a TypeScript caller cannot get wrong but a
 * JavaScript or JSON one can, exact actions on exact ARNs, and wildcards only where IAM offers no
 * other way (X-Ray) or where the statement states why.
 */
export function checkStatement(statement: unknown, usedSids: readonly string[]): StatementCheck {
  const errors: ConfigIssue[] = [];
  const add = (code: string, message: string) => errors.push({ code, path: PATH, message: `${PATH}: ${message}` });
  if (!isPlainObject(statement)) {
    add(
      "policy-statement-invalid",
      `the statement must be an object like { sid, actions, resources } ${got(statement)}`,
    );
    return { errors, warnings: [] };
  }

  for (const key of Object.keys(statement)) {
    if (NOT_KEYS.test(key)) {
      add(
        "policy-not-action",
        `${key} is refused: on an Allow it grants everything except what it names; list the actions and ` +
          `resources granted instead ${got(statement[key])}`,
      );
    } else if (!KNOWN_KEYS.policyStatement.includes(key)) {
      const suggestion = closestKey(key, KNOWN_KEYS.policyStatement);
      add(
        "policy-statement-unknown-property",
        `${key} is not a known property of a statement (allowed: ${KNOWN_KEYS.policyStatement.join(", ")}; ` +
          `statements are always Allow)${suggestion ? `; did you mean ${suggestion}?` : ""}`,
      );
    }
  }

  const { sid, wildcardReason } = statement;
  if (typeof sid !== "string" || !/^[A-Za-z0-9]+$/.test(sid)) {
    add("policy-sid-invalid", `sid must be letters and digits only ${got(sid)}`);
  } else if (usedSids.includes(sid)) {
    add("policy-sid-duplicate", `sid ${describeValue(sid)} is already used in this role's policy`);
  }

  const statesException = typeof sid === "string" && sid.startsWith(DELIBERATE_WILDCARD_SID_PREFIX);
  const hasReason = typeof wildcardReason === "string" && wildcardReason.trim() !== "";
  if (wildcardReason !== undefined && !hasReason) {
    add(
      "policy-wildcard-exception-incomplete",
      `wildcardReason must be a non-empty string saying why the statement needs a wildcard ${got(wildcardReason)}`,
    );
  } else if (statesException && !hasReason) {
    add(
      "policy-wildcard-exception-incomplete",
      `sid ${describeValue(sid)} states a deliberate wildcard, so wildcardReason must say why ${got(wildcardReason)}`,
    );
  } else if (hasReason && !statesException) {
    add(
      "policy-wildcard-exception-incomplete",
      `wildcardReason is given, so sid must start with "${DELIBERATE_WILDCARD_SID_PREFIX}" ${got(sid)}`,
    );
  }
  const wildcardsAllowed = statesException && hasReason;

  const actions = stringsIn("actions", statement.actions, add);
  for (const action of actions) {
    const template = withCode(templateIssue(PATH, "the action", action));
    errors.push(...template);
    if (template.length > 0) continue;
    if (!ACTION_FORMAT.test(action)) {
      add("policy-action-invalid", `actions must be "service:Action" names, e.g. "dynamodb:PutItem" ${got(action)}`);
    } else if (WILDCARD.test(action) && !wildcardsAllowed) {
      add(
        "policy-action-wildcard",
        `actions must be exact "service:Action" names; "*" and "?" are wildcards, allowed only with a ` +
          `${DELIBERATE_WILDCARD_SID_PREFIX}... sid and a wildcardReason ${got(action)}`,
      );
    }
  }

  const resources = stringsIn("resources", statement.resources, add);
  const onlyUnscopedActions =
    actions.length > 0 && actions.every((action) => ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.includes(action));
  for (const resource of resources) {
    const template = withCode(templateIssue(PATH, "the resource", resource));
    errors.push(...template);
    if (template.length > 0) continue;
    const literal = literalText(resource);
    const isReferenceFree = stringParts(resource).every((part) => !part.isReference);
    if (WILDCARD.test(literal)) {
      const unscopedException = resource === "*" && onlyUnscopedActions;
      if (!unscopedException && !wildcardsAllowed) {
        add(
          "policy-resource-wildcard",
          `resources must name exact ARNs; "*" and "?" are wildcards, allowed only as the resource "*" of ` +
            `actions that support no resource-level permissions (${ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.join(", ")}) ` +
            `or with a ${DELIBERATE_WILDCARD_SID_PREFIX}... sid and a wildcardReason ${got(resource)}`,
        );
      }
    } else if (isReferenceFree && !/^arn:aws[a-z-]*:/.test(resource)) {
      add("policy-resource-invalid", `resources must be ARNs ("arn:aws:...") or references to one ${got(resource)}`);
    }
  }

  const warnings: ConfigIssue[] = [];
  if (wildcardsAllowed && errors.length === 0) {
    const wildcards = [...actions, ...resources].filter((value) => WILDCARD.test(literalText(value)));
    warnings.push({
      code: "policy-wildcard-exception",
      path: PATH,
      message:
        `${PATH}: statement ${describeValue(sid)} grants wildcards on purpose ` +
        `(${wildcards.map((value) => describeValue(value)).join(", ") || "none at the moment"}); ` +
        `reason: ${describeValue(wildcardReason)}`,
    });
  }
  return { errors, warnings };
}

/** The strings of a list field, after reporting a list that is missing, empty or not of strings. */
function stringsIn(
  field: "actions" | "resources",
  value: unknown,
  add: (code: string, message: string) => void,
): string[] {
  const example = field === "actions" ? '["dynamodb:PutItem"]' : '["arn:aws:dynamodb:...:table/orders"]';
  if (!Array.isArray(value)) {
    add(`policy-${field}-invalid`, `${field} must be an array of strings like ${example} ${got(value)}`);
    return [];
  }
  if (value.length === 0) {
    add(`policy-${field}-empty`, `${field} must list at least one ${field === "actions" ? "action" : "ARN"} (got [])`);
    return [];
  }
  const strings: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item === "string") strings.push(item);
    else add(`policy-${field}-invalid`, `${field} must be an array of strings like ${example} ${got(item)}`);
  }
  return strings;
}

function withCode(issues: readonly { path: string; message: string }[]): ConfigIssue[] {
  return issues.map((issue) => ({ code: "terraform-template-in-value", ...issue }));
}
