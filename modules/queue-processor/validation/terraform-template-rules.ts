import { secretLookingValue } from "../secret-values.js";
import { templateProblem } from "../terraform-strings.js";
import { got, isPlainObject, type Rule, type RuleIssue } from "./rule.js";

/** What every message of this rule ends with before the value: how to write what the user meant. */
const ALLOWED = 'only literal text is allowed (write "$${" for a literal "${" and "%%{" for a literal "%{")';

/** Nesting walked in a filter pattern; a template deeper down is still found in the pattern's JSON. */
const FILTER_DEPTH_MAX = 64;

/**
 * The user's strings that land in `cdk.tf.json`, where Terraform would evaluate a template in them.
 * The others are checked by their own rules against patterns that leave no room for one: `name`
 * (and every name derived from it), environment variable names, `queue.kmsKeyArn`,
 * `alarms.topicArn`; `handler.entry` is bundled, never written. Policy statements are checked by
 * `addToRolePolicy`.
 */
export const TERRAFORM_TEMPLATE_RULES: readonly Rule[] = [
  {
    code: "terraform-template-in-value",
    level: "error",
    check: (_props, config) => [
      ...environmentIssues(config.handler.environment),
      ...tagIssues(config.tags),
      ...filterPatternIssues(config.eventSource.filterPatterns),
    ],
  },
];

/** One issue when Terraform would not take `value` literally. */
export function templateIssue(path: string, what: string, value: unknown, shown = got(value)): RuleIssue[] {
  if (typeof value !== "string") return [];
  const problem = templateProblem(value);
  return problem ? [{ path, message: `${path}: ${what} ${problem}; ${ALLOWED} ${shown}` }] : [];
}

function environmentIssues(environment: unknown): RuleIssue[] {
  if (!isPlainObject(environment)) return [];
  return Object.entries(environment).flatMap(([name, value]) => {
    const secret = typeof value === "string" ? secretLookingValue(name, value) : undefined;
    // The value of a secret-looking variable is not repeated in an error either.
    const shown = secret ? `(got ${secret.maskedHint})` : got(value);
    return templateIssue(`handler.environment.${name}`, "the value", value, shown);
  });
}

function tagIssues(tags: unknown): RuleIssue[] {
  if (!isPlainObject(tags)) return [];
  return Object.entries(tags).flatMap(([key, value]) => [
    ...templateIssue(`tags.${key}`, "the tag key", key),
    ...templateIssue(`tags.${key}`, "the tag value", value),
  ]);
}

function filterPatternIssues(patterns: unknown): RuleIssue[] {
  if (!Array.isArray(patterns)) return [];
  return patterns.flatMap((pattern: unknown, index) => {
    const path = `eventSource.filterPatterns[${index}]`;
    const found = nestedIssues(path, pattern, 0);
    if (found.length > 0) return found;
    // Every string was checked on its own; the pattern is sent as one JSON string, checked whole too.
    return templateIssue(path, "the pattern as JSON", safeJson(pattern));
  });
}

/** Every key and string inside a filter pattern, each named by its path. */
function nestedIssues(path: string, value: unknown, depth: number): RuleIssue[] {
  if (depth > FILTER_DEPTH_MAX) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => nestedIssues(`${path}[${index}]`, item, depth + 1));
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...templateIssue(path, "the key", key),
      ...nestedIssues(`${path}.${key}`, item, depth + 1),
    ]);
  }
  return templateIssue(path, "the value", value);
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
