/**
 * Reading configuration expressions as far as a plan shows them: a constant is usable only without
 * `${...}` interpolations, and a JSON-syntax template can still be parsed with its interpolations marked.
 */

/**
 * An interpolation is replaced by private-use characters around its expression text, hex-encoded:
 * valid inside a JSON string (a control character or a quote is not, and would make a policy template
 * with an interpolated ARN unreadable), never part of an ARN or an action, and free of `*` and `?`.
 */
const MARKER_START = "\uE000";
const MARKER_END = "\uE001";
const MARKED = /\uE000([0-9a-f]*)\uE001/g;

function marker(expression: string): string {
  let hex = "";
  for (let i = 0; i < expression.length; i++) hex += expression.charCodeAt(i).toString(16).padStart(4, "0");
  return `${MARKER_START}${hex}${MARKER_END}`;
}

function unmark(hex: string): string {
  let text = "";
  for (let i = 0; i + 4 <= hex.length; i += 4) text += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
  return text;
}

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
      out += marker(template.slice(i + 2, j - 1));
      i = j - 1;
      continue;
    }
    out += template[i];
  }
  return out;
}

/** True for a string produced from an interpolation by {@link replaceInterpolations}. */
export function holdsUnknown(value: string): boolean {
  return value.includes(MARKER_START);
}

/** A marked template as a reader sees it: each interpolation shown as `replacement`. */
export function showTemplate(value: string, replacement = "\u0024{…}"): string {
  return value.replace(MARKED, () => replacement);
}

/**
 * The expression of a marked template that is one interpolation and nothing else (`${aws_x.y.arn}`
 * gives `aws_x.y.arn`); undefined for literal text, or text around or between interpolations.
 */
export function soleInterpolation(value: string): string | undefined {
  const match = /^\uE000([0-9a-f]*)\uE001$/.exec(value);
  return match?.[1] === undefined ? undefined : unmark(match[1]);
}

/**
 * The references an expression lists, without those another one contains (Terraform lists `data.d`
 * beside `data.d.json`): what an expression the plan cannot show is made of.
 */
export function referencesOf(expression: unknown): string[] {
  const list =
    typeof expression === "object" && expression !== null && "references" in expression
      ? (expression as { references: unknown }).references
      : undefined;
  const references = [...new Set(Array.isArray(list) ? list.filter((item) => typeof item === "string") : [])];
  return references.filter(
    (reference) => !references.some((other) => other !== reference && other.startsWith(reference)),
  );
}
