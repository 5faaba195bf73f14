/**
 * Order event times: parsed from the forms producers send, kept to the precision they were sent with
 * (up to nanoseconds), and stored in one UTC form whose order DynamoDB's conditions can decide.
 *
 * The stored form is `YYYY-MM-DDTHH:mm:ss.sssZ` when nothing finer than a millisecond was sent (the
 * form every earlier version stored, so existing items and their readers see no change), else
 * `YYYY-MM-DDTHH:mm:ss.sssssssssZ` (nine digits). Two times in the same form compare as strings;
 * across the forms the one case strings get wrong (same millisecond: `Z` sorts after every digit) is
 * handled by {@link storedTimeIsOlder} and {@link compareStoredTimes}.
 */

/** Years the stored form can hold: four digits (10000 would be `+010000`, which sorts before `2026`), from the Unix epoch. */
const EARLIEST_TIMESTAMP = "1970-01-01T00:00:00.000Z";
const LATEST_TIMESTAMP = "9999-12-31T23:59:59.999999999Z";

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/;

export type ParsedTimestamp =
  | { readonly ok: true; readonly stored: string; readonly epochMs: number }
  | { readonly ok: false; readonly problem: string };

/**
 * ISO 8601 / RFC 3339 date-times as producers send them: `Z`, an offset (`+05:30`, `-0800`), or no
 * zone at all, which is taken as UTC (the seed's Python producer sends `datetime.utcnow().isoformat()`,
 * naive UTC, with microseconds or with none). Refused, each with its problem: another format, a date
 * or time that does not exist (February 30, hour 24, a leap second `:60`, which no epoch-based clock
 * can hold), an offset beyond ±23:59, and a time outside 1970-9999 once in UTC.
 */
export function parseTimestamp(text: string): ParsedTimestamp {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return { ok: false, problem: "must be an ISO 8601 date-time such as 2026-11-30T10:00:00.123456+00:00" };
  const [, year, month, day, hour, minute, second = "00", fraction = "", zulu, sign, offsetHours, offsetMinutes] =
    match as unknown as (string | undefined)[];
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return { ok: false, problem: "must be a date that exists" };
  if (h > 23 || mi > 59 || s > 59) {
    return { ok: false, problem: "must be a time that exists (00:00:00 to 23:59:59; leap seconds are not accepted)" };
  }
  const offset = zulu || sign === undefined ? 0 : Number(offsetHours) * 60 + Number(offsetMinutes);
  if (Number(offsetMinutes ?? 0) > 59 || Number(offsetHours ?? 0) > 23) {
    return { ok: false, problem: "must have an offset from -23:59 to +23:59" };
  }
  // Date.UTC reads years 0-99 as 1900-1999; those are out of range anyway, whatever the offset.
  if (y < 100) return outOfRange();
  const nanos = fraction.padEnd(9, "0");
  const localMs = Date.UTC(y, mo - 1, d, h, mi, s, Number(nanos.slice(0, 3)));
  const epochMs = localMs - (sign === "-" ? -offset : offset) * 60_000;
  const utc = new Date(epochMs).toISOString();
  // Beyond 9999 toISOString writes `+010000-...`; before 0 `-000001-...`.
  if (!/^\d{4}-/.test(utc) || utc < EARLIEST_TIMESTAMP) return outOfRange();
  const subMillisecond = nanos.slice(3);
  const stored = subMillisecond === "000000" ? utc : `${utc.slice(0, -1)}${subMillisecond}Z`;
  return { ok: true, stored, epochMs };
}

const outOfRange = (): ParsedTimestamp => ({
  ok: false,
  problem: `must be from ${EARLIEST_TIMESTAMP.replace(".000", "")} to ${LATEST_TIMESTAMP} in UTC`,
});

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

const MILLISECOND_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A stored time in the nine-digit form, for comparing; anything not in the millisecond form is left as it is. */
const toNanosecondForm = (stored: string) => (MILLISECOND_FORM.test(stored) ? `${stored.slice(0, -1)}000000Z` : stored);

/** Orders two stored times by the instant they stand for: negative, 0 or positive, as `a` is before, at or after `b`. */
export function compareStoredTimes(a: string, b: string): number {
  const [x, y] = [toNanosecondForm(a), toNanosecondForm(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A DynamoDB condition (and its values) that holds when `attribute` is a time strictly older than
 * `stored`, whichever of the two forms each is in. The values' names start with `valuePrefix`;
 * `timeValue` names `stored` itself, for the update to set.
 */
export function storedTimeIsOlder(
  attribute: string,
  stored: string,
  valuePrefix: string,
): { expression: string; values: Record<string, { S: string }>; timeValue: string } {
  const time = `${valuePrefix}time`;
  const millisecond = stored.slice(0, stored.indexOf(".") + 4);
  if (stored.length === "YYYY-MM-DDTHH:mm:ss.sssZ".length) {
    // `…123Z` sorts after `…123456000Z`, which is newer: times that share its millisecond never count as older.
    const prefix = `${valuePrefix}millisecond`;
    return {
      expression: `(${attribute} < ${time} AND NOT begins_with(${attribute}, ${prefix}))`,
      values: { [time]: { S: stored }, [prefix]: { S: millisecond } },
      timeValue: time,
    };
  }
  // `…123Z` (its millisecond, nothing finer) is older than `…123456000Z`, yet sorts after it.
  const sameMillisecond = `${valuePrefix}sameMillisecond`;
  return {
    expression: `(${attribute} < ${time} OR ${attribute} = ${sameMillisecond})`,
    values: { [time]: { S: stored }, [sameMillisecond]: { S: `${millisecond}Z` } },
    timeValue: time,
  };
}
