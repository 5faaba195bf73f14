import { CLOUDWATCH, LAMBDA, S3 } from "@queue-processor/runtime/aws-limits";
import { describeValue } from "../describe-value.js";
import type { ResolvedDeadLetters } from "../resolve.js";
import { got, isPlainObject, issueUnless, type Rule, type RuleIssue, wholeNumberIn } from "./rule.js";

const LOG_RETENTION_DAYS: readonly number[] = CLOUDWATCH.logRetentionDays;
export const EXPIRE_AFTER_DAYS = { min: 1, max: 3650 } as const;

type Archive = Extract<ResolvedDeadLetters, { mode: "archive" }>;

/** Only archive mode has settings to judge; a bad mode is deadletters-mode-invalid's to report. */
const archiveOf = (deadLetters: ResolvedDeadLetters): Archive | undefined =>
  deadLetters.mode === "archive" ? deadLetters : undefined;

/** `deadLetters`: the mode, and in archive mode the bucket, prefix, expiry and archiver. */
export const DEAD_LETTER_RULES: readonly Rule[] = [
  {
    code: "dead-letters-mode-invalid",
    level: "error",
    check: (props) => {
      const deadLetters: unknown = props.deadLetters;
      if (!isPlainObject(deadLetters)) return [];
      const mode = deadLetters.mode;
      return issueUnless(
        mode === "retain" || mode === "archive",
        "deadLetters.mode",
        `deadLetters.mode must be "retain" (dead letters stay in the DLQ) or "archive" (drained to S3) ${got(mode)}`,
      );
    },
  },
  {
    code: "archive-bucket-invalid",
    level: "error",
    check: (_props, { deadLetters }) => {
      const bucket: unknown = archiveOf(deadLetters)?.bucket;
      if (bucket === undefined || !isPlainObject(bucket)) return [];
      return bucketIssues(bucket.name, bucket.arn);
    },
  },
  {
    code: "archive-prefix-invalid",
    level: "error",
    check: (_props, { deadLetters }) => {
      const archive = archiveOf(deadLetters);
      if (archive === undefined) return [];
      const prefix: unknown = archive.prefix;
      const valid =
        typeof prefix === "string" &&
        prefix.length <= S3.keyPrefixMaxLength &&
        S3.keyPrefix.test(prefix) &&
        !prefix.split("/").some((segment) => segment === "." || segment === "..");
      return issueUnless(
        valid,
        "deadLetters.prefix",
        `deadLetters.prefix must be 1-${S3.keyPrefixMaxLength} characters of A-Z, a-z, 0-9, ! - _ . ' ( ) in ` +
          `"/"-separated segments (no "." or ".." segment, no "*"), ending with "/", like "dead-letters/" ${got(prefix)}`,
      );
    },
  },
  {
    code: "archive-expiry-invalid",
    level: "error",
    check: (props, { deadLetters }) => {
      const archive = archiveOf(deadLetters);
      if (archive === undefined) return [];
      const given = isPlainObject(props.deadLetters) && props.deadLetters.expireAfterDays !== undefined;
      if (given && archive.bucket !== undefined) {
        return [
          {
            path: "deadLetters.expireAfterDays",
            message:
              "deadLetters.expireAfterDays applies only to the bucket the construct creates; the lifecycle of " +
              `deadLetters.bucket is yours to set (got ${archive.expireAfterDays} with a bucket given)`,
          },
        ];
      }
      return wholeNumberIn("deadLetters.expireAfterDays", archive.expireAfterDays, EXPIRE_AFTER_DAYS);
    },
  },
  {
    code: "archiver-invalid",
    level: "error",
    check: (_props, { deadLetters }) => {
      const archiver = archiveOf(deadLetters)?.archiver;
      if (archiver === undefined) return [];
      const path = "deadLetters.archiver";
      return [
        ...issueUnless(
          typeof archiver.entry === "string" && archiver.entry.trim() !== "",
          `${path}.entry`,
          `${path}.entry must be the path of a .ts or .js file exporting handler ${got(archiver.entry)}`,
        ),
        ...wholeNumberIn(`${path}.timeoutSeconds`, archiver.timeoutSeconds, LAMBDA.timeoutSeconds),
        ...wholeNumberIn(`${path}.memorySizeMb`, archiver.memorySizeMb, LAMBDA.memorySizeMb),
        ...issueUnless(
          LOG_RETENTION_DAYS.includes(archiver.logRetentionDays),
          `${path}.logRetentionDays`,
          `${path}.logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")} ${got(archiver.logRetentionDays)}`,
        ),
      ];
    },
  },
  {
    code: "archive-needs-alarm-topic",
    level: "error",
    check: (_props, { deadLetters, alarms }) =>
      issueUnless(
        deadLetters.mode !== "archive" || alarms !== false,
        "deadLetters.mode",
        'deadLetters.mode "archive" alerts through the alarm topic, which alarms: false removes; ' +
          'turn alarms on (or give alarms.topicArn) or use mode "retain" (got alarms: false)',
      ),
  },
];

/** The caller's bucket: a valid name, and an ARN that names that same bucket. */
function bucketIssues(name: unknown, arn: unknown): RuleIssue[] {
  const nameValid =
    typeof name === "string" &&
    S3.bucketName.test(name) &&
    !S3.bucketNameReserved.some((reserved) => reserved.test(name));
  const arnBucket = typeof arn === "string" ? S3.bucketArn.exec(arn)?.[1] : undefined;
  const arnValid = arnBucket !== undefined && !arnBucket.includes("*") && !arnBucket.includes("?");
  return [
    ...issueUnless(
      nameValid,
      "deadLetters.bucket.name",
      `deadLetters.bucket.name must be an S3 bucket name: 3-63 of a-z, 0-9, "." and "-", starting and ending ` +
        `with a letter or digit, not an IP address nor a reserved prefix or suffix ${got(name)}`,
    ),
    ...issueUnless(
      arnValid,
      "deadLetters.bucket.arn",
      `deadLetters.bucket.arn must be a bucket ARN like arn:aws:s3:::<bucket name> (no key, no wildcard) ${got(arn)}`,
    ),
    ...issueUnless(
      !nameValid || !arnValid || arnBucket === name,
      "deadLetters.bucket.arn",
      `deadLetters.bucket.arn must name the same bucket as deadLetters.bucket.name = ${describeValue(name)} ` +
        `(got ${describeValue(arn)}, which names ${describeValue(arnBucket)})`,
    ),
  ];
}
