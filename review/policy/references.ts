/**
 * The plan's configuration, indexed so that an expression's `references` resolve to the resource
 * instances they name, through module input variables and outputs: in a plan of new resources,
 * references are the only link between a queue and what uses it, since ARNs and URLs are unknown
 * until apply.
 *
 * With `count` and `for_each`, a reference is resolved per instance. Terraform prints a constant key
 * (`aws_sqs_queue.dlq["fast"]`) in the reference, but a computed one only as the collection and what
 * the key was computed from: `aws_sqs_queue.dlq[each.key]` becomes `aws_sqs_queue.dlq` and `each.key`.
 * So a collection referenced beside `each.key` or `count.index` is read as indexed by the referring
 * instance's own key, when the collection has that key; any other collection reference is read as
 * "one of its instances, the plan does not say which", and the rules treat such a link as possible,
 * never as certain.
 */
import type { JsonObject, ModuleConfiguration, PlanJson } from "../plan-json.js";
import { keyToken, keyValue, type Step, traversal } from "./addresses.js";
import { constantOf } from "./expressions.js";

/** Any instance of a collection: the plan does not say which. */
export const ANY_KEY = "any";

/**
 * Which instances of a block a reference designates: the one with a key (as printed; undefined for a
 * block without count or for_each), or any. A `loose` key is a guess from `each.key` or `count.index`:
 * it designates that instance when the collection has it, else any.
 */
export type KeySelector = { readonly token: string | undefined; readonly loose: boolean } | typeof ANY_KEY;

/** Where an expression is evaluated. */
export interface Scope {
  /** The module instance: call names from the root with their keys. */
  readonly modules: readonly { readonly name: string; readonly key: KeySelector }[];
  /** `each.key` or `count.index` of the block the expression belongs to: its instance key. */
  readonly key: KeySelector;
  /** The block's `for_each` expression, which `each.value` is an element of (evaluated in `modules`). */
  readonly forEach: unknown;
}

/** Instances an expression designates: a configuration address and which of its instances. */
export interface Target {
  readonly configAddress: string;
  /** One selector per module call of the address. */
  readonly modules: readonly KeySelector[];
  readonly key: KeySelector;
  /** True when the reference may mean something else (a module output the plan does not name). */
  readonly uncertain: boolean;
}

/** Reference heads that name no resource. */
const NOT_RESOURCES = ["local", "each", "count", "path", "terraform", "self"];
/** Deeper than any real module tree: stops a variable that (wrongly) refers to itself. */
const MAX_DEPTH = 16;

interface ResourceConfiguration {
  readonly expressions: JsonObject;
  readonly forEach: unknown;
}

export class ConfigurationIndex {
  private readonly modules = new Map<string, ModuleConfiguration>();
  private readonly resources = new Map<string, ResourceConfiguration>();

  constructor(plan: PlanJson) {
    this.index(plan.configuration?.root_module ?? {}, []);
  }

  private index(module: ModuleConfiguration, path: string[]): void {
    this.modules.set(path.join("."), module);
    for (const resource of module.resources ?? []) {
      this.resources.set(modulePrefix(path) + resource.address, {
        expressions: resource.expressions ?? {},
        forEach: resource.for_each_expression,
      });
    }
    for (const [name, call] of Object.entries(module.module_calls ?? {}))
      this.index(call.module ?? {}, [...path, name]);
  }

  /** A resource's configuration expressions, by configuration address; undefined when the plan has none. */
  expressionsOf(configAddress: string): JsonObject | undefined {
    return this.resources.get(configAddress)?.expressions;
  }

  /** A resource's `for_each` expression, when it has one the plan shows. */
  forEachOf(configAddress: string): unknown {
    return this.resources.get(configAddress)?.forEach;
  }

  /** The instances an expression refers to, following module variables and outputs. */
  resolve(scope: Scope, expression: unknown, depth = 0): Target[] {
    if (depth > MAX_DEPTH) return [];
    return this.resolveReferences(scope, collectReferences(expression).map(traversal), depth);
  }

