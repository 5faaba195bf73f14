/**
 * The resource changes of a saved plan read from the plan file itself, with the values
 * `terraform show -json` gives: show loads every provider's schema first (some 3 CPU-seconds for AWS).
 *
 * The plan file is a zip whose `tfplan` entry is Terraform's internal protobuf message (planproto
 * `Plan`, format 3 in Terraform 1.11). That format is not a public interface, so this reader is
 * deliberately narrow: anything it does not know for certain (another Terraform version, another
 * format, an action or reason it does not know, a value only the schema could print) returns
 * undefined, and the caller asks terraform instead.
 */
import { readFileSync } from "node:fs";
import { CtyValueError, decodeCtyValue, UNKNOWN } from "./cty-msgpack.js";
import { isWhollyKnown, knownPart, unknownMask } from "./cty-show.js";
import {
  compareInstances,
  type InstanceAddress,
  parseInstanceAddress,
  parseProviderConfig,
} from "./plan-file-addresses.js";
import { PlanZipError, zipEntry } from "./plan-file-zip.js";
import type { ResourceChange } from "./plan-json.js";
import { readFields, type WireField, WireFormatError } from "./protobuf-wire.js";

export interface PlanFileChanges {
  readonly resource_changes: ResourceChange[];
}

/** The plan is not one this reader knows for certain; the caller asks terraform. */
class UnreadablePlan extends Error {
  override readonly name = "UnreadablePlan";
}

/** The only planproto format this reader knows (Terraform 1.11 writes 3). */
const PLAN_FORMAT_VERSION = 3n;

/** planproto field numbers this reader uses. */
const PLAN = { version: 1, resourceChanges: 3, terraformVersion: 14, complete: 26 } as const;
const INSTANCE_CHANGE = { deposedKey: 7, provider: 8, change: 9, requiredReplace: 11, actionReason: 12, addr: 13 };
const CHANGE = { action: 1, values: 2, importing: 5 } as const;
const DYNAMIC_VALUE = { msgpack: 1 } as const;
const PATH = { steps: 1 } as const;
const PATH_STEP = { attributeName: 1, elementKey: 2 } as const;

/** planproto's Action: show's actions, and which of the change's values are before and after. */
const ACTIONS: ReadonlyMap<bigint, { actions: string[]; before?: number; after?: number; values: number }> = new Map([
  [0n, { actions: ["no-op"], before: 0, after: 0, values: 1 }],
  [1n, { actions: ["create"], after: 0, values: 1 }],
  [2n, { actions: ["read"], before: 0, after: 1, values: 2 }],
  [3n, { actions: ["update"], before: 0, after: 1, values: 2 }],
  [5n, { actions: ["delete"], before: 0, values: 1 }],
  [6n, { actions: ["delete", "create"], before: 0, after: 1, values: 2 }],
  [7n, { actions: ["create", "delete"], before: 0, after: 1, values: 2 }],
  [8n, { actions: ["forget"], before: 0, values: 1 }],
  [9n, { actions: ["create", "forget"], before: 0, after: 1, values: 2 }],
]);

/** planproto's ResourceInstanceActionReason, as show names it (NONE: no action_reason). */
const ACTION_REASONS: readonly (string | undefined)[] = [
  undefined,
  "replace_because_tainted",
  "replace_by_request",
  "replace_because_cannot_update",
  "delete_because_no_resource_config",
  "delete_because_wrong_repetition",
  "delete_because_count_index",
  "delete_because_each_key",
  "delete_because_no_module",
  "replace_by_triggers",
  "read_because_config_unknown",
  "read_because_dependency_pending",
  "delete_because_no_move_target",
  "read_because_check_nested",
];

