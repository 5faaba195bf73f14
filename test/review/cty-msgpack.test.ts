/**
 * The cty msgpack reader on hand-made bytes: the encodings real plans rarely hold (refined unknowns,
 * wide integers, numbers written as strings), and the strings it must refuse without the schema.
 */
import { describe, expect, it } from "vitest";
import { CtyValueError, decodeCtyValue, UNKNOWN } from "../../review/cty-msgpack.js";
import { knownPart, unknownMask } from "../../review/cty-show.js";

const bytes = (...parts: (number | string)[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "number" ? [part] : [...Buffer.from(part)])));
/** A msgpack fixstr. */
const str = (text: string) => [0xa0 + Buffer.byteLength(text), text];
/** A dynamic value: [type JSON as bin 8, value]. */
const dynamic = (typeJson: string, ...value: (number | string)[]) => [0x92, 0xc4, typeJson.length, typeJson, ...value];

describe("decodeCtyValue", () => {
  it("reads plain and refined unknowns, and prints them as show does: left out of objects, null in lists", () => {
    // {"a": unknown, "b": [unknown refined as not null, "x"]}
    const value = decodeCtyValue(
      bytes(0x82, ...str("a"), 0xd4, 0, 0, ...str("b"), 0x92, 0xc7, 3, 12, 0x81, 1, 0xc2, ...str("x")),
    );
    expect(knownPart(value)).toEqual({ b: [null, "x"] });
    expect(unknownMask(value)).toEqual({ a: true, b: [true, false] });
  });

  it("refuses another extension, or extension 0 with a body", () => {
    expect(() => decodeCtyValue(bytes(0xd4, 1, 0))).toThrow(CtyValueError);
    expect(() => decodeCtyValue(bytes(0xd5, 0, 0, 0))).toThrow(/extension 0 of 2 bytes/);
  });

  it("reads integers of every width, beyond 2^53 as JSON.parse reads show's digits", () => {
    expect(decodeCtyValue(bytes(0xd3, 0x00, 0x20, 0, 0, 0, 0, 0, 1))).toBe(JSON.parse("9007199254740993"));
    expect(decodeCtyValue(bytes(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(2 ** 64);
    expect(decodeCtyValue(bytes(0xd0, 0x80))).toBe(-128);
    expect(decodeCtyValue(bytes(0xe0))).toBe(-32);
  });

  it("reads a dynamic value by its type: a number written as a string is a number", () => {
    expect(decodeCtyValue(bytes(...dynamic('"number"', ...str("0.1"))))).toBe(0.1);
    expect(decodeCtyValue(bytes(...dynamic('"string"', ...str("0.1"))))).toBe("0.1");
    expect(() => decodeCtyValue(bytes(...dynamic('"number"', ...str("1e3"))))).toThrow(/not one this reader prints/);
    expect(() => decodeCtyValue(bytes(...dynamic('["capsule"]', 0xc0)))).toThrow(/type/);
    expect(() => decodeCtyValue(bytes(...dynamic("[", 0xc0)))).toThrow(/not JSON/);
  });

  it("reads a string as a string when cty would have written that number as a msgpack number", () => {
    for (const text of ["10", "-0", "0.5", "9007199254740993", "18446744073709551616", "abc", "1e3"])
      expect(decodeCtyValue(bytes(0xd9, text.length, text))).toBe(text);
  });

  it("refuses a string that cty would write for a number too precise for int64 and float64", () => {
    for (const text of ["0.1", "18446744073709551615", "1.00000000000000000001", `1${"0".repeat(400)}`])
      expect(() => decodeCtyValue(bytes(0xd9, text.length, text)), text).toThrow(/only the schema tells/);
  });

  it("refuses trailing bytes, a cut value, and a duplicate key", () => {
    expect(() => decodeCtyValue(bytes(0xc0, 0xc0))).toThrow(/follow the value/);
    expect(() => decodeCtyValue(bytes(0x92, 0xc0))).toThrow(/ends early/);
    expect(() => decodeCtyValue(bytes(0x82, ...str("a"), 0xc0, ...str("a"), 0xc0))).toThrow(/appears twice/);
  });

  it("masks known leaves as show does: left out of objects, false in lists, collections kept", () => {
    // {"a": [], "b": {}, "c": "x", "d": [1]}
    const value = decodeCtyValue(
      bytes(0x84, ...str("a"), 0x90, ...str("b"), 0x80, ...str("c"), ...str("x"), ...str("d"), 0x91, 1),
    );
    expect(unknownMask(value)).toEqual({ a: [], b: {}, d: [false] });
    expect(decodeCtyValue(bytes(0xd4, 0, 0))).toBe(UNKNOWN);
  });
});
