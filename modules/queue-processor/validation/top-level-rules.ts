import { statSync } from "node:fs";
import path from "node:path";
import { IAM, TAGS } from "@queue-processor/runtime/aws-limits";
import { CONSTRUCT_LIMITS } from "../construct-limits.js";
import { closestKey, KNOWN_KEYS } from "../known-keys.js";
import { ALARM_KINDS } from "../resolve.js";
import { got, isPlainObject, issueUnless, type Rule, type RuleIssue } from "./rule.js";

/** The props as a whole (misspelled keys in any section), `name` and `tags`. */
export const TOP_LEVEL_RULES: readonly Rule[] = [
  {
    code: "unknown-property",
    level: "error",
    check: (props) => {
      const alarms = props.alarms;
      return [
        ...unknownKeys("", props, KNOWN_KEYS.top),
        ...unknownKeys("handler", props.handler, KNOWN_KEYS.handler),
        ...unknownKeys("queue", props.queue, KNOWN_KEYS.queue),
        ...unknownKeys("eventSource", props.eventSource, KNOWN_KEYS.eventSource),
        ...(alarms === false ? [] : unknownKeys("alarms", alarms, KNOWN_KEYS.alarms)),
        ...(isPlainObject(alarms)
          ? ALARM_KINDS.flatMap((kind) =>
              alarms[kind] === false ? [] : unknownKeys(`alarms.${kind}`, alarms[kind], KNOWN_KEYS.alarmTuning),
            )
          : []),
        ...deadLetterUnknownKeys(props.deadLetters),
      ];
    },
  },
  {
    code: "name-invalid",
    level: "error",
    check: (props) => {
      const name: unknown = props.name;
      const { nameMaxLength, namePattern } = CONSTRUCT_LIMITS;
      return issueUnless(
        typeof name === "string" && name.length <= nameMaxLength && namePattern.test(name),
        "name",
        `name must be 1-${nameMaxLength} characters of A-Z, a-z, 0-9, "-" or "_", so that derived names such as ` +
          `"<name>-processor-role" fit IAM's ${IAM.roleNameMaxLength}-character limit ${got(name)}`,
      );
    },
  },
  {
    code: "project-root-invalid",
    level: "error",
    check: (props, { projectRoot }) => {
      if (props.projectRoot === undefined && projectRoot === undefined) {
        return [
          {
            path: "projectRoot",
            message:
              "projectRoot must be given: no folder holding cdktf.json or package.json was found above the app's " +
              `main script ${got(process.argv[1])}, and relative handler entries are resolved from it`,
          },
        ];
      }
      return issueUnless(
        typeof projectRoot === "string" && path.isAbsolute(projectRoot) && isFolder(projectRoot),
        "projectRoot",
        `projectRoot must be the absolute path of an existing folder ${got(projectRoot)}`,
      );
    },
  },
  {
    code: "tags-invalid",
    level: "error",
    check: (_props, { tags }) => {
      if (!isPlainObject(tags)) return [{ path: "tags", message: `tags must be an object of strings ${got(tags)}` }];
      return Object.entries(tags).flatMap(([key, value]) => tagIssues(`tags.${key}`, key, value));
    },
  },
];

/** `deadLetters` and its parts; a retained DLQ takes only `mode`, so an archive setting there is a mistake. */
function deadLetterUnknownKeys(deadLetters: unknown): RuleIssue[] {
  if (!isPlainObject(deadLetters)) return unknownKeys("deadLetters", deadLetters, KNOWN_KEYS.archive);
  if (deadLetters.mode !== "archive") {
    const known = deadLetters.mode === "retain" ? KNOWN_KEYS.retain : KNOWN_KEYS.archive;
    return unknownKeys("deadLetters", deadLetters, known);
  }
  return [
    ...unknownKeys("deadLetters", deadLetters, KNOWN_KEYS.archive),
    ...unknownKeys("deadLetters.bucket", deadLetters.bucket, KNOWN_KEYS.archiveBucket),
    ...unknownKeys("deadLetters.archiver", deadLetters.archiver, KNOWN_KEYS.archiver),
  ];
}

/** The keys of an object prop that its interface does not declare, each with the likeliest meant key. */
function unknownKeys(path: string, value: unknown, known: readonly string[]): RuleIssue[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) return [{ path, message: `${path} must be an object ${got(value)}` }];
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const keyPath = path ? `${path}.${key}` : key;
      const suggestion = closestKey(key, known);
      const hint = suggestion ? `; did you mean ${path ? `${path}.` : ""}${suggestion}?` : "";
      return {
        path: keyPath,
        message: `${keyPath} is not a known property (allowed: ${known.join(", ")})${hint}`,
      };
    });
}

/** One tag, as AWS accepts it. */
function tagIssues(path: string, key: string, value: unknown): RuleIssue[] {
  const { keyLength, valueMaxLength, reservedKeyPrefix } = TAGS;
  if (key.length < keyLength.min || key.length > keyLength.max || key.toLowerCase().startsWith(reservedKeyPrefix)) {
    return [
      {
        path,
        message: `${path}: a tag key must be ${keyLength.min}-${keyLength.max} characters and must not start with "${reservedKeyPrefix}" ${got(key)}`,
      },
    ];
  }
  return issueUnless(
    typeof value === "string" && value.length <= valueMaxLength,
    path,
    `${path} must be a string of at most ${valueMaxLength} characters ${got(value)}`,
  );
}

function isFolder(folder: string): boolean {
  return statSync(folder, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
