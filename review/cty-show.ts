/**
 * A decoded cty value as `terraform show -json` prints a change's `after` (jsonplan's omitUnknowns)
 * and `after_unknown` (its unknownAsBool).
 */
import { type CtyValue, UNKNOWN } from "./cty-msgpack.js";

/** True when no part of the value is unknown. */
export function isWhollyKnown(value: CtyValue): boolean {
  if (value === UNKNOWN) return false;
  if (Array.isArray(value)) return value.every(isWhollyKnown);
  if (value instanceof Map) return [...value.values()].every(isWhollyKnown);
  return true;
}

/**
 * The value as show prints `after`: unknown attributes left out, unknown elements of a list or set
 * as null (their position is what after_unknown refers to).
 */
export function knownPart(value: CtyValue): unknown {
  if (value === UNKNOWN) return null;
  if (Array.isArray(value)) return value.map(knownPart);
  if (value instanceof Map)
    return Object.fromEntries([...value].filter(([, child]) => child !== UNKNOWN).map(([k, v]) => [k, knownPart(v)]));
  return value;
}

/**
 * The mask show prints as `after_unknown`: true where unknown; in objects and maps, known entries are
 * left out; in lists and sets, each element has its entry (false when known).
 */
export function unknownMask(value: CtyValue): unknown {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.map(unknownMask);
  if (value instanceof Map)
    return Object.fromEntries(
      [...value].map(([key, child]) => [key, unknownMask(child)] as const).filter(([, mask]) => mask !== false),
    );
  return false;
}
