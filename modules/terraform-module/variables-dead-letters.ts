import { CLOUDWATCH, LAMBDA, S3 } from "@queue-processor/runtime/aws-limits";
import { EXPIRE_AFTER_DAYS } from "../queue-processor/validation/dead-letter-rules.js";
import { constructDefaults } from "./defaults.js";
import { hclList, hclRegex, hclString } from "./hcl.js";
import { got, type ModuleVariable, oneOf, rule, wholeNumber } from "./variable.js";

const defaults = constructDefaults();
const archiver = defaults.deadLetters.archiver;

/** `deadLetters`: retained in the DLQ or archived to S3 by the archiver (whose zip ships with the module). */
export const DEAD_LETTER_VARIABLES: readonly ModuleVariable[] = [
  {
    name: "dead_letters_mode",
    type: "string",
    default: "retain",
    prop: "QueueProcessorProps.deadLetters",
    note: '"retain" (dead letters stay in the DLQ) or "archive" (drained to S3 by the archiver, seed 002).',
    validation: [
      oneOf("dead_letters_mode", ["retain", "archive"]),
      rule(
        'var.dead_letters_mode != "archive" || var.alarms_enabled',
        'dead_letters_mode "archive" alerts through the alarm topic, which alarms_enabled = false removes; turn ' +
          'alarms on (or give alarm_topic_arn) or use mode "retain" (got alarms_enabled = false).',
      ),
    ],
  },
  {
    name: "archive_bucket",
    type: "object({ name = string, arn = string })",
    default: null,
    prop: "ArchiveDeadLetters.bucket",
    validation: [
      rule(
        `var.archive_bucket == null ? true : can(regex(${hclRegex(S3.bucketName)}, var.archive_bucket.name)) && alltrue([for reserved in ${hclList(S3.bucketNameReserved.map((pattern) => pattern.source))} : !can(regex(reserved, var.archive_bucket.name))])`,
        'archive_bucket.name must be an S3 bucket name: 3-63 of a-z, 0-9, "." and "-", starting and ending with a ' +
          `letter or digit, not an IP address nor a reserved prefix or suffix ${got("archive_bucket")}.`,
      ),
      rule(
        `var.archive_bucket == null ? true : try(regex(${hclString("^arn:aws[a-z-]*:s3:::([^/*?]+)$")}, var.archive_bucket.arn)[0], "") == var.archive_bucket.name`,
        `archive_bucket.arn must be the ARN of archive_bucket.name, like arn:aws:s3:::<bucket name> ${got("archive_bucket")}.`,
      ),
    ],
  },
  {
    name: "archive_prefix",
    type: "string",
    default: defaults.deadLetters.prefix,
    prop: "ArchiveDeadLetters.prefix",
    validation: [
      rule(
        `length(var.archive_prefix) <= ${S3.keyPrefixMaxLength} && can(regex(${hclRegex(S3.keyPrefix)}, var.archive_prefix)) && !contains(split("/", var.archive_prefix), ".") && !contains(split("/", var.archive_prefix), "..")`,
        `archive_prefix must be 1-${S3.keyPrefixMaxLength} characters of A-Z, a-z, 0-9, ! - _ . ' ( ) in "/"-separated ` +
          `segments (no "." or ".." segment, no "*"), ending with "/", like "dead-letters/" ${got("archive_prefix")}.`,
      ),
    ],
  },
  {
    name: "archive_expire_after_days",
    type: "number",
    default: null,
    prop: "ArchiveDeadLetters.expireAfterDays",
    note: `null: ${defaults.deadLetters.expireAfterDays} days for the bucket the module creates.`,
    validation: [
      wholeNumber("archive_expire_after_days", EXPIRE_AFTER_DAYS),
      rule(
        "var.archive_expire_after_days == null || var.archive_bucket == null",
        "archive_expire_after_days applies only to the bucket the module creates; the lifecycle of archive_bucket " +
          `is yours to set ${got("archive_expire_after_days")}.`,
      ),
    ],
  },
  {
    name: "archiver_timeout_seconds",
    type: "number",
    default: archiver.timeoutSeconds,
    prop: "ArchiverProps.timeoutSeconds",
    note: "Archive mode: the archiver function's timeout, in seconds.",
    validation: [wholeNumber("archiver_timeout_seconds", LAMBDA.timeoutSeconds)],
  },
  {
    name: "archiver_memory_size_mb",
    type: "number",
    default: archiver.memorySizeMb,
    prop: "ArchiverProps.memorySizeMb",
    note: "Archive mode: the archiver function's memory, in MB.",
    validation: [wholeNumber("archiver_memory_size_mb", LAMBDA.memorySizeMb)],
  },
  {
    name: "archiver_log_retention_days",
    type: "number",
    default: archiver.logRetentionDays,
    prop: "ArchiverProps.logRetentionDays",
    note: "Archive mode: retention of the archiver's log group, in days.",
    validation: [oneOf("archiver_log_retention_days", CLOUDWATCH.logRetentionDays)],
  },
];