/** The resource changes of a saved plan (`terraform plan -out=plan.bin`), read without terraform. */
export function readPlanFile(planFile: string, terraformVersion: string): PlanFileChanges | undefined {
  const bytes = readFileSync(planFile);
  try {
    return readPlan(zipEntry(bytes, "tfplan"), terraformVersion);
  } catch (error) {
    const unreadable = [UnreadablePlan, PlanZipError, WireFormatError, CtyValueError];
    if (unreadable.some((kind) => error instanceof kind)) return undefined;
    throw error;
  }
}

function readPlan(tfplan: Uint8Array, terraformVersion: string): PlanFileChanges {
  const fields = readFields(tfplan);
  // Go's protobuf writes fields in number order, and a plan always ends with `complete` (or later
  // fields): a file cut at a field boundary still parses, so these two checks are what refuse it.
  for (let index = 1; index < fields.length; index += 1) {
    if ((fields[index] as WireField).number < (fields[index - 1] as WireField).number)
      throw new UnreadablePlan("tfplan's fields are out of order");
  }
  if (varint(single(fields, PLAN.version)) !== PLAN_FORMAT_VERSION) throw new UnreadablePlan("another plan format");
  if (text(single(fields, PLAN.terraformVersion)) !== terraformVersion)
    throw new UnreadablePlan("made by another Terraform version");
  if (varint(single(fields, PLAN.complete)) !== 1n) throw new UnreadablePlan("an incomplete plan (e.g. -target)");
  const changes = fields
    .filter((field) => field.number === PLAN.resourceChanges)
    .map((field) => resourceChange(bytesOf(field)))
    .sort(compareInstances);
  for (let index = 1; index < changes.length; index += 1) {
    if (compareInstances(changes[index - 1] as SortableChange, changes[index] as SortableChange) === 0)
      throw new UnreadablePlan(`two changes of ${changes[index]?.address.address}`);
  }
  // Show leaves out the deletes of data sources: they only tidy the state.
  return {
    resource_changes: changes
      .map((sortable) => sortable.change)
      .filter((change) => !(change.mode === "data" && change.change.actions.join() === "delete")),
  };
}

interface SortableChange {
  readonly address: InstanceAddress;
  readonly deposed: string;
  readonly change: ResourceChange;
}

function resourceChange(bytes: Uint8Array): SortableChange {
  const fields = readFields(bytes);
  const addr = text(single(fields, INSTANCE_CHANGE.addr));
  const address = parseInstanceAddress(addr);
  if (!address) throw new UnreadablePlan(`the address ${JSON.stringify(addr)} is not one this reader knows`);
  const provider = text(single(fields, INSTANCE_CHANGE.provider));
  const providerName = parseProviderConfig(provider);
  if (!providerName) throw new UnreadablePlan(`the provider ${JSON.stringify(provider)} is not one this reader knows`);
  const deposed = optionalText(fields, INSTANCE_CHANGE.deposedKey) ?? "";
  const reasonCode = optionalVarint(fields, INSTANCE_CHANGE.actionReason) ?? 0n;
  const actionReason = reasonCode < BigInt(ACTION_REASONS.length) ? ACTION_REASONS[Number(reasonCode)] : null;
  if (actionReason === null) throw new UnreadablePlan(`action reason ${reasonCode} is not one this reader knows`);
  const replacePaths = fields.filter((field) => field.number === INSTANCE_CHANGE.requiredReplace).map(path);
  const resourceChange: ResourceChange = {
    address: address.address,
    mode: address.mode,
    type: address.type,
    name: address.name,
    ...(address.index === undefined ? {} : { index: address.index }),
    provider_name: providerName,
    ...(deposed ? { deposed } : {}),
    ...(actionReason ? { action_reason: actionReason } : {}),
    change: {
      ...change(bytesOf(single(fields, INSTANCE_CHANGE.change))),
      ...(replacePaths.length > 0 ? { replace_paths: replacePaths } : {}),
    },
  };
  return { address, deposed, change: resourceChange };
}