  private resolveReferences(scope: Scope, references: readonly Step[][], depth: number): Target[] {
    const computed = computedKey(scope, references);
    const targets: Target[] = [];
    for (const { subject, key, output } of subjects(references)) {
      const selector: KeySelector = key === undefined ? computed : { token: key, loose: false };
      const [head, name = ""] = subject;
      if (head === "each") targets.push(...this.eachValue(scope, output, depth));
      else if (head === "var") targets.push(...this.variable(scope, name, selector, depth));
      else if (head === "module") targets.push(...this.moduleOutputs(scope, name, selector, output, depth));
      else
        targets.push({
          configAddress: modulePrefix(scope.modules.map((step) => step.name)) + subject.join("."),
          modules: scope.modules.map((step) => step.key),
          key: selector,
          uncertain: false,
        });
    }
    return targets;
  }

  /** `var.name` inside a module instance: the module call's argument, in the calling module. */
  private variable(scope: Scope, name: string, selector: KeySelector, depth: number): Target[] {
    const call = scope.modules.at(-1);
    if (call === undefined) return []; // a root variable: the plan does not say what it refers to
    const parent = scope.modules.slice(0, -1);
    const configuration = this.modules.get(parent.map((step) => step.name).join("."))?.module_calls?.[call.name];
    const parentScope: Scope = { modules: parent, key: call.key, forEach: configuration?.for_each_expression };
    return narrow(this.resolve(parentScope, configuration?.expressions?.[name], depth + 1), selector);
  }

  /** `module.name.output` (or every output, when the plan does not name one) in the called module's instance. */
  private moduleOutputs(
    scope: Scope,
    name: string,
    selector: KeySelector,
    output: string | undefined,
    depth: number,
  ): Target[] {
    const child: Scope = { modules: [...scope.modules, { name, key: selector }], key: NO_KEY, forEach: undefined };
    const outputs = this.modules.get(child.modules.map((step) => step.name).join("."))?.outputs ?? {};
    const names = output === undefined ? Object.keys(outputs) : [output];
    return names.flatMap((outputName) =>
      this.resolve(child, outputs[outputName]?.expression, depth + 1).map((target) =>
        output === undefined ? { ...target, uncertain: true } : target,
      ),
    );
  }

  /**
   * `each.value` (or `each.value.arn`): the element of the block's `for_each` collection with this
   * instance's key, e.g. `aws_sqs_queue.work["fast"]` for `for_each = aws_sqs_queue.work`.
   */
  private eachValue(scope: Scope, attribute: string | undefined, depth: number): Target[] {
    // A guessed key (loose) is not used: the element is then any of the collection's.
    const element = scope.key === ANY_KEY || scope.key.loose ? undefined : scope.key.token;
    const references = collectReferences(scope.forEach)
      .map(traversal)
      .filter((steps) => !NOT_RESOURCES.includes(steps[0]?.name ?? ""))
      .map((steps) => {
        const at = steps[0]?.name === "data" ? 2 : 1;
        const collection = steps[at];
        if (collection === undefined || collection.key !== undefined || element === undefined) return steps;
        const indexed = [...steps.slice(0, at), { name: collection.name, key: element }, ...steps.slice(at + 1)];
        return attribute === undefined ? indexed : [...indexed, { name: attribute, key: undefined }];
      });
    return this.resolveReferences({ modules: scope.modules, key: NO_KEY, forEach: undefined }, references, depth + 1);
  }
}

/** The key of a block without count or for_each. */
const NO_KEY: KeySelector = { token: undefined, loose: false };

function loose(selector: KeySelector): KeySelector {
  return selector === ANY_KEY || selector.token === undefined ? ANY_KEY : { token: selector.token, loose: true };
}

/** Targets of a collection indexed by `selector`: those that designate any instance get the selector's key. */
function narrow(targets: readonly Target[], selector: KeySelector): Target[] {
  if (selector === ANY_KEY) return [...targets];
  return targets.map((target) => (target.key === ANY_KEY ? { ...target, key: selector } : target));
}

