/**
 * Terraform's plan JSON (`terraform show -json <planfile>`, format 1.x), typed once for every reader in
 * review/, and the one parse that refuses anything else: a wrong input must fail, never read as "no change".
 */

/** The input is not what `terraform show -json <planfile>` prints. */
export class PlanFormatError extends Error {
  override readonly name = "PlanFormatError";
}

export type JsonObject = Record<string, unknown>;

export interface PlanJson {
  readonly format_version: string;
  readonly planned_values?: JsonObject;
  readonly resource_changes?: readonly ResourceChange[];
  readonly configuration?: Configuration;
  readonly prior_state?: PriorState;
}

/** One resource instance Terraform plans to create, update, delete, read, or leave as it is. */
export interface ResourceChange {
  /** The instance address, e.g. `module.app["a"].aws_sqs_queue.work[0]`. */
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  /** Terraform always prints it; plans written by hand may leave it out. */
  readonly provider_name?: string;
  /** The key of an object Terraform keeps as deposed (a failed create-before-destroy). */
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: Change;
}

interface Change {
  /** E.g. `["create"]`, `["delete", "create"]` (a replacement), `["no-op"]`. */
  readonly actions: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
  /** `true`, or a mask shaped like `after`, where a value is known only after apply. */
  readonly after_unknown?: unknown;
  /** The attribute paths that force a replacement. */
  readonly replace_paths?: readonly (readonly unknown[])[];
}

interface Configuration {
  readonly root_module?: ModuleConfiguration;
}

export interface ModuleConfiguration {
  readonly resources?: readonly ResourceConfiguration[];
  readonly module_calls?: Readonly<Record<string, ModuleCall>>;
  readonly outputs?: Readonly<Record<string, { readonly expression?: unknown }>>;
}

interface ResourceConfiguration {
  /** The address inside its module, without instance keys: `aws_sqs_queue.work`. */
  readonly address: string;
  /** Attribute name to an expression (`constant_value`, `references`), or to a list of nested blocks. */
  readonly expressions?: JsonObject;
  /** What `each.value` is an element of; absent without for_each, or when neither constant nor a reference. */
  readonly for_each_expression?: unknown;
}

interface ModuleCall {
  /** The module's input variables, as expressions of the calling module. */
  readonly expressions?: JsonObject;
  /** As a resource's: what `each.value` is an element of in the call's arguments. */
  readonly for_each_expression?: unknown;
  readonly module?: ModuleConfiguration;
}

interface PriorState {
  readonly values?: { readonly root_module?: StateModule };
}

export interface StateModule {
  readonly resources?: readonly StateResource[];
  readonly child_modules?: readonly StateModule[];
}

interface StateResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly values?: JsonObject;
}

/**
 * How deeply a plan may nest: the readers walk it recursively, and a stack overflow must never pass
 * for a verdict. Terraform's plans of this project nest 13 levels; 256 leaves room for deep modules.
 */
export const MAX_PLAN_DEPTH = 256;

/**
 * The plan, checked for the shape every reader relies on; throws PlanFormatError naming the first
 * thing that is wrong. The input is returned as it is, not copied.
 */
export function parsePlan(input: unknown): PlanJson {
  refuseDeepNesting(input);
  if (!isObject(input))
    throw new PlanFormatError(`not a Terraform plan JSON: expected an object, got ${describe(input)}`);
  if (typeof input.format_version !== "string" || !("resource_changes" in input || "planned_values" in input)) {
    const what =
      "values" in input
        ? "a state (terraform show -json without a plan file)"
        : typeof input.format_version === "string"
          ? "an object without resource_changes or planned_values"
          : "an object without format_version";
    throw new PlanFormatError(`not a Terraform plan JSON (terraform show -json <planfile>): got ${what}`);
  }
  if (!input.format_version.startsWith("1.")) {
    fail("format_version", `${JSON.stringify(input.format_version)}, a format this review does not read (1.x)`);
  }
  optionalObject(input.planned_values, "planned_values");
  list(input.resource_changes, "resource_changes", resourceChange);
  const configuration = optionalObject(input.configuration, "configuration");
  if (configuration) moduleConfiguration(configuration.root_module, "configuration.root_module");
  const values = optionalObject(optionalObject(input.prior_state, "prior_state")?.values, "prior_state.values");
  if (values) stateModule(values.root_module, "prior_state.values.root_module");
  return input as unknown as PlanJson;
}

/** Throws PlanFormatError when the value nests deeper than MAX_PLAN_DEPTH; iterative, so it cannot overflow. */
function refuseDeepNesting(input: unknown): void {
  const values: unknown[] = [input];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() ?? 0;
    if (typeof value !== "object" || value === null) continue;
    if (depth > MAX_PLAN_DEPTH) {
      throw new PlanFormatError(
        `not a Terraform plan this review reads: it nests deeper than ${MAX_PLAN_DEPTH} levels (at ${deepestPath(input)})`,
      );
    }
    if (Array.isArray(value)) {
      for (const child of value) {
        values.push(child);
        depths.push(depth + 1);
      }
    } else {
      for (const key in value) {
        values.push((value as JsonObject)[key]);
        depths.push(depth + 1);
      }
    }
  }
}

