/** Strings up to this many characters are quoted whole; longer ones are described by their size. */
const QUOTED_STRING_MAX_CHARS = 40;
/** How deep the description looks into arrays and objects, and how many of their values it visits. */
const MAX_DESCRIBED_DEPTH = 32;
const MAX_VISITED_VALUES = 10_000;

const count = (n: number, noun: string) => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;

/**
 * A short, bounded description of any value, for an error message or a log line: by its type and
 * size, never by serializing it. `"order_deleted"`, `42`, `nothing`, `a string of 255,012
 * characters`, `an object with 1 key, nested more than 32 levels`. Never throws and never recurses,
 * whatever the value's size or depth.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      // JSON.stringify of a string is flat work; it escapes control characters and lone surrogates.
      return value.length <= QUOTED_STRING_MAX_CHARS
        ? JSON.stringify(value)
        : `a string of ${count(value.length, "character")}`;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "object":
      return describeContainer(value);
    default:
      return `a ${typeof value}`;
  }
}

function describeContainer(value: object): string {
  const size = Array.isArray(value) ? value.length : Object.keys(value).length;
  const what = Array.isArray(value)
    ? size === 0
      ? "an empty array"
      : `an array of ${count(size, "item")}`
    : size === 0
      ? "an empty object"
      : `an object with ${count(size, "key")}`;
  const depth = nestingDepth(value);
  if (depth.levels < 2) return what;
  const bound = { exact: "", "more-than": "more than ", "at-least": "at least " }[depth.bound];
  return `${what}, nested ${bound}${depth.levels} levels`;
}

/** Breadth-first, level by level, within a bound on both the depth and the values visited. */
function nestingDepth(root: object): { levels: number; bound: "exact" | "more-than" | "at-least" } {
  let level: object[] = [root];
  let levels = 0;
  let visited = 0;
  while (level.length > 0) {
    levels += 1;
    if (levels > MAX_DESCRIBED_DEPTH) return { levels: MAX_DESCRIBED_DEPTH, bound: "more-than" };
    const next: object[] = [];
    for (const container of level) {
      for (const child of Object.values(container)) {
        if (++visited > MAX_VISITED_VALUES) return { levels: levels + (next.length > 0 ? 1 : 0), bound: "at-least" };
        if (typeof child === "object" && child !== null) next.push(child);
      }
    }
    level = next;
  }
  return { levels, bound: "exact" };
}
