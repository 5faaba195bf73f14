import { describe, expect, it } from "vitest";
import {
  archiveAlert,
  MAX_ALERT_REASON_CHARS,
  MAX_ALERT_REASONS,
} from "../../../../functions/runtime/archiver/alert.js";
import { archiverSettings } from "../../../../functions/runtime/archiver/settings.js";
import { loadBundledHandler } from "../../../support/bundled-handler.js";
import { ARCHIVER_ENTRY } from "./support.js";

const VALID = {
  ARCHIVE_BUCKET: "orders-prod-dead-letters",
  ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:orders-prod-alarms",
};

describe("archiverSettings: the environment the construct sets, checked at the cold start", () => {
  it("reads the bucket, topic and prefix; the prefix defaults; path-style S3 only for a local endpoint", () => {
    expect(archiverSettings(VALID, "dead-letters/")).toEqual({
      bucket: VALID.ARCHIVE_BUCKET,
      prefix: "dead-letters/",
      alertTopicArn: VALID.ALERT_TOPIC_ARN,
      forcePathStyle: false,
    });
    expect(archiverSettings({ ...VALID, ARCHIVE_PREFIX: "" }, "dead-letters/").prefix).toBe("");
    expect(archiverSettings({ ...VALID, ARCHIVE_PREFIX: "a/b/" }, "dead-letters/").prefix).toBe("a/b/");
    for (const endpoint of ["http://127.0.0.1:4566", "http://localhost:4566", "http://s3.localhost:4566"]) {
      expect(archiverSettings({ ...VALID, AWS_ENDPOINT_URL_S3: endpoint }, "").forcePathStyle).toBe(true);
    }
    expect(archiverSettings({ ...VALID, AWS_ENDPOINT_URL: "http://127.0.0.1:1" }, "").forcePathStyle).toBe(true);
    expect(
      archiverSettings({ ...VALID, AWS_ENDPOINT_URL_S3: "https://s3.eu-west-1.amazonaws.com" }, "").forcePathStyle,
    ).toBe(false);
  });

  it.each([
    [{ ARCHIVE_BUCKET: undefined }, /ARCHIVE_BUCKET must be an S3 bucket name .*got nothing/],
    [{ ARCHIVE_BUCKET: "" }, /ARCHIVE_BUCKET must be an S3 bucket name .*got ""/],
    [{ ARCHIVE_BUCKET: "Orders_Bucket" }, /ARCHIVE_BUCKET .*got "Orders_Bucket"/],
    [{ ARCHIVE_BUCKET: "ab" }, /ARCHIVE_BUCKET/],
    [{ ARCHIVE_BUCKET: "a..b" }, /ARCHIVE_BUCKET/],
    [{ ARCHIVE_BUCKET: "${aws_s3_bucket.archive.bucket}" }, /ARCHIVE_BUCKET .*got "\$\{aws_s3_bucket/],
    [{ ALERT_TOPIC_ARN: undefined }, /ALERT_TOPIC_ARN must be an SNS topic ARN .*got nothing/],
    [{ ALERT_TOPIC_ARN: "orders-prod-alarms" }, /ALERT_TOPIC_ARN .*got "orders-prod-alarms"/],
    [{ ALERT_TOPIC_ARN: "arn:aws:sqs:eu-west-1:123456789012:q" }, /ALERT_TOPIC_ARN/],
    [
      { ARCHIVE_PREFIX: "dead-letters" },
      /ARCHIVE_PREFIX must be empty or a key prefix ending in "\/".*got "dead-letters"/,
    ],
    [{ ARCHIVE_PREFIX: "/dead-letters/" }, /ARCHIVE_PREFIX/],
    [{ ARCHIVE_PREFIX: "a\nb/" }, /ARCHIVE_PREFIX/],
    [{ ARCHIVE_PREFIX: `${"p".repeat(600)}/` }, /ARCHIVE_PREFIX .*at most 512 bytes/],
  ])("refuses %o, naming the variable, the value and what is allowed", (change, message) => {
    expect(() => archiverSettings({ ...VALID, ...change }, "dead-letters/")).toThrow(message);
  });

  it("fails the bundled function's cold start on a bad variable, before any record is received", () => {
    expect(() => loadBundledHandler(ARCHIVER_ENTRY, { ...VALID, ARCHIVE_BUCKET: "" })).toThrow(
      /ARCHIVE_BUCKET must be/,
    );
  });
});

describe("archiveAlert: bounded whatever the batch holds", () => {
  const where = { deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:q-dlq", bucket: "b", prefix: "p/" };

  it("names the most frequent reasons first and sums the rest", () => {
    const counts = new Map(Array.from({ length: 50 }, (_, index) => [`reason-${index}`, index + 1] as const));
    const alert = archiveAlert(counts, where);
    expect(Object.keys(alert.byReason)).toHaveLength(MAX_ALERT_REASONS);
    expect(Object.keys(alert.byReason)[0]).toBe("reason-49");
    expect(alert.archived).toBe((50 * 51) / 2);
    const named = Object.values(alert.byReason).reduce((sum, count) => sum + count, 0);
    expect(alert.otherReasons).toEqual({ reasons: 30, deadLetters: alert.archived - named });
  });

  it("cuts long reasons, merging those that become equal, and stays small for 10,000 reasons of 1,000 characters", () => {
    const counts = new Map(Array.from({ length: 10_000 }, (_, index) => [`${"r".repeat(990)}${index}`, 1] as const));
    const alert = archiveAlert(counts, where);
    expect(Object.keys(alert.byReason)).toEqual([`${"r".repeat(MAX_ALERT_REASON_CHARS - 1)}…`]);
    expect(alert.byReason[`${"r".repeat(MAX_ALERT_REASON_CHARS - 1)}…`]).toBe(10_000);
    expect(JSON.stringify(alert).length).toBeLessThan(1000);
    const distinct = new Map(Array.from({ length: 10_000 }, (_, index) => [`${index}${"r".repeat(990)}`, 1] as const));
    expect(JSON.stringify(archiveAlert(distinct, where)).length).toBeLessThan(MAX_ALERT_REASONS * 250);
  });
});
