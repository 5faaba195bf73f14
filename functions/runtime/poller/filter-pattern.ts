/**
 * Lambda event filtering for SQS, on the message body: a record passes when any pattern matches.
 * Within a pattern every key must match; a value is either a nested pattern (object) or a list of
 * matchers, any of which may match: literals (string, number, boolean, null), `{ prefix }`,
 * `{ suffix }`, `{ exists }`, `{ "anything-but": value | [values] }`, `{ numeric: [op, n, ...] }`.
 * A body that is not a JSON object matches no body pattern.
 */
export interface BodyFilterPattern {
  readonly body: Record<string, unknown>;
}

export function matchesAnyPattern(body: string, patterns: readonly BodyFilterPattern[]): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isObject(parsed)) return false;
  return patterns.some((pattern) => matchesObject(parsed as Record<string, unknown>, pattern.body));
}

function matchesObject(value: Record<string, unknown>, pattern: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => matchesField(value[key], expected));
}

function matchesField(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return expected.some((matcher) => matchesMatcher(actual, matcher));
  }
  if (isObject(expected)) {
    return isObject(actual) && matchesObject(actual, expected);
  }
  throw new TypeError(`filter pattern values must be lists or objects (got ${JSON.stringify(expected)})`);
}

function matchesMatcher(actual: unknown, matcher: unknown): boolean {
  if (isObject(matcher)) {
    if ("exists" in matcher) return (actual !== undefined) === Boolean(matcher.exists);
    if (actual === undefined) return false;
    // An array value matches when any element matches.
    if (Array.isArray(actual)) return actual.some((element) => matchesOperator(element, matcher));
    return matchesOperator(actual, matcher);
  }
  if (Array.isArray(actual)) return actual.some((element) => element === matcher);
  return actual === matcher;
}

function matchesOperator(actual: unknown, matcher: Record<string, unknown>): boolean {
  if ("prefix" in matcher) return typeof actual === "string" && actual.startsWith(String(matcher.prefix));
  if ("suffix" in matcher) return typeof actual === "string" && actual.endsWith(String(matcher.suffix));
  if ("anything-but" in matcher) {
    const excluded = matcher["anything-but"];
    return Array.isArray(excluded) ? !excluded.includes(actual) : actual !== excluded;
  }
  if ("numeric" in matcher) return typeof actual === "number" && matchesNumeric(actual, matcher.numeric);
  throw new TypeError(`unsupported filter matcher ${JSON.stringify(matcher)}`);
}

function matchesNumeric(actual: number, conditions: unknown): boolean {
  if (!Array.isArray(conditions) || conditions.length % 2 !== 0) {
    throw new TypeError(`numeric matcher must be [op, number, ...] (got ${JSON.stringify(conditions)})`);
  }
  for (let i = 0; i < conditions.length; i += 2) {
    const op: unknown = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      op === "="
        ? actual === bound
        : op === "<"
          ? actual < bound
          : op === "<="
            ? actual <= bound
            : op === ">"
              ? actual > bound
              : op === ">="
                ? actual >= bound
                : undefined;
    if (ok === undefined) throw new TypeError(`unsupported numeric operator ${JSON.stringify(op)}`);
    if (!ok) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
