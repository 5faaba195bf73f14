/**
 * The plan's configuration, indexed so that an expression's `references` resolve to the resources they
 * name, through module input variables and outputs: in a plan of new resources, references are the
 * only link between a queue and what uses it, since ARNs and URLs are unknown until apply.
 */
import type { JsonObject, ModuleConfiguration, PlanJson } from "../plan-json.js";

/** Reference heads that name no resource. */
const NOT_RESOURCES = ["local", "each", "count", "path", "terraform", "self"];
/** Deeper than any real module tree: stops a variable that (wrongly) refers to itself. */
const MAX_DEPTH = 16;

export class ConfigurationIndex {
  private readonly modules = new Map<string, ModuleConfiguration>();
  private readonly resources = new Map<string, JsonObject>();

  constructor(plan: PlanJson) {
    this.index(plan.configuration?.root_module ?? {}, []);
  }

  private index(module: ModuleConfiguration, path: string[]): void {
    this.modules.set(path.join("."), module);
    for (const resource of module.resources ?? []) {
      this.resources.set(modulePrefix(path) + resource.address, resource.expressions ?? {});
    }
    for (const [name, call] of Object.entries(module.module_calls ?? {}))
      this.index(call.module ?? {}, [...path, name]);
  }

  /** A resource's configuration expressions, by configuration address; undefined when the plan has none. */
  expressionsOf(configAddress: string): JsonObject | undefined {
    return this.resources.get(configAddress);
  }

  /** The configuration addresses an expression refers to, following module variables and outputs. */
  resolve(modulePath: readonly string[], expression: unknown, depth = 0): string[] {
    const found = new Set<string>();
    if (depth > MAX_DEPTH) return [];
    for (const reference of collectReferences(expression)) {
      const [head, second, third] = stripInstanceKeys(reference).split(".");
      if (head === undefined || second === undefined) continue;
      if (head === "var") {
        const name = modulePath.at(-1);
        if (name === undefined) continue;
        const parent = modulePath.slice(0, -1);
        const argument = this.modules.get(parent.join("."))?.module_calls?.[name]?.expressions?.[second];
        for (const address of this.resolve(parent, argument, depth + 1)) found.add(address);
      } else if (head === "module") {
        if (third === undefined) continue;
        const child = [...modulePath, second];
        const output = this.modules.get(child.join("."))?.outputs?.[third];
        for (const address of this.resolve(child, output?.expression, depth + 1)) found.add(address);
      } else if (head === "data") {
        if (third !== undefined) found.add(`${modulePrefix(modulePath)}data.${second}.${third}`);
      } else if (!NOT_RESOURCES.includes(head)) {
        found.add(`${modulePrefix(modulePath)}${head}.${second}`);
      }
    }
    return [...found];
  }
}

/** Strips instance keys (`[0]`, `["a"]`) from an address or reference, respecting quotes. */
export function stripInstanceKeys(address: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const ch = address.charAt(i);
    if (depth > 0) {
      if (quoted) {
        if (ch === "\\") i++;
        else if (ch === '"') quoted = false;
      } else if (ch === '"') quoted = true;
      else if (ch === "[") depth++;
      else if (ch === "]") depth--;
      continue;
    }
    if (ch === "[") depth = 1;
    else out += ch;
  }
  return out;
}

/** `["a", "b"]` from `module.a.module.b.aws_x.y` (instance keys already stripped). */
export function modulePathOf(configAddress: string): string[] {
  const parts = configAddress.split(".");
  const path: string[] = [];
  for (let i = 0; i + 1 < parts.length && parts[i] === "module"; i += 2) path.push(parts[i + 1] ?? "");
  return path;
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
