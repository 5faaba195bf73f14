import { describe, expect, it } from "vitest";
import { compareStoredTimes, parseTimestamp, storedTimeIsOlder } from "../../../functions/order-processor/timestamp.js";

const stored = (text: string) => {
  const parsed = parseTimestamp(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.problem}`);
  return parsed.stored;
};
const problem = (text: string) => {
  const parsed = parseTimestamp(text);
  return parsed.ok ? undefined : parsed.problem;
};

describe("parseTimestamp", () => {
  it.each([
    ["JavaScript's toISOString", "2026-11-30T10:00:00.123Z", "2026-11-30T10:00:00.123Z"],
    ["Python's utcnow().isoformat(), microseconds", "2026-11-30T10:00:00.123456", "2026-11-30T10:00:00.123456000Z"],
    ["Python's isoformat() on a whole second", "2026-11-30T10:00:00", "2026-11-30T10:00:00.000Z"],
    ["Python's aware isoformat()", "2026-11-30T10:00:00.123456+00:00", "2026-11-30T10:00:00.123456000Z"],
    ["nanoseconds", "2026-11-30T10:00:00.123456789Z", "2026-11-30T10:00:00.123456789Z"],
    ["one fraction digit", "2026-11-30T10:00:00.5Z", "2026-11-30T10:00:00.500Z"],
    ["trailing zeros beyond milliseconds", "2026-11-30T10:00:00.120000000Z", "2026-11-30T10:00:00.120Z"],
    ["+05:30", "2026-11-30T15:30:00.000001+05:30", "2026-11-30T10:00:00.000001000Z"],
    ["-08:00", "2026-11-30T02:00:00.25-08:00", "2026-11-30T10:00:00.250Z"],
    ["an offset without a colon", "2026-11-30T02:00:00-0800", "2026-11-30T10:00:00.000Z"],
    ["-00:00", "2026-11-30T10:00:00-00:00", "2026-11-30T10:00:00.000Z"],
    ["no seconds", "2026-11-30T10:00Z", "2026-11-30T10:00:00.000Z"],
    ["an offset that crosses midnight and the year", "2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"],
    ["an offset that crosses a leap day", "2028-03-01T00:30:00+01:00", "2028-02-29T23:30:00.000Z"],
    ["February 29 of a leap year", "2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"],
    ["the first instant of the epoch", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["the epoch, reached through an offset", "1969-12-31T19:00:00-05:00", "1970-01-01T00:00:00.000Z"],
    ["the last nanosecond of 9999", "9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"],
  ])("accepts %s", (_title, text, expected) => {
    expect(stored(text)).toBe(expected);
  });

  it.each([
    ["a date only", "2026-11-30"],
    ["a space instead of T", "2026-11-30 10:00:00"],
    ["ten fraction digits", "2026-11-30T10:00:00.1234567890Z"],
    ["an expanded year", "+010000-01-01T00:00:00Z"],
    ["a lower-case zone", "2026-11-30T10:00:00z"],
    ["an offset of hours only", "2026-11-30T10:00:00+05"],
    ["a lone surrogate", "2026-11-30T10:00:00\ud800Z"],
    ["text", "yesterday"],
  ])("refuses %s as not ISO 8601", (_title, text) => {
    expect(problem(text)).toMatch(/must be an ISO 8601 date-time/);
  });

  it.each([
    ["February 29 of a common year", "2026-02-29T00:00:00Z"],
    ["February 29 of 2100 (not a leap year)", "2100-02-29T00:00:00Z"],
    ["February 30", "2026-02-30T00:00:00Z"],
    ["month 13", "2026-13-01T00:00:00Z"],
    ["day 0", "2026-11-00T00:00:00Z"],
  ])("refuses %s as a date that does not exist", (_title, text) => {
    expect(problem(text)).toBe("must be a date that exists");
  });

  it.each([
    ["a leap second", "2016-12-31T23:59:60Z"],
    ["hour 24", "2026-11-30T24:00:00Z"],
    ["minute 60", "2026-11-30T10:60:00Z"],
  ])("refuses %s as a time that does not exist", (_title, text) => {
    expect(problem(text)).toMatch(/must be a time that exists/);
  });

  it("refuses offsets beyond ±23:59", () => {
    expect(problem("2026-11-30T10:00:00+24:00")).toMatch(/offset/);
    expect(problem("2026-11-30T10:00:00-05:60")).toMatch(/offset/);
  });

  it.each([
    ["past 9999 once in UTC", "9999-12-31T23:30:00-01:00"],
    ["before 1970", "1969-12-31T23:59:59.999999999Z"],
    ["before 1970 once in UTC", "1970-01-01T00:30:00+01:00"],
    ["year 0001 (a zero date)", "0001-01-01T00:00:00Z"],
    ["year 0000", "0000-01-01T00:00:00Z"],
  ])("refuses a time %s: it has no four-digit stored form that sorts", (_title, text) => {
    expect(problem(text)).toBe("must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z in UTC");
  });
});

describe("compareStoredTimes", () => {
  it("orders the millisecond and nanosecond forms by the instant they stand for", () => {
    expect(compareStoredTimes("2026-11-30T10:00:00.123Z", "2026-11-30T10:00:00.123456000Z")).toBeLessThan(0);
    expect(compareStoredTimes("2026-11-30T10:00:00.123456000Z", "2026-11-30T10:00:00.123Z")).toBeGreaterThan(0);
    expect(compareStoredTimes("2026-11-30T10:00:00.123Z", "2026-11-30T10:00:00.123000000Z")).toBe(0);
    expect(compareStoredTimes("2026-11-30T10:00:00.124Z", "2026-11-30T10:00:00.123999999Z")).toBeGreaterThan(0);
    expect(compareStoredTimes("2026-11-30T10:00:00.123456000Z", "2026-11-30T10:00:00.123456001Z")).toBeLessThan(0);
  });

  it("sorts a list of mixed forms like the instants", () => {
    const instants = [
      "2026-11-30T10:00:00.122999999Z",
      "2026-11-30T10:00:00.123Z",
      "2026-11-30T10:00:00.123000001Z",
      "2026-11-30T10:00:00.123456000Z",
      "2026-11-30T10:00:00.124Z",
      "2027-01-01T00:00:00.000Z",
    ];
    expect([...instants].reverse().sort(compareStoredTimes)).toEqual(instants);
  });
});

describe("storedTimeIsOlder", () => {
  it("builds a condition for each stored form of the incoming time", () => {
    expect(storedTimeIsOlder("updated_at", "2026-11-30T10:00:00.123Z", ":ts_")).toEqual({
      expression: "(updated_at < :ts_time AND NOT begins_with(updated_at, :ts_millisecond))",
      values: { ":ts_time": { S: "2026-11-30T10:00:00.123Z" }, ":ts_millisecond": { S: "2026-11-30T10:00:00.123" } },
      timeValue: ":ts_time",
    });
    expect(storedTimeIsOlder("updated_at", "2026-11-30T10:00:00.123456000Z", ":ts_")).toEqual({
      expression: "(updated_at < :ts_time OR updated_at = :ts_sameMillisecond)",
      values: {
        ":ts_time": { S: "2026-11-30T10:00:00.123456000Z" },
        ":ts_sameMillisecond": { S: "2026-11-30T10:00:00.123Z" },
      },
      timeValue: ":ts_time",
    });
  });
});
