import { describe, expect, it } from "vitest";
import { describeValue } from "../../../functions/runtime/describe-value.js";

/** `[[[...]]]` `depth` levels deep, built without recursion. */
function nestedArray(depth: number): unknown[] {
  const root: unknown[] = [];
  let inner = root;
  for (let level = 1; level < depth; level++) {
    const next: unknown[] = [];
    inner.push(next);
    inner = next;
  }
  return root;
}

describe("describeValue", () => {
  it("quotes short strings and gives numbers, booleans and null as they are", () => {
    expect(describeValue("order_deleted")).toBe('"order_deleted"');
    expect(describeValue("\ud800")).toBe('"\\ud800"');
    expect(describeValue(42)).toBe("42");
    expect(describeValue(false)).toBe("false");
    expect(describeValue(null)).toBe("null");
    expect(describeValue(undefined)).toBe("nothing");
  });

  it("describes long strings by their length only", () => {
    expect(describeValue("x".repeat(255_012))).toBe("a string of 255,012 characters");
    expect(describeValue("x".repeat(41))).toBe("a string of 41 characters");
  });

  it("describes arrays and objects by size and depth", () => {
    expect(describeValue({})).toBe("an empty object");
    expect(describeValue([])).toBe("an empty array");
    expect(describeValue({ a: 1 })).toBe("an object with 1 key");
    expect(describeValue([1, 2, 3])).toBe("an array of 3 items");
    expect(describeValue({ a: { b: [1] }, c: 2 })).toBe("an object with 2 keys, nested 3 levels");
  });

  it("stops looking at 32 levels, whatever the depth, without recursing", () => {
    expect(describeValue(nestedArray(32))).toBe("an array of 1 item, nested 32 levels");
    expect(describeValue(nestedArray(33))).toBe("an array of 1 item, nested more than 32 levels");
    const deep = { type: nestedArray(120_000) };
    expect(describeValue(deep)).toBe("an object with 1 key, nested more than 32 levels");
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
  });

  it("stays short and bounded for wide values and cycles", () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, { v: [i] }]));
    expect(describeValue(wide)).toBe("an object with 50,000 keys, nested at least 2 levels");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(describeValue(cycle)).toBe("an object with 1 key, nested more than 32 levels");
  });
});
