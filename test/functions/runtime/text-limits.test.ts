import { describe, expect, it } from "vitest";
import { capText, loneSurrogateIndex, MAX_TEXT_CHARS } from "../../../functions/runtime/text-limits.js";

describe("capText", () => {
  it("leaves text up to the cap as it is", () => {
    for (const text of ["", "order_created", "x".repeat(MAX_TEXT_CHARS)]) expect(capText(text)).toBe(text);
  });

  it("cuts longer text to at most the cap, marker included, and says how much was cut", () => {
    expect(capText("x".repeat(MAX_TEXT_CHARS + 1))).toBe(`${"x".repeat(960)}…[41 more characters cut]`);
    const capped = capText("y".repeat(255_012));
    expect(capped).toBe(`${"y".repeat(960)}…[254,052 more characters cut]`);
    for (const length of [MAX_TEXT_CHARS + 1, 10_000, 1_048_576, 300_000_000]) {
      expect(capText("z".repeat(length)).length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    }
  });

  it("changes nothing when capping twice", () => {
    const once = capText("q".repeat(50_000));
    expect(capText(once)).toBe(once);
  });

  it("never splits a surrogate pair at the cut", () => {
    const text = `${"x".repeat(959)}😀${"z".repeat(100)}`;
    const capped = capText(text);
    expect(loneSurrogateIndex(capped)).toBe(-1);
    expect(capped).toBe(`${"x".repeat(959)}…[102 more characters cut]`);
  });
});

describe("loneSurrogateIndex", () => {
  it.each([
    ["a lone high surrogate", "ab\ud800c", 2],
    ["a lone low surrogate", "ab\udc00c", 2],
    ["a reversed pair", "\udc00\ud800", 0],
    ["a high surrogate at the very end", "abc\ud83d", 3],
    ["two high surrogates then a low one", "\ud800\ud83d\ude00", 0],
  ])("finds %s", (_title, text, index) => {
    expect(loneSurrogateIndex(text)).toBe(index);
  });

  it("accepts well-formed text, astral characters included", () => {
    for (const text of ["", "order-1", "é✓", "😀", "a😀b👍🏽", "\uffff", "\u0000"])
      expect(loneSurrogateIndex(text)).toBe(-1);
  });
});
