import { CLOUDWATCH, IAM, LAMBDA, TAGS } from "@queue-processor/runtime/aws-limits";
import { CONSTRUCT_ENVIRONMENT_KEYS, CONSTRUCT_LIMITS } from "../queue-processor/construct-limits.js";
import { constructDefaults } from "./defaults.js";
import { hclList, hclRegex } from "./hcl.js";
import { got, type ModuleVariable, oneOf, rule, wholeNumber } from "./variable.js";

const defaults = constructDefaults();
const { nameMaxLength, namePattern, reservedConcurrencyMin } = CONSTRUCT_LIMITS;

/** `name`, `tags` and the function (`handler.*`), whose code is a zip built beforehand. */
export const FUNCTION_VARIABLES: readonly ModuleVariable[] = [
  {
    name: "name",
    type: "string",
    prop: "QueueProcessorProps.name",
    validation: [
      rule(
        `length(var.name) >= 1 && length(var.name) <= ${nameMaxLength} && can(regex(${hclRegex(namePattern)}, var.name))`,
        `name must be 1-${nameMaxLength} characters of A-Z, a-z, 0-9, "-" or "_", so that derived names such as ` +
          `"<name>-processor-role" fit IAM's ${IAM.roleNameMaxLength}-character limit ${got("name")}.`,
      ),
    ],
  },
  {
    name: "handler_zip_path",
    type: "string",
    note:
      "Path of the function's zip (the bundled handler, index.js exporting handler), e.g. built by " +
      "`queue-processor-bundle <entry.ts> --out <out.zip>` (@queue-processor/runtime). Its SHA-256 is the function's source_code_hash.",
    validation: [
      rule(
        `endswith(var.handler_zip_path, ".zip") && fileexists(var.handler_zip_path)`,
        `handler_zip_path must name an existing .zip file ${got("handler_zip_path")}.`,
      ),
    ],
  },
  {
    name: "timeout_seconds",
    type: "number",
    default: defaults.handler.timeoutSeconds,
    prop: "HandlerProps.timeoutSeconds",
    validation: [wholeNumber("timeout_seconds", LAMBDA.timeoutSeconds)],
  },
  {
    name: "memory_size_mb",
    type: "number",
    default: defaults.handler.memorySizeMb,
    prop: "HandlerProps.memorySizeMb",
    validation: [wholeNumber("memory_size_mb", LAMBDA.memorySizeMb)],
  },
  {
    name: "environment",
    type: "map(string)",
    default: {},
    prop: "HandlerProps.environment",
    note: "Values are taken literally (Terraform does not evaluate a variable's value as a template).",
    validation: [
      rule(
        `alltrue([for key in keys(var.environment) : can(regex(${hclRegex(LAMBDA.environmentKeyPattern)}, key))])`,
        `environment: a variable name must start with a letter and use only A-Z, a-z, 0-9 and "_" (got \${jsonencode(keys(var.environment))}).`,
      ),
      rule(
        `length(setintersection(keys(var.environment), ${hclList([...LAMBDA.reservedEnvironmentKeys, ...CONSTRUCT_ENVIRONMENT_KEYS])})) == 0`,
        `environment: ${[...LAMBDA.reservedEnvironmentKeys].join(", ")} are reserved by Lambda and ` +
          `${CONSTRUCT_ENVIRONMENT_KEYS.join(", ")} are set by the module itself (got \${jsonencode(keys(var.environment))}).`,
      ),
      rule(
        `length(jsonencode(var.environment)) <= ${LAMBDA.environmentMaxBytes}`,
        `environment must fit in ${LAMBDA.environmentMaxBytes} bytes in all (got \${length(jsonencode(var.environment))} characters of JSON).`,
      ),
    ],
  },
  {
    name: "reserved_concurrency",
    type: "number",
    default: null,
    prop: "HandlerProps.reservedConcurrency",
    validation: [
      {
        ...wholeNumber("reserved_concurrency", { min: reservedConcurrencyMin, max: Infinity }),
        error_message:
          `reserved_concurrency must be a whole number ${reservedConcurrencyMin} or more: 0 stops the function, and ` +
          `messages would expire from the queue unprocessed ${got("reserved_concurrency")}.`,
      },
    ],
  },
  {
    name: "architecture",
    type: "string",
    default: defaults.handler.architecture,
    prop: "HandlerProps.architecture",
    validation: [oneOf("architecture", ["arm64", "x86_64"])],
  },
  {
    name: "log_retention_days",
    type: "number",
    default: defaults.handler.logRetentionDays,
    prop: "HandlerProps.logRetentionDays",
    validation: [oneOf("log_retention_days", CLOUDWATCH.logRetentionDays)],
  },
  {
    name: "extra_policy_statements",
    type: "list(object({ sid = string, actions = list(string), resources = list(string) }))",
    default: [],
    note:
      "Allow statements added to the function's role, like the construct's addToRolePolicy: exact " +
      '"service:Action" names on exact ARNs. Wildcards are refused (the construct\'s DeliberateWildcard ' +
      "exception is not offered here).",
    validation: [
      rule(
        `alltrue([for s in var.extra_policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && length(s.resources) > 0 && alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))]) && alltrue([for r in s.resources : startswith(r, "arn:aws") && !strcontains(r, "*") && !strcontains(r, "?")])])`,
        `extra_policy_statements: each needs a sid of letters and digits, at least one exact "service:Action" ` +
          `and at least one ARN, with no "*" or "?" ${got("extra_policy_statements")}.`,
      ),
    ],
  },
  {
    name: "tags",
    type: "map(string)",
    default: {},
    prop: "QueueProcessorProps.tags",
    validation: [
      rule(
        `alltrue([for key, value in var.tags : length(key) >= ${TAGS.keyLength.min} && length(key) <= ${TAGS.keyLength.max} && !startswith(lower(key), ${JSON.stringify(TAGS.reservedKeyPrefix)}) && length(value) <= ${TAGS.valueMaxLength}])`,
        `tags: a tag key must be ${TAGS.keyLength.min}-${TAGS.keyLength.max} characters and must not start with ` +
          `"${TAGS.reservedKeyPrefix}", and a value at most ${TAGS.valueMaxLength} characters ${got("tags")}.`,
      ),
    ],
  },
];
