/**
 * Resource instance and provider addresses as a saved plan writes them (Terraform's own string
 * forms, e.g. `module.app["a"].aws_sqs_queue.work[0]`, `provider["registry.terraform.io/hashicorp/aws"]`),
 * parsed into the parts `terraform show -json` prints, and sorted in show's order. Only forms this
 * reader can write back byte for byte are accepted: anything else is undefined.
 */

type InstanceKey = number | string | undefined;

export interface InstanceAddress {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: number | string;
  /** Module calls, outermost first, each with its instance key. */
  readonly modules: readonly { readonly name: string; readonly key: InstanceKey }[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** Words that start other kinds of address, never a managed resource's type. */
const RESERVED = new Set(["data", "module", "resource", "ephemeral", "list", "action", "provider", "var", "local"]);

/** The parts of a resource instance address; undefined unless it is one this reader can write back. */
export function parseInstanceAddress(address: string): InstanceAddress | undefined {
  const cursor = { rest: address };
  const modules: { name: string; key: InstanceKey }[] = [];
  while (cursor.rest.startsWith("module.")) {
    cursor.rest = cursor.rest.slice("module.".length);
    const name = identifier(cursor);
    const key = instanceKey(cursor);
    if (name === undefined || key === null || !cursor.rest.startsWith(".")) return undefined;
    cursor.rest = cursor.rest.slice(1);
    modules.push({ name, key });
  }
  const mode = cursor.rest.startsWith("data.") ? "data" : "managed";
  if (mode === "data") cursor.rest = cursor.rest.slice("data.".length);
  const type = identifier(cursor);
  if (type === undefined || RESERVED.has(type) || !cursor.rest.startsWith(".")) return undefined;
  cursor.rest = cursor.rest.slice(1);
  const name = identifier(cursor);
  const index = instanceKey(cursor);
  if (name === undefined || index === null || cursor.rest !== "") return undefined;
  const parsed = { address, mode, type, name, ...(index === undefined ? {} : { index }), modules } as const;
  return formatAddress(parsed) === address ? parsed : undefined;
}

/**
 * The provider's source address (what show prints as provider_name) from a provider configuration
 * address such as `module.a.provider["registry.terraform.io/hashicorp/aws"].east`.
 */
export function parseProviderConfig(config: string): string | undefined {
  const match =
    /^(?:module\.[A-Za-z_][A-Za-z0-9_-]*\.)*provider\["([a-z0-9.-]+(?:\/[a-z0-9_-]+){2})"\](?:\.[A-Za-z_][A-Za-z0-9_-]*)?$/.exec(
      config,
    );
  return match?.[1];
}

/** Terraform's order of resource changes (jsonplan): by module path, data before managed, type, name, key, deposed key. */
export function compareInstances(
  a: { readonly address: InstanceAddress; readonly deposed: string },
  b: { readonly address: InstanceAddress; readonly deposed: string },
): number {
  const left = a.address;
  const right = b.address;
  if (left.modules.length !== right.modules.length) return left.modules.length - right.modules.length;
  for (let depth = 0; depth < left.modules.length; depth += 1) {
    const l = left.modules[depth] as InstanceAddress["modules"][number];
    const r = right.modules[depth] as InstanceAddress["modules"][number];
    const order = compareStrings(l.name, r.name) || compareKeys(l.key, r.key);
    if (order !== 0) return order;
  }
  if (left.mode !== right.mode) return left.mode === "data" ? -1 : 1;
  return (
    compareStrings(left.type, right.type) ||
    compareStrings(left.name, right.name) ||
    compareKeys(left.index, right.index) ||
    compareStrings(a.deposed, b.deposed)
  );
}

/** No key first, then numbers, then strings (Terraform's InstanceKeyLess). */
function compareKeys(a: InstanceKey, b: InstanceKey): number {
  const rank = (key: InstanceKey) => (key === undefined ? 0 : typeof key === "number" ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === "number" && typeof b === "number") return a - b;
  return compareStrings(String(a ?? ""), String(b ?? ""));
}

/** Go compares strings byte by byte; the keys here are printable ASCII, where that is code unit order. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function identifier(cursor: { rest: string }): string | undefined {
  const match = IDENTIFIER.exec(cursor.rest);
  if (!match) return undefined;
  cursor.rest = cursor.rest.slice(match[0].length);
  return match[0];
}

/** `[3]` or `["key"]` (HCL-quoted); undefined when there is none, null when it is not readable. */
function instanceKey(cursor: { rest: string }): InstanceKey | null {
  if (!cursor.rest.startsWith("[")) return undefined;
  const number = /^\[(0|[1-9][0-9]{0,14})\]/.exec(cursor.rest);
  if (number) {
    cursor.rest = cursor.rest.slice(number[0].length);
    return Number(number[1]);
  }
  const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(cursor.rest);
  if (!quoted) return null;
  cursor.rest = cursor.rest.slice(quoted[0].length);
  return unquote(quoted[1] as string);
}

/** HCL's quoted string as Terraform writes keys: \n \r \t \" \\ escapes, `$${` and `%%{` for `${` and `%{`. */
function unquote(raw: string): string | null {
  let value = "";
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw[index] as string;
    if (char === "\\") {
      const escaped = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" }[raw[index + 1] ?? ""];
      if (escaped === undefined) return null;
      value += escaped;
      index += 1;
    } else if ((char === "$" || char === "%") && raw[index + 1] === char && raw[index + 2] === "{") {
      value += char;
      index += 1;
    } else value += char;
  }
  return value;
}

function quote(value: string): string | undefined {
  let quoted = '"';
  for (let index = 0; index < value.length; index += 1) {
    const char = value[index] as string;
    const escaped = { "\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\" }[char];
    if (escaped) quoted += escaped;
    else if (char === "$" || char === "%") quoted += value[index + 1] === "{" ? char + char : char;
    // Outside printable ASCII, Terraform's choice between the character and an escape follows Go's
    // unicode.IsPrint; this reader does not guess it.
    else if (char < " " || char > "~") return undefined;
    else quoted += char;
  }
  return `${quoted}"`;
}

function formatKey(key: InstanceKey): string | undefined {
  if (key === undefined) return "";
  if (typeof key === "number") return `[${key}]`;
  const quoted = quote(key);
  return quoted === undefined ? undefined : `[${quoted}]`;
}

function formatAddress(address: Omit<InstanceAddress, "address">): string | undefined {
  const parts: string[] = [];
  for (const module of address.modules) {
    const key = formatKey(module.key);
    if (key === undefined) return undefined;
    parts.push(`module.${module.name}${key}`);
  }
  const key = formatKey(address.index);
  if (key === undefined) return undefined;
  parts.push(`${address.mode === "data" ? "data." : ""}${address.type}.${address.name}${key}`);
  return parts.join(".");
}
