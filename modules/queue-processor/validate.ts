import { ARNS, CLOUDWATCH, IAM, LAMBDA, SQS, SQS_EVENT_SOURCE, TAGS } from "../../functions/aws-limits.js";
import { CONSTRUCT_ENVIRONMENT_KEYS, CONSTRUCT_LIMITS } from "./construct-limits.js";
import type { ConfigIssue } from "./errors.js";
import { closestKey, KNOWN_KEYS } from "./known-keys.js";
import type { QueueProcessorProps } from "./props.js";
import { ALARM_KINDS, type ResolvedConfig } from "./resolve.js";

export type Severity = "error" | "warning";

interface Finding {
  readonly path: string;
  readonly message: string;
}

/** One rule: a stable code, how bad breaking it is, and a pure check. */
export interface Rule {
  readonly code: string;
  readonly severity: Severity;
  readonly check: (props: QueueProcessorProps, config: ResolvedConfig) => readonly Finding[];
}

/** Errors stop the synth; warnings are AWS advice that the configuration ignores but can live with. */
export interface ValidationResult {
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

export function validateConfig(props: QueueProcessorProps, config: ResolvedConfig): ValidationResult {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  for (const rule of RULES) {
    for (const finding of rule.check(props, config)) {
      (rule.severity === "error" ? errors : warnings).push({ code: rule.code, ...finding });
    }
  }
  return { errors, warnings };
}

const number = (value: number): string => value.toLocaleString("en-US");
const got = (value: unknown): string => `(got ${value === undefined ? "undefined" : JSON.stringify(value)})`;
const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function integerRange(path: string, value: unknown, min: number, max: number, qualifier = ""): Finding[] {
  if (isInteger(value) && value >= min && value <= max) return [];
  const range = max === Infinity ? `${number(min)} or more` : `between ${number(min)} and ${number(max)}`;
  return [{ path, message: `${path} must be a whole number ${range}${qualifier} ${got(value)}` }];
}

function rangeRule(
  code: string,
  path: string,
  read: (config: ResolvedConfig) => unknown,
  min: number,
  max: number,
): Rule {
  return {
    code,
    severity: "error",
    check: (_props, config) => {
      const value = read(config);
      return value === undefined ? [] : integerRange(path, value, min, max);
    },
  };
}

function booleanRule(code: string, path: string, read: (props: QueueProcessorProps) => unknown): Rule {
  return {
    code,
    severity: "error",
    check: (props) => {
      const value = read(props);
      return value === undefined || typeof value === "boolean"
        ? []
        : [{ path, message: `${path} must be true or false ${got(value)}` }];
    },
  };
}

function unknownKeys(path: string, value: unknown, known: readonly string[]): Finding[] {
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

export const RULES: readonly Rule[] = [
  {
    code: "unknown-property",
    severity: "error",
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
      ];
    },
  },
  {
    code: "name-invalid",
    severity: "error",
    check: (props) => {
      const name: unknown = props.name;
      const valid =
        typeof name === "string" &&
        name.length <= CONSTRUCT_LIMITS.nameMaxLength &&
        CONSTRUCT_LIMITS.namePattern.test(name);
      return valid
        ? []
        : [
            {
              path: "name",
              message:
                `name must be 1-${CONSTRUCT_LIMITS.nameMaxLength} characters of A-Z, a-z, 0-9, "-" or "_", so that ` +
                `derived names such as "<name>-processor-role" fit IAM's ${IAM.roleNameMaxLength}-character limit ${got(name)}`,
            },
          ];
    },
  },
  {
    code: "handler-entry-invalid",
    severity: "error",
    check: (props) => {
      const entry: unknown = props.handler?.entry;
      return typeof entry === "string" && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry)
        ? []
        : [
            {
              path: "handler.entry",
              message: `handler.entry must be the path of a .ts or .js file that exports "handler" ${got(entry)}`,
            },
          ];
    },
  },
  rangeRule(
    "timeout-range",
    "handler.timeoutSeconds",
    (c) => c.handler.timeoutSeconds,
    LAMBDA.timeoutSeconds.min,
    LAMBDA.timeoutSeconds.max,
  ),
  rangeRule(
    "memory-range",
    "handler.memorySizeMb",
    (c) => c.handler.memorySizeMb,
    LAMBDA.memorySizeMb.min,
    LAMBDA.memorySizeMb.max,
  ),
  {
    code: "reserved-concurrency-range",
    severity: "error",
    check: (_props, config) => {
      const value = config.handler.reservedConcurrency;
      if (value === undefined) return [];
      const findings = integerRange(
        "handler.reservedConcurrency",
        value,
        CONSTRUCT_LIMITS.reservedConcurrencyMin,
        Infinity,
      );
      return value === 0
        ? [
            {
              path: "handler.reservedConcurrency",
              message:
                `handler.reservedConcurrency must be ${CONSTRUCT_LIMITS.reservedConcurrencyMin} or more: 0 stops the function, and messages would ` +
                "expire from the queue unprocessed after retentionSeconds (got 0)",
            },
          ]
        : findings;
    },
  },
  {
    code: "architecture-invalid",
    severity: "error",
    check: (_props, config) =>
      config.handler.architecture === "arm64" || config.handler.architecture === "x86_64"
        ? []
        : [
            {
              path: "handler.architecture",
              message: `handler.architecture must be "arm64" or "x86_64" ${got(config.handler.architecture)}`,
            },
          ],
  },
  {
    code: "log-retention-invalid",
    severity: "error",
    check: (_props, config) =>
      (CLOUDWATCH.logRetentionDays as readonly number[]).includes(config.handler.logRetentionDays)
        ? []
        : [
            {
              path: "handler.logRetentionDays",
              message:
                `handler.logRetentionDays must be one of ${CLOUDWATCH.logRetentionDays.join(", ")} ` +
                got(config.handler.logRetentionDays),
            },
          ],
  },
  {
    code: "environment-invalid",
    severity: "error",
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
      const findings: Finding[] = [];
      for (const [key, value] of Object.entries(environment)) {
        const path = `handler.environment.${key}`;
        if (!LAMBDA.environmentKeyPattern.test(key)) {
          findings.push({
            path,
            message: `${path}: a variable name must start with a letter and use only A-Z, a-z, 0-9 and "_" ${got(key)}`,
          });
        } else if ((LAMBDA.reservedEnvironmentKeys as readonly string[]).includes(key)) {
          findings.push({ path, message: `${path}: ${key} is reserved by Lambda and cannot be set ${got(key)}` });
        } else if (CONSTRUCT_ENVIRONMENT_KEYS.includes(key)) {
          findings.push({
            path,
            message: `${path}: ${key} is set by QueueProcessor itself (${CONSTRUCT_ENVIRONMENT_KEYS.join(", ")}) ${got(key)}`,
          });
        }
        if (typeof value !== "string") {
          findings.push({ path, message: `${path} must be a string ${got(value)}` });
        }
      }
      return findings;
    },
  },
  {
    code: "environment-too-large",
    severity: "error",
    check: (_props, config) => {
      const environment = config.handler.environment;
      if (!isPlainObject(environment)) return [];
      const bytes = Buffer.byteLength(JSON.stringify(environment), "utf8");
      return bytes <= LAMBDA.environmentMaxBytes
        ? []
        : [
            {
              path: "handler.environment",
              message: `handler.environment must fit in ${number(LAMBDA.environmentMaxBytes)} bytes in all (got ${number(bytes)} bytes)`,
            },
          ];
    },
  },

  booleanRule("bundle-aws-sdk-invalid", "handler.bundleAwsSdk", (p) => p.handler?.bundleAwsSdk),
  booleanRule("fifo-invalid", "queue.fifo", (p) => p.queue?.fifo),
  booleanRule(
    "content-based-deduplication-invalid",
    "queue.contentBasedDeduplication",
    (p) => p.queue?.contentBasedDeduplication,
  ),
  booleanRule("high-throughput-fifo-invalid", "queue.highThroughputFifo", (p) => p.queue?.highThroughputFifo),
  {
    code: "fifo-only-option",
    severity: "error",
    check: (props, config) =>
      config.queue.fifo
        ? []
        : (["contentBasedDeduplication", "highThroughputFifo"] as const)
            .filter((key) => props.queue?.[key] !== undefined)
            .map((key) => ({
              path: `queue.${key}`,
              message: `queue.${key} applies only to FIFO queues; set queue.fifo to true or remove it ${got(props.queue?.[key])}`,
            })),
  },
  rangeRule(
    "visibility-timeout-range",
    "queue.visibilityTimeoutSeconds",
    (c) => c.queue.visibilityTimeoutSeconds,
    SQS.visibilityTimeoutSeconds.min,
    SQS.visibilityTimeoutSeconds.max,
  ),
  rangeRule(
    "retention-range",
    "queue.retentionSeconds",
    (c) => c.queue.retentionSeconds,
    SQS.retentionSeconds.min,
    SQS.retentionSeconds.max,
  ),
  rangeRule(
    "dlq-retention-range",
    "queue.deadLetterRetentionSeconds",
    (c) => c.queue.deadLetterRetentionSeconds,
    SQS.retentionSeconds.min,
    SQS.retentionSeconds.max,
  ),
  rangeRule(
    "max-receive-count-range",
    "queue.maxReceiveCount",
    (c) => c.queue.maxReceiveCount,
    SQS.maxReceiveCount.min,
    SQS.maxReceiveCount.max,
  ),
  rangeRule(
    "max-message-size-range",
    "queue.maxMessageSizeBytes",
    (c) => c.queue.maxMessageSizeBytes,
    SQS.maxMessageSizeBytes.min,
    SQS.maxMessageSizeBytes.terraformProviderMax,
  ),
  rangeRule(
    "receive-wait-range",
    "queue.receiveWaitTimeSeconds",
    (c) => c.queue.receiveWaitTimeSeconds,
    SQS.receiveWaitTimeSeconds.min,
    SQS.receiveWaitTimeSeconds.max,
  ),
  rangeRule(
    "delivery-delay-range",
    "queue.deliveryDelaySeconds",
    (c) => c.queue.deliveryDelaySeconds,
    SQS.deliveryDelaySeconds.min,
    SQS.deliveryDelaySeconds.max,
  ),
  {
    code: "kms-key-arn-invalid",
    severity: "error",
    check: (_props, config) => {
      const arn: unknown = config.queue.kmsKeyArn;
      return arn === undefined || (typeof arn === "string" && ARNS.kmsKey.test(arn))
        ? []
        : [
            {
              path: "queue.kmsKeyArn",
              message: `queue.kmsKeyArn must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id> (aliases cannot be scoped in IAM) ${got(arn)}`,
            },
          ];
    },
  },
  {
    code: "visibility-below-timeout",
    severity: "error",
    check: (_props, { queue, handler, eventSource }) => {
      const needed = handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds;
      if (!isInteger(queue.visibilityTimeoutSeconds) || !isInteger(needed)) return [];
      return queue.visibilityTimeoutSeconds >= needed
        ? []
        : [
            {
              path: "queue.visibilityTimeoutSeconds",
              message:
                `queue.visibilityTimeoutSeconds must be at least handler.timeoutSeconds + ` +
                `eventSource.maxBatchingWindowSeconds = ${number(needed)}, or messages reappear while ` +
                `still being processed (got ${number(queue.visibilityTimeoutSeconds)})`,
            },
          ];
    },
  },
  {
    code: "dlq-retention-below-source",
    severity: "error",
    check: (_props, { queue }) =>
      !isInteger(queue.deadLetterRetentionSeconds) ||
      !isInteger(queue.retentionSeconds) ||
      queue.deadLetterRetentionSeconds >= queue.retentionSeconds
        ? []
        : [
            {
              path: "queue.deadLetterRetentionSeconds",
              message:
                `queue.deadLetterRetentionSeconds must be at least queue.retentionSeconds = ` +
                `${number(queue.retentionSeconds)}: a message keeps its original enqueue time in the DLQ ` +
                `and would expire early (got ${number(queue.deadLetterRetentionSeconds)})`,
            },
          ],
  },
  {
    code: "batch-size-range",
    severity: "error",
    check: (_props, { queue, eventSource }) =>
      queue.fifo
        ? integerRange(
            "eventSource.batchSize",
            eventSource.batchSize,
            SQS_EVENT_SOURCE.batchSize.min,
            SQS_EVENT_SOURCE.batchSize.fifoMax,
            " for FIFO queues",
          )
        : integerRange(
            "eventSource.batchSize",
            eventSource.batchSize,
            SQS_EVENT_SOURCE.batchSize.min,
            SQS_EVENT_SOURCE.batchSize.standardMax,
            " for standard queues",
          ),
  },
  rangeRule(
    "batching-window-range",
    "eventSource.maxBatchingWindowSeconds",
    (c) => c.eventSource.maxBatchingWindowSeconds,
    SQS_EVENT_SOURCE.maxBatchingWindowSeconds.min,
    SQS_EVENT_SOURCE.maxBatchingWindowSeconds.max,
  ),
  {
    code: "batching-window-required",
    severity: "error",
    check: (_props, { queue, eventSource }) =>
      !queue.fifo &&
      isInteger(eventSource.batchSize) &&
      eventSource.batchSize > SQS_EVENT_SOURCE.batchSize.withoutWindowMax &&
      eventSource.maxBatchingWindowSeconds < SQS_EVENT_SOURCE.maxBatchingWindowSeconds.minForLargerBatches
        ? [
            {
              path: "eventSource.maxBatchingWindowSeconds",
              message:
                `eventSource.maxBatchingWindowSeconds must be at least ${SQS_EVENT_SOURCE.maxBatchingWindowSeconds.minForLargerBatches} when eventSource.batchSize is above ` +
                `${SQS_EVENT_SOURCE.batchSize.withoutWindowMax} (batchSize ${number(eventSource.batchSize)}) ${got(eventSource.maxBatchingWindowSeconds)}`,
            },
          ]
        : [],
  },
  {
    code: "batching-window-fifo",
    severity: "error",
    check: (props, { queue }) => {
      const window = props.eventSource?.maxBatchingWindowSeconds;
      return queue.fifo && window !== undefined && window !== 0
        ? [
            {
              path: "eventSource.maxBatchingWindowSeconds",
              message: `eventSource.maxBatchingWindowSeconds is not supported on FIFO queues; remove it or set 0 ${got(window)}`,
            },
          ]
        : [];
    },
  },
  rangeRule(
    "max-concurrency-range",
    "eventSource.maxConcurrency",
    (c) => c.eventSource.maxConcurrency,
    SQS_EVENT_SOURCE.maxConcurrency.min,
    SQS_EVENT_SOURCE.maxConcurrency.max,
  ),
  {
    code: "max-concurrency-above-reserved",
    severity: "error",
    check: (_props, { handler, eventSource }) => {
      const max = eventSource.maxConcurrency;
      const reserved = handler.reservedConcurrency;
      return isInteger(max) && isInteger(reserved) && max > reserved
        ? [
            {
              path: "eventSource.maxConcurrency",
              message:
                `eventSource.maxConcurrency must not exceed handler.reservedConcurrency = ${number(reserved)}: ` +
                `the extra pollers would only be throttled, and throttles use up receives (got ${number(max)})`,
            },
          ]
        : [];
    },
  },
  {
    code: "filter-pattern-count",
    severity: "error",
    check: (_props, { eventSource }) => {
      const patterns: unknown = eventSource.filterPatterns;
      if (!Array.isArray(patterns)) {
        return [
          {
            path: "eventSource.filterPatterns",
            message: `eventSource.filterPatterns must be an array of { body: {...} } patterns ${got(patterns)}`,
          },
        ];
      }
      return patterns.length <= SQS_EVENT_SOURCE.filterPatterns.max
        ? []
        : [
            {
              path: "eventSource.filterPatterns",
              message: `eventSource.filterPatterns may hold at most ${SQS_EVENT_SOURCE.filterPatterns.max} patterns (got ${patterns.length})`,
            },
          ];
    },
  },
  {
    code: "filter-pattern-invalid",
    severity: "error",
    check: (_props, { eventSource }) => {
      const patterns: unknown = eventSource.filterPatterns;
      if (!Array.isArray(patterns)) return [];
      return patterns.flatMap((pattern: unknown, index): Finding[] => {
        const path = `eventSource.filterPatterns[${index}]`;
        if (!isPlainObject(pattern)) {
          return [
            { path, message: `${path} must be an object like { body: { type: ["order_created"] } } ${got(pattern)}` },
          ];
        }
        const keys = Object.keys(pattern);
        const notBody = keys.filter((key) => key !== "body");
        if (notBody.length > 0) {
          return [
            {
              path,
              message: `${path} may only filter on "body" for SQS (found ${notBody.map((k) => JSON.stringify(k)).join(", ")}) ${got(pattern)}`,
            },
          ];
        }
        if (!isPlainObject(pattern.body) || Object.keys(pattern.body).length === 0) {
          return [
            {
              path: `${path}.body`,
              message: `${path}.body must be a non-empty object of field patterns ${got(pattern.body)}`,
            },
          ];
        }
        const length = JSON.stringify(pattern).length;
        return length <= SQS_EVENT_SOURCE.filterPatterns.maxJsonLength
          ? []
          : [
              {
                path,
                message: `${path} must be at most ${number(SQS_EVENT_SOURCE.filterPatterns.maxJsonLength)} characters as JSON (got ${number(length)})`,
              },
            ];
      });
    },
  },
  {
    code: "alarm-topic-arn-invalid",
    severity: "error",
    check: (_props, { alarms }) => {
      const arn: unknown = alarms === false ? undefined : alarms.topicArn;
      return arn === undefined || (typeof arn === "string" && ARNS.snsTopic.test(arn))
        ? []
        : [
            {
              path: "alarms.topicArn",
              message: `alarms.topicArn must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic> ${got(arn)}`,
            },
          ];
    },
  },
  {
    code: "alarm-setting-invalid",
    severity: "error",
    check: (_props, { alarms }) => {
      if (alarms === false) return [];
      return ALARM_KINDS.flatMap((kind): Finding[] => {
        const alarm = alarms.byKind[kind];
        if (alarm === false) return [];
        const path = `alarms.${kind}`;
        const findings: Finding[] = [];
        if (typeof alarm.threshold !== "number" || !Number.isFinite(alarm.threshold) || alarm.threshold < 0) {
          findings.push({
            path: `${path}.threshold`,
            message: `${path}.threshold must be a number, 0 or more ${got(alarm.threshold)}`,
          });
        }
        const period = alarm.periodSeconds;
        const periodValid =
          isInteger(period) &&
          period > 0 &&
          ((CLOUDWATCH.alarmPeriodSeconds.highResolution as readonly number[]).includes(period) ||
            period % CLOUDWATCH.alarmPeriodSeconds.multipleOf === 0);
        if (!periodValid) {
          findings.push({
            path: `${path}.periodSeconds`,
            message: `${path}.periodSeconds must be ${CLOUDWATCH.alarmPeriodSeconds.highResolution.join(", ")} or a multiple of ${CLOUDWATCH.alarmPeriodSeconds.multipleOf} ${got(period)}`,
          });
        }
        findings.push(
          ...integerRange(
            `${path}.evaluationPeriods`,
            alarm.evaluationPeriods,
            CLOUDWATCH.alarmEvaluationPeriodsMin,
            Infinity,
          ),
        );
        if (
          periodValid &&
          isInteger(alarm.evaluationPeriods) &&
          period * alarm.evaluationPeriods > CLOUDWATCH.alarmEvaluationMaxSeconds
        ) {
          findings.push({
            path: `${path}.evaluationPeriods`,
            message:
              `${path}.evaluationPeriods x periodSeconds must be at most ${number(CLOUDWATCH.alarmEvaluationMaxSeconds)} seconds ` +
              `(got ${alarm.evaluationPeriods} x ${period} = ${number(period * alarm.evaluationPeriods)})`,
          });
        }
        return findings;
      });
    },
  },
  {
    code: "tags-invalid",
    severity: "error",
    check: (_props, { tags }) => {
      if (!isPlainObject(tags)) return [{ path: "tags", message: `tags must be an object of strings ${got(tags)}` }];
      return Object.entries(tags).flatMap(([key, value]): Finding[] => {
        const path = `tags.${key}`;
        if (
          key.length < TAGS.keyLength.min ||
          key.length > TAGS.keyLength.max ||
          key.toLowerCase().startsWith(TAGS.reservedKeyPrefix)
        ) {
          return [
            {
              path,
              message: `${path}: a tag key must be ${TAGS.keyLength.min}-${TAGS.keyLength.max} characters and must not start with "${TAGS.reservedKeyPrefix}" ${got(key)}`,
            },
          ];
        }
        if (typeof value !== "string" || value.length > TAGS.valueMaxLength) {
          return [
            { path, message: `${path} must be a string of at most ${TAGS.valueMaxLength} characters ${got(value)}` },
          ];
        }
        return [];
      });
    },
  },

  {
    code: "visibility-below-advice",
    severity: "warning",
    check: (_props, { queue, handler, eventSource }) => {
      const advised =
        SQS_EVENT_SOURCE.advisedVisibilityFactor * handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds;
      return queue.visibilityTimeoutIsDerived || queue.visibilityTimeoutSeconds >= advised
        ? []
        : [
            {
              path: "queue.visibilityTimeoutSeconds",
              message:
                `queue.visibilityTimeoutSeconds is below AWS's advice of ${SQS_EVENT_SOURCE.advisedVisibilityFactor} x handler.timeoutSeconds + ` +
                `eventSource.maxBatchingWindowSeconds = ${number(advised)}; throttled or retried batches may ` +
                `be received again while still in flight (got ${number(queue.visibilityTimeoutSeconds)})`,
            },
          ];
    },
  },
  {
    code: "max-receive-count-below-advice",
    severity: "warning",
    check: (_props, { queue }) =>
      queue.maxReceiveCount >= SQS.maxReceiveCount.advisedMin
        ? []
        : [
            {
              path: "queue.maxReceiveCount",
              message:
                `queue.maxReceiveCount is below AWS's advice of ${SQS.maxReceiveCount.advisedMin} for Lambda ` +
                `consumers; throttled invocations count as receives and can move healthy messages to the DLQ ` +
                `(got ${queue.maxReceiveCount})`,
            },
          ],
  },
  {
    code: "filter-deletes-unmatched",
    severity: "warning",
    check: (_props, { eventSource }) =>
      Array.isArray(eventSource.filterPatterns) && eventSource.filterPatterns.length > 0
        ? [
            {
              path: "eventSource.filterPatterns",
              message:
                `eventSource.filterPatterns: records that match no pattern (including malformed JSON) are ` +
                `deleted by Lambda without reaching the function or the DLQ`,
            },
          ]
        : [],
  },
  {
    code: "filter-patterns-above-default-quota",
    severity: "warning",
    check: (_props, { eventSource }) =>
      Array.isArray(eventSource.filterPatterns) &&
      eventSource.filterPatterns.length > SQS_EVENT_SOURCE.filterPatterns.defaultQuota &&
      eventSource.filterPatterns.length <= SQS_EVENT_SOURCE.filterPatterns.max
        ? [
            {
              path: "eventSource.filterPatterns",
              message:
                `eventSource.filterPatterns holds more than the default quota of ${SQS_EVENT_SOURCE.filterPatterns.defaultQuota} ` +
                `patterns per mapping; the account needs a quota increase (got ${eventSource.filterPatterns.length})`,
            },
          ]
        : [],
  },
];
