/**
 * Terraform addresses and references read step by step, instance keys kept as Terraform prints them
 * (`"fast"`, `0`): an address and a reference print the same key the same way, so keys are compared
 * as printed, never decoded and re-encoded.
 */

/** One step of a traversal: `work`, or `work["fast"]` with the key as printed. */
export interface Step {
  readonly name: string;
  /** The first index after the name, as printed (`"fast"`, `0`); undefined without one or for a splat. */
  readonly key: string | undefined;
}

/** A resource instance's address, taken apart. */
export interface InstanceAddress {
  /** The address without instance keys: `module.app.aws_sqs_queue.work`. */
  readonly configAddress: string;
  /** Module call names from the root: `["app"]`. */
  readonly modulePath: readonly string[];
  /** Each module call's instance key, as printed; undefined for a call without count or for_each. */
  readonly moduleKeys: readonly (string | undefined)[];
  /** The resource's instance key, as printed; undefined without count or for_each. */
  readonly key: string | undefined;
}

/** `module.app["a"].aws_sqs_queue.work[0].arn` as steps; dots and brackets inside quotes are not split. */
export function traversal(text: string): Step[] {
  const steps: Step[] = [];
  let name = "";
  let key: string | undefined;
  let index = -1; // inside brackets: where the current index starts
  let depth = 0;
  let quoted = false;
  const push = () => {
    if (name !== "" || key !== undefined) steps.push({ name, key: key === "*" ? undefined : key });
    name = "";
    key = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (depth > 0) {
      if (quoted) {
        if (ch === "\\") i++;
        else if (ch === '"') quoted = false;
      } else if (ch === '"') quoted = true;
      else if (ch === "[") depth++;
      else if (ch === "]" && --depth === 0) key ??= text.slice(index, i);
      continue;
    }
    if (ch === "[") {
      depth = 1;
      index = i + 1;
    } else if (ch === ".") push();
    else name += ch;
  }
  push();
  return steps;
}

/** A resource instance address taken apart; data sources keep their `data.` in the configuration address. */
export function instanceAddress(address: string): InstanceAddress {
  const steps = traversal(address);
  const modulePath: string[] = [];
  const moduleKeys: (string | undefined)[] = [];
  let i = 0;
  for (; i + 2 < steps.length && steps[i]?.name === "module"; i += 2) {
    const call = steps[i + 1];
    modulePath.push(call?.name ?? "");
    moduleKeys.push(call?.key);
  }
  const rest = steps.slice(i);
  return {
    configAddress: [...modulePath.map((name) => `module.${name}`), ...rest.map((step) => step.name)].join("."),
    modulePath,
    moduleKeys,
    key: rest.at(-1)?.key,
  };
}

/** The printed key of a value used as an instance key (`each.value` of a literal map). */
export function keyToken(value: unknown): string | undefined {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  return undefined;
}

/** The value of a printed key: a string key's text, a number key's number. */
export function keyValue(token: string): string | number | undefined {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === "string" || typeof value === "number" ? value : undefined;
  } catch {
    return undefined;
  }
}
