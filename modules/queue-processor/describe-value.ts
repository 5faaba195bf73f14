/** Longest string shown in full in a message; a longer one is cut and its length given. */
const STRING_SHOWN_MAX = 120;
/** Nesting shown inside an object or array before it is summarized. */
const DEPTH_SHOWN_MAX = 3;
/** Entries shown of an object or array before the rest are counted. */
const ENTRIES_SHOWN_MAX = 8;

/**
 * Any value as a message shows it, close to how it was typed: JSON for strings, plain objects and
 * arrays, and by name what JSON cannot say (NaN, Infinity, -0, undefined, 10n, functions, symbols,
 * class instances). Long strings are cut, deep or long objects summarized, cycles named: no value
 * can make the message itself throw or run to megabytes.
 */
export function describeValue(value: unknown): string {
  return describe(value, 0, new Set());
}

function describe(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return describeString(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return value.name ? `function ${value.name}` : "a function";
  }
  if (value === null) return "null";
  const object = value as object;
  if (seen.has(object)) return "(circular)";
  if (Array.isArray(object)) {
    if (depth >= DEPTH_SHOWN_MAX) return `[${count(object.length, "item")}]`;
    // Only what is shown is described: a huge array costs no more than a small one.
    const shown = object.slice(0, ENTRIES_SHOWN_MAX).map((item) => describeChild(item, depth, seen, object));
    return `[${entries(shown, object.length)}]`;
  }
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  if (object instanceof Map || object instanceof Set) return `${object.constructor.name}(${object.size})`;
  const prototype: unknown = Object.getPrototypeOf(object);
  const className =
    prototype === null || prototype === Object.prototype ? "" : `${constructorName(prototype as object) ?? "object"} `;
  const keys = Object.keys(object);
  if (depth >= DEPTH_SHOWN_MAX) return `${className}{${count(keys.length, "key")}}`;
  const shown = keys.slice(0, ENTRIES_SHOWN_MAX).map((key) => {
    const property = readProperty(object, key);
    const described = property === UNREADABLE ? "(unreadable)" : describeChild(property, depth, seen, object);
    return `${describeString(key)}:${described}`;
  });
  return `${className}{${entries(shown, keys.length)}}`;
}

function describeChild(child: unknown, depth: number, seen: Set<object>, parent: object): string {
  seen.add(parent);
  const described = describe(child, depth + 1, seen);
  seen.delete(parent);
  return described;
}

/** The first entries, described, of `total`. */
function entries(shown: readonly string[], total: number): string {
  if (total <= shown.length) return shown.join(",");
  return `${shown.join(",")},... ${total - shown.length} more`;
}

function describeString(value: string): string {
  if (value.length <= STRING_SHOWN_MAX) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, STRING_SHOWN_MAX))}... (${value.length.toLocaleString("en-US")} characters)`;
}

const UNREADABLE = Symbol("unreadable");

/** A property read that a throwing getter cannot turn into a crash of the error message. */
function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

const count = (size: number, noun: string): string => `${size} ${noun}${size === 1 ? "" : "s"}`;

function constructorName(prototype: object): string | undefined {
  try {
    const name: unknown = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? name : undefined;
  } catch {
    return undefined;
  }
}