function change(bytes: Uint8Array): ResourceChange["change"] {
  const fields = readFields(bytes);
  const code = optionalVarint(fields, CHANGE.action) ?? 0n;
  const action = ACTIONS.get(code);
  if (!action) throw new UnreadablePlan(`action ${code} is not one this reader knows`);
  // Show tells an import only in `importing`, which ResourceChange does not carry: an import planned
  // as a no-op must not pass for nothing to do.
  if (optional(fields, CHANGE.importing)) throw new UnreadablePlan("an import, which show alone describes");
  const values = fields.filter((field) => field.number === CHANGE.values).map(dynamicValue);
  if (values.length !== action.values) throw new UnreadablePlan(`${values.length} values for ${action.actions}`);
  const before = action.before === undefined ? null : values[action.before];
  const after = action.after === undefined ? null : values[action.after];
  if (before === undefined || after === undefined) throw new UnreadablePlan("a value is missing");
  // Show prints `before` as it is (it cannot hold unknowns), and `after` as its known part, with the
  // mask of the rest; a value unknown as a whole it cannot print.
  if (!isWhollyKnown(before)) throw new UnreadablePlan("unknown values before the change");
  const known = isWhollyKnown(after);
  if (after === UNKNOWN) throw new UnreadablePlan("a value unknown as a whole");
  return {
    actions: action.actions,
    before: knownPart(before),
    after: knownPart(after),
    after_unknown: known ? {} : unknownMask(after),
  };
}

function dynamicValue(field: WireField) {
  const msgpack = single(readFields(bytesOf(field)), DYNAMIC_VALUE.msgpack);
  const bytes = bytesOf(msgpack);
  if (bytes.length === 0) throw new UnreadablePlan("a value without its msgpack form");
  return decodeCtyValue(bytes);
}

/** A replace path as show prints it: attribute names and map keys as strings, list indexes as numbers. */
function path(field: WireField): unknown[] {
  return readFields(bytesOf(field))
    .filter((step) => step.number === PATH.steps)
    .map((step) => {
      const selector = readFields(bytesOf(step));
      if (selector.length !== 1) throw new UnreadablePlan("a path step with other than one selector");
      const [only] = selector as [WireField];
      if (only.number === PATH_STEP.attributeName) return text(only);
      if (only.number !== PATH_STEP.elementKey) throw new UnreadablePlan("a path step this reader does not know");
      const key = dynamicValue(only);
      if (typeof key !== "string" && typeof key !== "number")
        throw new UnreadablePlan("a path key not a string or number");
      return key;
    });
}

function single(fields: readonly WireField[], number: number): WireField {
  const found = fields.filter((field) => field.number === number);
  if (found.length !== 1) throw new UnreadablePlan(`field ${number} appears ${found.length} times`);
  return found[0] as WireField;
}

function optional(fields: readonly WireField[], number: number): WireField | undefined {
  const found = fields.filter((field) => field.number === number);
  if (found.length > 1) throw new UnreadablePlan(`field ${number} appears ${found.length} times`);
  return found[0];
}

function optionalVarint(fields: readonly WireField[], number: number): bigint | undefined {
  const field = optional(fields, number);
  return field === undefined ? undefined : varint(field);
}

function optionalText(fields: readonly WireField[], number: number): string | undefined {
  const field = optional(fields, number);
  return field === undefined ? undefined : text(field);
}

function varint(field: WireField): bigint {
  if (field.kind !== "varint") throw new UnreadablePlan(`field ${field.number} is not a varint`);
  return field.value;
}

function bytesOf(field: WireField): Uint8Array {
  if (field.kind !== "bytes") throw new UnreadablePlan(`field ${field.number} is not length-delimited`);
  return field.value;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function text(field: WireField): string {
  try {
    return utf8.decode(bytesOf(field));
  } catch (error) {
    if (error instanceof UnreadablePlan) throw error;
    throw new UnreadablePlan(`field ${field.number} is not UTF-8 text`);
  }
}
