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
import { constantOf, replaceInterpolations, soleInterpolation } from "./expressions.js";

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

  /**
   * The instances an expression is exactly: one `<resource>.<attribute>` per element, and nothing else.
   * Undefined when it may be anything more: a reference to a variable of the root module, a local,
   * another attribute or another resource; a JSON-syntax template with a function call, an operator or
   * text around the interpolation. (HCL shows only references: `replace(x.json, "a", "*")` lists the
   * same ones as `x.json`, and reads as it.) A module variable or output is followed to its expression.
   */
  exactly(scope: Scope, expression: unknown, attribute: string, depth = 0): Target[] | undefined {
    if (depth > MAX_DEPTH || typeof expression !== "object" || expression === null) return undefined;
    const fields = expression as JsonObject;
    let references: string[];
    if ("constant_value" in fields) {
      // JSON syntax shows its text: each element must be one interpolation of a plain reference.
      const elements = Array.isArray(fields.constant_value) ? fields.constant_value : [fields.constant_value];
      references = [];
      for (const element of elements) {
        const reference = typeof element === "string" ? soleInterpolation(replaceInterpolations(element)) : undefined;
        if (reference === undefined || !PLAIN_REFERENCE.test(reference)) return undefined;
        if (!reference.endsWith(`.${attribute}`) && !/^(var|module)\./.test(reference)) return undefined;
        references.push(...terraformReferences(reference));
      }
    } else if (Array.isArray(fields.references)) {
      references = fields.references.filter((reference): reference is string => typeof reference === "string");
    } else return undefined;
    const keyed = references.some((reference) => KEY_REFERENCES.includes(reference));
    const chains = longestChains(references.filter((reference) => !KEY_REFERENCES.includes(reference)).map(traversal));
    if (chains.length === 0 || (keyed && chains.length > 1)) return undefined;
    const targets: Target[] = [];
    for (const steps of chains) {
      const [head, second, third] = steps;
      if (head === undefined || second === undefined) return undefined;
      if (head.name === "var" && steps.length === 2 && !keyed) {
        const call = scope.modules.at(-1);
        if (call === undefined) return undefined; // a root variable: anything the caller passes
        const parent = scope.modules.slice(0, -1);
        const configuration = this.modules.get(parent.map((step) => step.name).join("."))?.module_calls?.[call.name];
        const parentScope: Scope = { modules: parent, key: call.key, forEach: configuration?.for_each_expression };
        const found = this.exactly(parentScope, configuration?.expressions?.[second.name], attribute, depth + 1);
        if (found === undefined) return undefined;
        targets.push(...found);
        continue;
      }
      if (head.name === "module" && steps.length === 3 && third !== undefined && !keyed) {
        const child: Scope = {
          modules: [
            ...scope.modules,
            { name: second.name, key: second.key === undefined ? NO_KEY : { token: second.key, loose: false } },
          ],
          key: NO_KEY,
          forEach: undefined,
        };
        const outputs = this.modules.get(child.modules.map((step) => step.name).join("."))?.outputs ?? {};
        const found = this.exactly(child, outputs[third.name]?.expression, attribute, depth + 1);
        if (found === undefined) return undefined;
        targets.push(...found);
        continue;
      }
      if (["var", "module", "each", ...NOT_RESOURCES].includes(head.name)) return undefined;
      const resourceSteps = head.name === "data" ? 3 : 2;
      const named =
        steps.length === resourceSteps + 1 && steps.at(-1)?.name === attribute && steps.at(-1)?.key === undefined;
      // With a computed key Terraform lists only the collection and each.key: the attribute is not shown.
      const collection = keyed && steps.length === resourceSteps && steps.at(-1)?.key === undefined;
      if (!named && !collection) return undefined;
      const resolved = this.resolveReferences(
        scope,
        [
          steps.slice(0, resourceSteps),
          ...(keyed ? references.filter((r) => KEY_REFERENCES.includes(r)).map(traversal) : []),
        ],
        depth,
      );
      if (resolved.length !== 1) return undefined;
      targets.push(...resolved);
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

/** References that only say which instance: `x[each.key]` is listed as `x` and `each.key`. */
const KEY_REFERENCES = ["each.key", "count.index"];

/** A reference with constant or computed keys, and no function call, operator or space. */
const PLAIN_REFERENCE =
  /^[A-Za-z_][\w-]*(\[("[^"\\]*"|\d+|each\.key|count\.index)\])?(\.[A-Za-z_][\w-]*(\[("[^"\\]*"|\d+|each\.key|count\.index)\])?)*$/;

/** The references Terraform lists for a plain reference: a computed key becomes its own reference. */
function terraformReferences(reference: string): string[] {
  const computed = KEY_REFERENCES.filter((key) => reference.includes(`[${key}]`));
  if (computed.length === 0) return [reference];
  const [key] = computed;
  const at = reference.indexOf(`[${key}]`);
  return [reference.slice(0, at), ...computed];
}

/**
 * The references that are not a prefix of another one (Terraform lists `data.d["a"].json`,
 * `data.d["a"]` and `data.d` for one reference): one per thing referred to.
 */
function longestChains(references: readonly Step[][]): Step[][] {
  const prefixOf = (short: readonly Step[], long: readonly Step[]) =>
    short.length < long.length &&
    short.every(
      (step, index) =>
        step.name === long[index]?.name &&
        (step.key === undefined || step.key === long[index]?.key) &&
        (index === short.length - 1 || step.key === long[index]?.key),
    );
  const unique = [...new Map(references.map((steps) => [JSON.stringify(steps), steps])).values()];
  return unique.filter((steps) => !unique.some((other) => prefixOf(steps, other)));
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
