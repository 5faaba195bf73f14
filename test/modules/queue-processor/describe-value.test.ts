import { describe, expect, it } from "vitest";
import { describeValue } from "../../../modules/queue-processor/describe-value.js";

describe("describeValue", () => {
  it("shows the numbers JSON cannot say as they are typed", () => {
    expect(describeValue(Number.NaN)).toBe("NaN");
    expect(describeValue(Number.POSITIVE_INFINITY)).toBe("Infinity");
    expect(describeValue(Number.NEGATIVE_INFINITY)).toBe("-Infinity");
    expect(describeValue(-0)).toBe("-0");
    expect(describeValue(0)).toBe("0");
    expect(describeValue(1.5)).toBe("1.5");
    expect(describeValue(12n)).toBe("12n");
  });

  it("shows undefined, null, booleans, functions and symbols by name", () => {
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(null)).toBe("null");
    expect(describeValue(false)).toBe("false");
    expect(describeValue(function handler() {})).toBe("function handler");
    expect(describeValue(() => 1)).toBe("a function");
    expect(describeValue(Symbol("timeout"))).toBe("Symbol(timeout)");
  });

  it("quotes strings as JSON does, and cuts a long one, giving its length", () => {
    expect(describeValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    const long = describeValue("x".repeat(300_000));
    expect(long).toBe(`"${"x".repeat(120)}"... (300,000 characters)`);
  });

  it("shows plain objects and arrays as compact JSON, with what JSON would lose inside them", () => {
    expect(describeValue({ body: { type: ["a"] } })).toBe('{"body":{"type":["a"]}}');
    expect(describeValue([1, Number.NaN, undefined, 2n])).toBe("[1,NaN,undefined,2n]");
    expect(describeValue({})).toBe("{}");
  });

  it("summarizes deep, long and circular values instead of serializing them", () => {
    expect(describeValue({ a: { b: { c: { d: 1 } } } })).toBe('{"a":{"b":{"c":{1 key}}}}');
    expect(describeValue(Array.from({ length: 20 }, (_, index) => index))).toBe("[0,1,2,3,4,5,6,7,... 12 more]");
    // Only the entries shown are read.
    const wide: Record<string, unknown> = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    let readsPastShown = 0;
    Object.defineProperty(wide, "k99999", { enumerable: true, get: () => ++readsPastShown });
    expect(describeValue(wide)).toBe('{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,... 99992 more}');
    expect(readsPastShown).toBe(0);
    expect(describeValue(new Array(1_000_000).fill({ a: 1 }))).toBe(
      '[{"a":1},{"a":1},{"a":1},{"a":1},{"a":1},{"a":1},{"a":1},{"a":1},... 999992 more]',
    );
    const cycle: Record<string, unknown> = { name: "orders" };
    cycle.self = cycle;
    expect(describeValue(cycle)).toBe('{"name":"orders","self":(circular)}');
    let deep: unknown = "bottom";
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(describeValue(deep)).toBe("[[[[1 item]]]]");
  });

  it("names class instances and dates, and survives a throwing getter", () => {
    class Seconds {
      constructor(readonly value: number) {}
    }
    expect(describeValue(new Seconds(30))).toBe('Seconds {"value":30}');
    expect(describeValue(new Date(Date.UTC(2026, 0, 2)))).toBe("2026-01-02T00:00:00.000Z");
    expect(describeValue(new Map([["a", 1]]))).toBe("Map(1)");
    const hostile = {
      get value(): never {
        throw new Error("boom");
      },
    };
    expect(describeValue(hostile)).toBe('{"value":(unreadable)}');
  });
});
