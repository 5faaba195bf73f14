import { CLOUDWATCH, LAMBDA } from "@queue-processor/runtime/aws-limits";
import { CONSTRUCT_ENVIRONMENT_KEYS, CONSTRUCT_LIMITS } from "../construct-limits.js";
import { secretLookingValue } from "../secret-values.js";
import {
  booleanRule,
  got,
  isPlainObject,
  issueUnless,
  number,
  type Rule,
  type RuleIssue,
  rangeRule,
  wholeNumberIn,
} from "./rule.js";

const RESERVED_ENVIRONMENT_KEYS: readonly string[] = LAMBDA.reservedEnvironmentKeys;
const LOG_RETENTION_DAYS: readonly number[] = CLOUDWATCH.logRetentionDays;

/** `handler`: the function, its runtime settings and environment. */
export const HANDLER_RULES: readonly Rule[] = [
  {
    code: "handler-entry-invalid",
    level: "error",
    check: (props) => {
      const entry: unknown = props.handler?.entry;
      return issueUnless(
        typeof entry === "string" && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry),
        "handler.entry",
        `handler.entry must be the path of a .ts or .js file that exports "handler" ${got(entry)}`,
      );
    },
  },
  rangeRule("timeout-range", "handler.timeoutSeconds", (c) => c.handler.timeoutSeconds, LAMBDA.timeoutSeconds),
  rangeRule("memory-range", "handler.memorySizeMb", (c) => c.handler.memorySizeMb, LAMBDA.memorySizeMb),
  {
    code: "reserved-concurrency-range",
    level: "error",
    check: (_props, config) => {
      const value = config.handler.reservedConcurrency;
      const min = CONSTRUCT_LIMITS.reservedConcurrencyMin;
      if (value === undefined) return [];
      if (value !== 0) return wholeNumberIn("handler.reservedConcurrency", value, { min, max: Infinity });
      return [
        {
          path: "handler.reservedConcurrency",
          message:
            `handler.reservedConcurrency must be ${min} or more: 0 stops the function, and messages would ` +
            "expire from the queue unprocessed after retentionSeconds (got 0)",
        },
      ];
    },
  },
  {
    code: "architecture-invalid",
    level: "error",
    check: (_props, { handler }) =>
      issueUnless(
        handler.architecture === "arm64" || handler.architecture === "x86_64",
        "handler.architecture",
        `handler.architecture must be "arm64" or "x86_64" ${got(handler.architecture)}`,
      ),
  },
  {
    code: "log-retention-invalid",
    level: "error",
    check: (_props, { handler }) =>
      issueUnless(
        LOG_RETENTION_DAYS.includes(handler.logRetentionDays),
        "handler.logRetentionDays",
        `handler.logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")} ${got(handler.logRetentionDays)}`,
      ),
  },
  {
    code: "environment-invalid",
    level: "error",
    check: (_props, config) => {
      const environment: unknown = config.handler.environment;
      if (!isPlainObject(environment)) {
        return [
          {
            path: "handler.environment",
            message: `handler.environment must be an object of strings ${got(environment)}`,
          },
        ];
      }
      return Object.entries(environment).flatMap(([key, value]) => {
        const path = `handler.environment.${key}`;
        return [
          ...environmentKeyIssues(path, key),
          ...issueUnless(typeof value === "string", path, `${path} must be a string ${got(value)}`),
        ];
      });
    },
  },
  {
    code: "environment-too-large",
    level: "error",
    check: (_props, config) => {
      const environment = config.handler.environment;
      // A value that is no string is environment-invalid's to report, and may not even be JSON.
      if (!isPlainObject(environment) || !Object.values(environment).every((value) => typeof value === "string")) {
        return [];
      }
      const bytes = Buffer.byteLength(JSON.stringify(environment), "utf8");
      return issueUnless(
        bytes <= LAMBDA.environmentMaxBytes,
        "handler.environment",
        `handler.environment must fit in ${number(LAMBDA.environmentMaxBytes)} bytes in all (got ${number(bytes)} bytes)`,
      );
    },
  },
  booleanRule("bundle-aws-sdk-invalid", "handler.bundleAwsSdk", (p) => p.handler?.bundleAwsSdk),
  {
    code: "environment-secret-looking",
    level: "warning",
    check: (_props, config) => {
      const environment: unknown = config.handler.environment;
      if (!isPlainObject(environment)) return [];
      return Object.entries(environment).flatMap(([name, value]) => {
        const secret = typeof value === "string" ? secretLookingValue(name, value) : undefined;
        if (!secret) return [];
        const path = `handler.environment.${name}`;
        return [
          {
            path,
            message:
              `${path} ${secret.reason} (${secret.maskedHint}): environment variables are plain text in the ` +
              "function's configuration, the Terraform plan and the state. Keep the secret in AWS Secrets Manager " +
              "or SSM Parameter Store (SecureString), pass its name or ARN, and let the function read it",
          },
        ];
      });
    },
  },
];

/** A variable name AWS or the construct would refuse: the first reason only. */
function environmentKeyIssues(path: string, key: string): RuleIssue[] {
  if (!LAMBDA.environmentKeyPattern.test(key)) {
    return [
      {
        path,
        message: `${path}: a variable name must start with a letter and use only A-Z, a-z, 0-9 and "_" ${got(key)}`,
      },
    ];
  }
  if (RESERVED_ENVIRONMENT_KEYS.includes(key)) {
    return [{ path, message: `${path}: ${key} is reserved by Lambda and cannot be set ${got(key)}` }];
  }
  return issueUnless(
    !CONSTRUCT_ENVIRONMENT_KEYS.includes(key),
    path,
    `${path}: ${key} is set by QueueProcessor itself (${CONSTRUCT_ENVIRONMENT_KEYS.join(", ")}) ${got(key)}`,
  );
}
