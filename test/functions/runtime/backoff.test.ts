import { describe, expect, it } from "vitest";
import { backoffSeconds } from "../../../functions/runtime/index.js";

describe("backoffSeconds", () => {
  it("doubles with each receive, between half and all of the exponential delay", () => {
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, {}, () => 0))).toEqual([3, 5, 10, 20]);
    expect([1, 2, 3, 4].map((n) => backoffSeconds(n, {}, () => 1))).toEqual([5, 10, 20, 40]);
  });

  it("never exceeds maxSeconds, nor SQS's 12-hour visibility limit", () => {
    expect(backoffSeconds(50, { baseSeconds: 5, maxSeconds: 300 }, () => 1)).toBe(300);
    expect(backoffSeconds(50, { baseSeconds: 60, maxSeconds: 99_999 }, () => 1)).toBe(43_200);
  });

  it("treats a missing or nonsensical receive count as the first receive", () => {
    expect(backoffSeconds(Number.NaN, {}, () => 1)).toBe(5);
    expect(backoffSeconds(0, {}, () => 1)).toBe(5);
  });

  it("spreads retries of one burst over the jitter range", () => {
    const delays = new Set(Array.from({ length: 200 }, () => backoffSeconds(6, { baseSeconds: 5, maxSeconds: 300 })));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(80);
    expect(Math.max(...delays)).toBeLessThanOrEqual(160);
    expect(delays.size).toBeGreaterThan(20);
  });
});