/**
 * The key a collection referenced without a constant key is read with: the referring instance's own
 * key when the expression refers to `each.key` or `count.index`; for the whole `each.value` of a
 * literal map (`for_each = { fast = "slow" }`), the value; else any. (A set's `each.value` is its key,
 * but a plan shows no literal set: `toset([...])` is printed without its value.)
 */
function computedKey(scope: Scope, references: readonly Step[][]): KeySelector {
  const is = (steps: readonly Step[], head: string, name: string) => steps[0]?.name === head && steps[1]?.name === name;
  if (references.some((steps) => is(steps, "each", "key") || is(steps, "count", "index"))) return loose(scope.key);
  if (scope.key === ANY_KEY || scope.key.token === undefined) return ANY_KEY;
  if (!references.some((steps) => is(steps, "each", "value") && steps.length === 2)) return ANY_KEY;
  const literal = constantOf(scope.forEach);
  if (typeof literal !== "object" || literal === null || Array.isArray(literal)) return ANY_KEY;
  const key = keyValue(scope.key.token);
  const token = key === undefined ? undefined : keyToken((literal as Record<string, unknown>)[String(key)]);
  return token === undefined ? ANY_KEY : { token, loose: true };
}

interface Subject {
  /** `["aws_sqs_queue", "work"]`, `["data", "aws_iam_policy_document", "p"]`, `["var", "x"]`, `["module", "app"]`, `["each"]` (each.value). */
  readonly subject: readonly string[];
  /** The constant key of the collection, as printed. */
  readonly key: string | undefined;
  /** A module's output, or the attribute of `each.value`. */
  readonly output: string | undefined;
}

/** What the references of one expression name: each resource, variable, module call or `each.value`. */
function subjects(references: readonly Step[][]): Subject[] {
  const found = new Map<string, Subject>();
  for (const steps of references) {
    const [head, second, third] = steps;
    if (head === undefined || second === undefined) continue;
    let subject: Subject | undefined;
    if (head.name === "each") {
      if (second.name === "value") subject = { subject: ["each"], key: undefined, output: third?.name };
    } else if (head.name === "module")
      subject = { subject: ["module", second.name], key: second.key, output: third?.name };
    else if (head.name === "var") subject = { subject: ["var", second.name], key: second.key, output: undefined };
    else if (head.name === "data") {
      if (third !== undefined)
        subject = { subject: ["data", second.name, third.name], key: third.key, output: undefined };
    } else if (!NOT_RESOURCES.includes(head.name))
      subject = { subject: [head.name, second.name], key: second.key, output: undefined };
    if (subject !== undefined)
      found.set(JSON.stringify([subject.subject, subject.key ?? null, subject.output ?? null]), subject);
  }
  // Terraform lists the containers of a reference too: `module.app["a"].out` comes with `module.app["a"]`,
  // and `aws_sqs_queue.dlq["a"]` with `aws_sqs_queue.dlq`. A container adds nothing to what it contains.
  const bySubject = new Map<string, Subject[]>();
  for (const subject of found.values()) {
    const name = subject.subject.join(".");
    bySubject.set(name, [...(bySubject.get(name) ?? []), subject]);
  }
  const contains = (outer: Subject, inner: Subject) =>
    (outer.key === undefined &&
      inner.key !== undefined &&
      (outer.output === undefined || outer.output === inner.output)) ||
    (outer.key === inner.key && outer.output === undefined && inner.output !== undefined);
  return [...bySubject.values()].flatMap((group) =>
    group.filter((subject) => !group.some((other) => other !== subject && contains(subject, other))),
  );
}

function modulePrefix(path: readonly string[]): string {
  return path.map((name) => `module.${name}.`).join("");
}

/** Every `references` list under an expression (an expression, a block list, or nested blocks). */
function collectReferences(expression: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === "object" && value !== null) {
      const fields = value as JsonObject;
      if (Array.isArray(fields.references)) {
        for (const reference of fields.references) if (typeof reference === "string") out.push(reference);
      }
      for (const [key, inner] of Object.entries(fields))
        if (key !== "references" && key !== "constant_value") walk(inner);
    }
  };
  walk(expression);
  return out;
}
