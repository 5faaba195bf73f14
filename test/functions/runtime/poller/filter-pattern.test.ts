import { describe, expect, it } from "vitest";
import { matchesAnyPattern } from "../../../../functions/runtime/poller/filter-pattern.js";

const matches = (body: unknown, ...patterns: Record<string, unknown>[]): boolean =>
  matchesAnyPattern(
    typeof body === "string" ? body : JSON.stringify(body),
    patterns.map((p) => ({ body: p })),
  );

describe("filter patterns on the message body", () => {
  it("matches any value of an exact-value list", () => {
    expect(matches({ type: "a" }, { type: ["a", "b"] })).toBe(true);
    expect(matches({ type: "c" }, { type: ["a", "b"] })).toBe(false);
    expect(matches({ n: 5, ok: true, v: null }, { n: [5], ok: [true], v: [null] })).toBe(true);
    expect(matches({ n: "5" }, { n: [5] })).toBe(false);
  });

  it("requires every key of a pattern, nested objects included", () => {
    expect(matches({ a: { b: { c: "x" } }, d: 1 }, { a: { b: { c: ["x"] } }, d: [1] })).toBe(true);
    expect(matches({ a: { b: { c: "x" } } }, { a: { b: { c: ["x"] } }, d: [1] })).toBe(false);
    expect(matches({ a: "flat" }, { a: { b: ["flat"] } })).toBe(false);
  });

  it("supports prefix, suffix, exists, anything-but and numeric matchers", () => {
    expect(matches({ id: "c-1" }, { id: [{ prefix: "c-" }] })).toBe(true);
    expect(matches({ id: "x-1" }, { id: [{ prefix: "c-" }] })).toBe(false);
    expect(matches({ file: "a.png" }, { file: [{ suffix: ".png" }] })).toBe(true);
    expect(matches({ flag: false }, { flag: [{ exists: true }] })).toBe(true);
    expect(matches({}, { flag: [{ exists: true }] })).toBe(false);
    expect(matches({}, { flag: [{ exists: false }] })).toBe(true);
    expect(matches({ s: "b" }, { s: [{ "anything-but": ["a"] }] })).toBe(true);
    expect(matches({ s: "a" }, { s: [{ "anything-but": ["a"] }] })).toBe(false);
    expect(matches({ n: 7 }, { n: [{ numeric: [">", 5, "<=", 7] }] })).toBe(true);
    expect(matches({ n: 8 }, { n: [{ numeric: [">", 5, "<=", 7] }] })).toBe(false);
  });

  it("matches an array value when any element matches", () => {
    expect(matches({ tags: ["x", "y"] }, { tags: ["y"] })).toBe(true);
    expect(matches({ tags: ["x", "y"] }, { tags: [{ prefix: "z" }] })).toBe(false);
  });

  it("passes when any pattern matches; a non-JSON or non-object body matches no body pattern", () => {
    expect(matches({ t: "b" }, { t: ["a"] }, { t: ["b"] })).toBe(true);
    expect(matches("not json", { t: [{ exists: false }] })).toBe(false);
    expect(matches("[1]", { t: [{ exists: false }] })).toBe(false);
  });
});
