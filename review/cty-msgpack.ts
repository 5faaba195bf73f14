/**
 * Values of a saved Terraform plan, as cty (Terraform's type system) writes them in msgpack, read
 * without the provider's schema (cty-show.ts prints them as `terraform show -json` does).
 *
 * Msgpack says nearly everything JSON needs: maps are objects, arrays are lists, sets and tuples alike.
 * What it does not say is whether a string is a string or a number too precise for an int64 or a
 * float64, which cty writes as a decimal string. Such a string throws CtyValueError: the caller then
 * asks terraform, which has the schema. Values of a `dynamic` attribute carry their type, and are exact.
 */
import { couldBePreciseNumber, preciseNumber } from "./cty-numbers.js";

/** The bytes are not a cty value this reader can print exactly as terraform would. */
export class CtyValueError extends Error {
  override readonly name = "CtyValueError";
}

/** A value known only after apply. */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** A decoded value: objects and maps are Maps, lists, sets and tuples are arrays. */
export type CtyValue = null | boolean | number | string | typeof UNKNOWN | CtyValue[] | Map<string, CtyValue>;

/** A cty type, as a `dynamic` value names it (cty's type JSON). */
type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | { readonly sequence: CtyType }
  | { readonly map: CtyType }
  | { readonly tuple: readonly CtyType[] }
  | { readonly object: ReadonlyMap<string, CtyType> };

/** Deeper values are refused rather than risk the stack: Terraform's own nest a dozen levels. */
const MAX_DEPTH = 256;

/** cty's extension codes for an unknown value: plain, and with refinements (which JSON does not show). */
const UNKNOWN_EXTENSION = 0;
const REFINED_UNKNOWN_EXTENSION = 12;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes one msgpack-encoded cty value; throws CtyValueError on anything it cannot read exactly. */
export function decodeCtyValue(bytes: Uint8Array): CtyValue {
  const reader = new MsgpackReader(bytes);
  const value = reader.value(undefined, 0);
  if (reader.offset !== bytes.length) throw new CtyValueError(`${bytes.length - reader.offset} bytes follow the value`);
  return value;
}

class MsgpackReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  /** One value; `type` undefined when the schema would say it, and so is not known here. */
  value(type: CtyType | undefined, depth: number): CtyValue {
    if (depth > MAX_DEPTH) throw new CtyValueError(`the value nests deeper than ${MAX_DEPTH} levels`);
    const head = this.peek();
    if (isExtension(head)) return this.unknown();
    if (type === "dynamic") return this.dynamic(depth);
    if (head === 0xc0) {
      this.offset += 1;
      return null;
    }
    if (type === undefined && this.isDynamicPair()) return this.dynamic(depth);
    if (head === 0xc2 || head === 0xc3) {
      this.offset += 1;
      return expect(type, "bool", head === 0xc3);
    }
    const integer = this.integer(head);
    if (integer !== undefined) return expect(type, "number", Number(integer));
    if (head === 0xca || head === 0xcb) return expect(type, "number", this.float(head));
    const text = this.stringHead(head);
    if (text !== undefined) return this.string(text, type);
    const arrayLength = this.arrayHead(head);
    if (arrayLength !== undefined) return this.array(arrayLength, type, depth);
    const mapLength = this.mapHead(head);
    if (mapLength !== undefined) return this.map(mapLength, type, depth);
    throw new CtyValueError(`msgpack byte 0x${head.toString(16)} at ${this.offset} is not part of a cty value`);
  }

  private unknown(): typeof UNKNOWN {
    const head = this.take(1)[0] as number;
    // fixext 1, 2, 4, 8, 16 (0xd4-0xd8) carry their length in the head; ext 8, 16, 32 (0xc7-0xc9) after it.
    const length = head >= 0xd4 ? 1 << (head - 0xd4) : this.unsigned(1 << (head - 0xc7));
    const code = this.take(1)[0];
    // cty writes a plain unknown as a one-byte extension 0; refinements only under code 12.
    const plain = code === UNKNOWN_EXTENSION && length <= 1;
    if (!plain && code !== REFINED_UNKNOWN_EXTENSION)
      throw new CtyValueError(`msgpack extension ${code} of ${length} bytes is not one of cty's unknown values`);
    this.take(length);
    return UNKNOWN;
  }

  /** A `dynamic` value: [type JSON as bin, value of that type], or nil. */
  private dynamic(depth: number): CtyValue {
    const head = this.peek();
    if (head === 0xc0) {
      this.offset += 1;
      return null;
    }
    if (this.arrayHead(head) !== 2) throw new CtyValueError(`a dynamic value is not a [type, value] pair`);
    const binLength = this.binHead(this.peek());
    if (binLength === undefined) throw new CtyValueError("a dynamic value does not start with its type");
    const type = parseType(parseJson(decodeText(this.take(binLength))), 0);
    return this.value(type, depth + 1);
  }

  /** cty writes bin only as the type of a dynamic value, which comes first in a pair. */
  private isDynamicPair(): boolean {
    const start = this.offset;
    try {
      return this.arrayHead(this.peek()) === 2 && this.binHead(this.peek()) !== undefined;
    } finally {
      this.offset = start;
    }
  }

  private string(text: string, type: CtyType | undefined): CtyValue {
    if (type === "string") return text;
    if (type === "number") {
      const number = preciseNumber(text);
      if (number === undefined)
        throw new CtyValueError(`the number ${text.slice(0, 40)} is not one this reader prints`);
      return number;
    }
    if (type !== undefined) throw new CtyValueError(`a string where a ${describeType(type)} belongs`);
    if (couldBePreciseNumber(text))
      throw new CtyValueError(`${JSON.stringify(text)} may be a string or a number; only the schema tells`);
    return text;
  }

  private array(length: number, type: CtyType | undefined, depth: number): CtyValue[] {
    if (type !== undefined && !(typeof type === "object" && ("sequence" in type || "tuple" in type)))
      throw new CtyValueError(`an array where a ${describeType(type)} belongs`);
    if (type && "tuple" in type && length !== 0 && length !== type.tuple.length)
      throw new CtyValueError(`a tuple of ${length} elements where ${type.tuple.length} belong`);
    const items: CtyValue[] = [];
    for (let index = 0; index < length; index += 1) {
      const itemType = type === undefined ? undefined : "sequence" in type ? type.sequence : type.tuple[index];
      items.push(this.value(itemType, depth + 1));
    }
    return items;
  }

  private map(length: number, type: CtyType | undefined, depth: number): Map<string, CtyValue> {
    if (type !== undefined && !(typeof type === "object" && ("map" in type || "object" in type)))
      throw new CtyValueError(`a map where a ${describeType(type)} belongs`);
    if (type && "object" in type && length !== 0 && length !== type.object.size)
      throw new CtyValueError(`an object of ${length} attributes where ${type.object.size} belong`);
    const entries = new Map<string, CtyValue>();
    for (let index = 0; index < length; index += 1) {
      const key = this.stringHead(this.peek());
      if (key === undefined) throw new CtyValueError(`a map key at byte ${this.offset} is not a string`);
      if (entries.has(key)) throw new CtyValueError(`the key ${JSON.stringify(key)} appears twice`);
      let valueType: CtyType | undefined;
      if (type && "object" in type) {
        valueType = type.object.get(key);
        if (valueType === undefined) throw new CtyValueError(`the attribute ${JSON.stringify(key)} is not in its type`);
      } else if (type && "map" in type) valueType = type.map;
      entries.set(key, this.value(valueType, depth + 1));
    }
    return entries;
  }

  private peek(): number {
    const head = this.bytes[this.offset];
    if (head === undefined) throw new CtyValueError("the value ends early");
    return head;
  }

  private take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) throw new CtyValueError("the value ends early");
    const part = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return part;
  }

  private unsigned(byteCount: number): number {
    let value = 0;
    for (const byte of this.take(byteCount)) value = value * 256 + byte;
    return value;
  }

  /** An integer of any msgpack width, consumed; undefined (nothing consumed) if the head is not one. */
  private integer(head: number): bigint | undefined {
    if (head <= 0x7f) {
      this.offset += 1;
      return BigInt(head);
    }
    if (head >= 0xe0) {
      this.offset += 1;
      return BigInt(head - 0x100);
    }
    // uint 8, 16, 32, 64 (0xcc-0xcf), then int 8, 16, 32, 64 (0xd0-0xd3).
    if (head < 0xcc || head > 0xd3) return undefined;
    const width = 1 << ((head - 0xcc) % 4);
    this.offset += 1;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, this.take(width).length);
    const signed = head >= 0xd0;
    if (width === 1) return BigInt(signed ? view.getInt8(0) : view.getUint8(0));
    if (width === 2) return BigInt(signed ? view.getInt16(0) : view.getUint16(0));
    if (width === 4) return BigInt(signed ? view.getInt32(0) : view.getUint32(0));
    return signed ? view.getBigInt64(0) : view.getBigUint64(0);
  }

  private float(head: number): number {
    this.offset += 1;
    const width = head === 0xca ? 4 : 8;
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, this.take(width).length);
    const value = width === 4 ? view.getFloat32(0) : view.getFloat64(0);
    // Terraform's JSON cannot print infinities or NaN; show would fail.
    if (!Number.isFinite(value)) throw new CtyValueError(`the number ${value} has no JSON form`);
    return value;
  }

  /** A string, consumed; undefined (nothing consumed) if the head is not one. */
  private stringHead(head: number): string | undefined {
    let length: number;
    if (head >= 0xa0 && head <= 0xbf) {
      this.offset += 1;
      length = head - 0xa0;
    } else if (head >= 0xd9 && head <= 0xdb) {
      this.offset += 1;
      length = this.unsigned(1 << (head - 0xd9));
    } else return undefined;
    return decodeText(this.take(length));
  }

  private binHead(head: number): number | undefined {
    if (head < 0xc4 || head > 0xc6) return undefined;
    this.offset += 1;
    return this.unsigned(1 << (head - 0xc4));
  }

  private arrayHead(head: number): number | undefined {
    return this.collectionHead(head, 0x90, 0xdc);
  }

  private mapHead(head: number): number | undefined {
    return this.collectionHead(head, 0x80, 0xde);
  }

  /** An array's or map's length: fix form (`fix` + 0..15), or 16- then 32-bit (`wide`, `wide` + 1). */
  private collectionHead(head: number, fix: number, wide: number): number | undefined {
    if (head >= fix && head <= fix + 0x0f) {
      this.offset += 1;
      return head - fix;
    }
    if (head !== wide && head !== wide + 1) return undefined;
    this.offset += 1;
    return this.unsigned(head === wide ? 2 : 4);
  }
}

