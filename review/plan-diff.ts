/** The attribute-level difference of each resource change of a plan, as a reviewer reads it. */
import type { ResourceChange } from "./plan-json.js";

/** How Terraform will carry a change out, in words a reviewer scans for. */
type Action = "create" | "update" | "replace" | "delete";

interface AttributeChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  /** This attribute forces the replacement. */
  readonly forcesReplacement: boolean;
}

export interface ResourceDiff {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  readonly attributes: readonly AttributeChange[];
}

/** Attributes that only mirror others (provider default tags) or change on every plan. */
const NOISE = new Set(["tags_all"]);
const MAX_VALUE_CHARS = 120;

function actionOf(actions: readonly string[]): Action | undefined {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("create")) return "create";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("update")) return "update";
  return undefined;
}

/** The attribute-level difference of one resource change; unchanged attributes are left out. */
export function diffResource(change: ResourceChange): ResourceDiff | undefined {
  const action = actionOf(change.change.actions);
  if (!action) return undefined;
  const replacing = new Set((change.change.replace_paths ?? []).map((path) => path.join(".")));
  const attributes: AttributeChange[] = [];
  if (action === "update" || action === "replace") {
    walk(
      change.change.before,
      change.change.after,
      change.change.after_unknown,
      "",
      replacing,
      (path, before, after) => {
        attributes.push({ path, before, after, forcesReplacement: replacing.has(path) });
      },
    );
  }
  return { address: change.address, type: change.type, action, attributes };
}

function walk(
  before: unknown,
  after: unknown,
  unknown: unknown,
  path: string,
  forcing: ReadonlySet<string>,
  emit: (path: string, before: string, after: string) => void,
): void {
  if (NOISE.has(path.split(".")[0] ?? "")) return;
  if (unknown === true) {
    // Computed values that follow from the change (last_modified, a new ARN, a new table's defaults)
    // tell a reviewer nothing; the base side of them is mostly the review's own stand-ins. Listed only
    // when they are what forces a replacement.
    if (forcing.has(path)) emit(path, show(before), "(known after apply)");
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys)
      walk(
        before[key],
        after[key],
        isObject(unknown) ? unknown[key] : undefined,
        path ? `${path}.${key}` : key,
        forcing,
        emit,
      );
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((element, index) => {
      walk(
        element,
        after[index],
        Array.isArray(unknown) ? unknown[index] : undefined,
        `${path}.${index}`,
        forcing,
        emit,
      );
    });
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) emit(path, show(before), show(after));
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function show(value: unknown): string {
  if (value === undefined || value === null) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;
}