/** Where the value first nests deeper than MAX_PLAN_DEPTH, as a short path (depth-first, iterative). */
function deepestPath(input: unknown): string {
  const path: (string | number)[] = [];
  const pending: { value: unknown; keys: (string | number)[]; next: number }[] = [];
  const enter = (value: unknown) => {
    if (typeof value !== "object" || value === null) return false;
    const keys = Array.isArray(value) ? value.map((_child, index) => index) : Object.keys(value);
    pending.push({ value, keys, next: 0 });
    return true;
  };
  enter(input);
  for (let top = pending.at(-1); top !== undefined && pending.length <= MAX_PLAN_DEPTH; top = pending.at(-1)) {
    const key = top.keys[top.next];
    if (key === undefined) {
      pending.pop();
      path.pop();
      continue;
    }
    top.next += 1;
    path.push(key);
    if (!enter((top.value as Record<string | number, unknown>)[key])) path.pop();
  }
  const show = (part: readonly (string | number)[]) =>
    part.map((key) => (typeof key === "number" ? `[${key}]` : `.${describeKey(key)}`)).join("");
  const shown =
    path.length > 8
      ? `${show(path.slice(0, 6))}[... ${path.length - 7} levels ...]${show(path.slice(-1))}`
      : show(path);
  return shown.replace(/^\./, "") || "the top level";
}

function describeKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,40}$/.test(key)
    ? key
    : JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key);
}

function resourceChange(value: unknown, path: string): void {
  const change = object(value, path);
  string(change.address, `${path}.address`);
  mode(change.mode, `${path}.mode`);
  string(change.type, `${path}.type`);
  string(change.name, `${path}.name`);
  if (change.index !== undefined && typeof change.index !== "string" && typeof change.index !== "number")
    fail(`${path}.index`, `${describe(change.index)}, expected a string or a number`);
  for (const key of ["provider_name", "deposed", "action_reason"]) {
    if (change[key] !== undefined) string(change[key], `${path}.${key}`);
  }
  const inner = object(change.change, `${path}.change`);
  const actions = inner.actions;
  if (!Array.isArray(actions) || actions.some((action) => typeof action !== "string"))
    fail(`${path}.change.actions`, `${describe(actions)}, expected a list of strings`);
  list(inner.replace_paths, `${path}.change.replace_paths`, (replacePath, at) => {
    if (!Array.isArray(replacePath)) fail(at, `${describe(replacePath)}, expected a list`);
  });
}

function moduleConfiguration(value: unknown, path: string): void {
  const module = optionalObject(value, path);
  if (!module) return;
  list(module.resources, `${path}.resources`, (resource, at) => {
    string(object(resource, at).address, `${at}.address`);
    optionalObject(object(resource, at).expressions, `${at}.expressions`);
  });
  for (const [name, call] of Object.entries(optionalObject(module.module_calls, `${path}.module_calls`) ?? {})) {
    const at = `${path}.module_calls.${name}`;
    optionalObject(object(call, at).expressions, `${at}.expressions`);
    moduleConfiguration(object(call, at).module, `${at}.module`);
  }
  for (const [name, output] of Object.entries(optionalObject(module.outputs, `${path}.outputs`) ?? {})) {
    object(output, `${path}.outputs.${name}`);
  }
}

function stateModule(value: unknown, path: string): void {
  const module = optionalObject(value, path);
  if (!module) return;
  list(module.resources, `${path}.resources`, (resource, at) => {
    const fields = object(resource, at);
    string(fields.address, `${at}.address`);
    mode(fields.mode, `${at}.mode`);
    string(fields.type, `${at}.type`);
    optionalObject(fields.values, `${at}.values`);
  });
  list(module.child_modules, `${path}.child_modules`, stateModule);
}

function fail(path: string, found: string): never {
  throw new PlanFormatError(`not a Terraform plan JSON: ${path} is ${found}`);
}

function object(value: unknown, path: string): JsonObject {
  if (!isObject(value)) fail(path, `${describe(value)}, expected an object`);
  return value;
}

function optionalObject(value: unknown, path: string): JsonObject | undefined {
  return value === undefined ? undefined : object(value, path);
}

/** An optional list whose elements each pass `element`. */
function list(value: unknown, path: string, element: (value: unknown, path: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(path, `${describe(value)}, expected a list`);
  value.forEach((item, index) => {
    element(item, `${path}[${index}]`);
  });
}

function string(value: unknown, path: string): void {
  if (typeof value !== "string") fail(path, `${describe(value)}, expected a string`);
}

function mode(value: unknown, path: string): void {
  if (value !== "managed" && value !== "data") fail(path, `${describe(value)}, expected "managed" or "data"`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "missing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}