function isExtension(head: number): boolean {
  return (head >= 0xc7 && head <= 0xc9) || (head >= 0xd4 && head <= 0xd8);
}

function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    // Go would print the invalid bytes as U+FFFD; guessing that is not this reader's business.
    throw new CtyValueError("a string is not valid UTF-8");
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CtyValueError(`a dynamic value's type is not JSON: ${text.slice(0, 80)}`);
  }
}

function expect<T extends CtyValue>(type: CtyType | undefined, actual: "bool" | "number", value: T): T {
  if (type !== undefined && type !== actual)
    throw new CtyValueError(`a ${actual} where a ${describeType(type)} belongs`);
  return value;
}

function describeType(type: CtyType): string {
  return typeof type === "string" ? type : (Object.keys(type)[0] ?? "type");
}

/** cty's type JSON: "string", ["list", T], ["object", {name: T}, optional names?], ... */
function parseType(json: unknown, depth: number): CtyType {
  if (depth > MAX_DEPTH) throw new CtyValueError(`a type nests deeper than ${MAX_DEPTH} levels`);
  if (json === "string" || json === "number" || json === "bool" || json === "dynamic") return json;
  if (Array.isArray(json)) {
    const [kind, inner] = json as [unknown, unknown];
    if ((kind === "list" || kind === "set") && json.length === 2) return { sequence: parseType(inner, depth + 1) };
    if (kind === "map" && json.length === 2) return { map: parseType(inner, depth + 1) };
    if (kind === "tuple" && json.length === 2 && Array.isArray(inner))
      return { tuple: inner.map((element) => parseType(element, depth + 1)) };
    // A third element lists optional attributes: they change conversions, not values.
    if (kind === "object" && (json.length === 2 || json.length === 3) && isPlainObject(inner))
      return {
        object: new Map(Object.entries(inner).map(([name, attribute]) => [name, parseType(attribute, depth + 1)])),
      };
  }
  throw new CtyValueError(`the type ${JSON.stringify(json)?.slice(0, 80)} is not one this reader knows`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
