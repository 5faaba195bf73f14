/**
 * The values of a `cdk.tf.json` the seed state (seed-state.ts) can work out without Terraform: literals,
 * references to other resources, and templates of references, converted to the schema's types as
 * Terraform converts them. Anything else (a function, a `%{` directive, a data source) is UNRESOLVED.
 */

/** A value the seed cannot work out: left unset, for the plan to fill. */
export const UNRESOLVED = Symbol("unresolved");

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string of the configuration: a literal, one reference (any type), or a template of references (a string). */
export function resolveString(value: string, reference: (expression: string) => unknown): unknown {
  if (!value.includes("${") && !value.includes("%{")) return value;
  if (value.includes("%{")) return UNRESOLVED;
  const whole = /^\$\{([^{}]*)\}$/.exec(value);
  if (whole) return reference(whole[1] ?? "");
  let result = "";
  let rest = value;
  while (rest.length > 0) {
    const start = rest.indexOf("${");
    if (start === -1) {
      result += rest;
      break;
    }
    // `$${` is a literal `${`.
    if (start > 0 && rest[start - 1] === "$") {
      result += `${rest.slice(0, start - 1)}\${`;
      rest = rest.slice(start + 2);
      continue;
    }
    const end = rest.indexOf("}", start);
    if (end === -1) return UNRESOLVED;
    const inner = rest.slice(start + 2, end);
    if (inner.includes("{")) return UNRESOLVED;
    const resolved = reference(inner);
    if (
      resolved === UNRESOLVED ||
      (typeof resolved !== "string" && typeof resolved !== "number" && typeof resolved !== "boolean")
    ) {
      return UNRESOLVED;
    }
    result += `${rest.slice(0, start)}${String(resolved)}`;
    rest = rest.slice(end + 1);
  }
  return result;
}

/** A resolved value converted to a schema type as Terraform would (`"10"` to a number); UNRESOLVED when it cannot be. */
export function convert(value: unknown, type: unknown): unknown {
  if (value === UNRESOLVED || value === null) return value;
  if (type === "string") {
    return typeof value === "string"
      ? value
      : typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : UNRESOLVED;
  }
  if (type === "number") {
    if (typeof value === "number") return value;
    return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
      ? Number(value)
      : UNRESOLVED;
  }
  if (type === "bool") {
    if (typeof value === "boolean") return value;
    return value === "true" ? true : value === "false" ? false : UNRESOLVED;
  }
  if (Array.isArray(type)) {
    const [kind, inner] = type as [string, unknown];
    if ((kind === "list" || kind === "set") && Array.isArray(value)) {
      const elements = value.map((element) => convert(element, inner));
      return elements.includes(UNRESOLVED) ? UNRESOLVED : elements;
    }
    if (kind === "map" && isObject(value)) {
      const entries = Object.entries(value).map(([key, element]) => [key, convert(element, inner)] as const);
      return entries.some(([, element]) => element === UNRESOLVED) ? UNRESOLVED : Object.fromEntries(entries);
    }
    if (kind === "object" && isObject(value)) {
      const entries = Object.entries(inner as Record<string, unknown>).map(
        ([key, attributeType]) => [key, value[key] === undefined ? null : convert(value[key], attributeType)] as const,
      );
      return entries.some(([, element]) => element === UNRESOLVED) ? UNRESOLVED : Object.fromEntries(entries);
    }
    return UNRESOLVED;
  }
  // "dynamic": as configured.
  return value;
}

/** A reference to a managed resource's attribute, `type.name.attribute` with any `[0]` or `.key` steps after it. */
export interface ResourceReference {
  readonly address: string;
  readonly attribute: string;
  readonly steps: readonly (string | number)[];
}

/** The resource reference `expression` (inside `${}`) makes, or undefined for anything else (data, var, local, module, a function). */
export function parseReference(expression: string): ResourceReference | undefined {
  const match = /^([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)((?:\[\d+\]|\.[A-Za-z_][\w-]*)*)$/.exec(
    expression.trim(),
  );
  if (!match || ["data", "var", "local", "module"].includes(match[1] ?? "")) return undefined;
  return {
    address: `${match[1]}.${match[2]}`,
    attribute: match[3] ?? "",
    steps: ((match[4] ?? "").match(/\[\d+\]|\.[A-Za-z_][\w-]*/g) ?? []).map((step) =>
      step.startsWith("[") ? Number(step.slice(1, -1)) : step.slice(1),
    ),
  };
}

/** The value at `steps` inside `value`, or UNRESOLVED where a step finds nothing. */
export function valueAt(value: unknown, steps: readonly (string | number)[]): unknown {
  let current = value;
  for (const step of steps) {
    if (typeof step === "number") current = Array.isArray(current) ? current[step] : undefined;
    else current = isObject(current) ? current[step] : undefined;
    if (current === undefined) return UNRESOLVED;
  }
  return current === undefined ? UNRESOLVED : current;
}
