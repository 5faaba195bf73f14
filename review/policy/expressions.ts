/**
 * Reading configuration expressions as far as a plan shows them: a constant is usable only without
 * `${...}` interpolations, and a JSON-syntax template can still be parsed with its interpolations marked.
 */

/**
 * Private-use characters: valid inside a JSON string (a control character is not, and would make a
 * policy template with an interpolated ARN unreadable), and never part of an ARN or an action.
 */
const MARKER = "\uE000unknown\uE000";

/** True when a JSON-syntax constant still holds `${...}` interpolations (known only at plan or apply). */
function isTemplate(value: unknown): boolean {
  if (typeof value === "string") return /(^|[^$])\$\{/.test(value);
  if (Array.isArray(value)) return value.some(isTemplate);
  if (typeof value === "object" && value !== null) return Object.values(value).some(isTemplate);
  return false;
}

/** A configuration constant without interpolations, or undefined. */
export function constantOf(expression: unknown): unknown {
  if (typeof expression !== "object" || expression === null || !("constant_value" in expression)) return undefined;
  return isTemplate(expression.constant_value) ? undefined : expression.constant_value;
}

/**
 * A JSON-syntax template string with each `${...}` replaced by a marker, so that a policy written
 * as a JSON string with interpolated ARNs can still be read. {@link holdsUnknown} tells the marker apart.
 */
export function replaceInterpolations(template: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    if (template[i] === "$" && template[i + 1] === "$" && template[i + 2] === "{") {
      out += "${";
      i += 2;
      continue;
    }
    if (template[i] === "$" && template[i + 1] === "{") {
      let depth = 1;
      let j = i + 2;
      let quoted = false;
      for (; j < template.length && depth > 0; j++) {
        const ch = template[j];
        if (quoted) {
          if (ch === "\\") j++;
          else if (ch === '"') quoted = false;
        } else if (ch === '"') quoted = true;
        else if (ch === "{") depth++;
        else if (ch === "}") depth--;
      }
      out += MARKER;
      i = j - 1;
      continue;
    }
    out += template[i];
  }
  return out;
}

/** True for a string produced from an interpolation by {@link replaceInterpolations}. */
export function holdsUnknown(value: string): boolean {
  return value.includes(MARKER);
}

/** A marked template as a reader sees it: each interpolation shown as `replacement`. */
export function showTemplate(value: string, replacement = "\u0024{…}"): string {
  return value.split(MARKER).join(replacement);
}
