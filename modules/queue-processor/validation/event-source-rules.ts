import { ARNS, CLOUDWATCH, IAM, LAMBDA, SQS, SQS_EVENT_SOURCE, TAGS } from "../../../functions/aws-limits.js";
import { CONSTRUCT_ENVIRONMENT_KEYS, CONSTRUCT_LIMITS } from "../construct-limits.js";
import type { ConfigIssue, ConfigIssueLevel } from "../errors.js";
import { closestKey, KNOWN_KEYS } from "../known-keys.js";
import type { QueueProcessorProps } from "../props.js";
import { ALARM_KINDS, type ResolvedAlarm, type ResolvedConfig } from "../resolve.js";

/** What a rule reports; the runner adds the rule's code. */
type RuleIssue = Pick<ConfigIssue, "path" | "message">;

/** One rule: a stable code, its level, and a pure check. */
export interface Rule {
  readonly code: string;
  readonly level: ConfigIssueLevel;
  readonly check: (props: QueueProcessorProps, config: ResolvedConfig) => readonly RuleIssue[];
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
    for (const issue of rule.check(props, config)) {
      (rule.level === "error" ? errors : warnings).push({ code: rule.code, ...issue });
    }
  }
  return { errors, warnings };
}

interface Range {
  readonly min: number;
  readonly max: number;
}

const number = (value: number): string => value.toLocaleString("en-US");
const got = (value: unknown): string => `(got ${value === undefined ? "undefined" : JSON.stringify(value)})`;
const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** No issue when `ok`; otherwise one at `path`. */
function issueUnless(ok: boolean, path: string, message: string): RuleIssue[] {
  return ok ? [] : [{ path, message }];
}

/** `batchSize must be a whole number between 1 and 10 for FIFO queues (got 20)`: the one range wording. */
function wholeNumberIn(path: string, value: unknown, { min, max }: Range, qualifier = ""): RuleIssue[] {
  const range = max === Infinity ? `${number(min)} or more` : `between ${number(min)} and ${number(max)}`;
  return issueUnless(
    isInteger(value) && value >= min && value <= max,
    path,
    `${path} must be a whole number ${range}${qualifier} ${got(value)}`,
  );
}

function rangeRule(code: string, path: string, read: (config: ResolvedConfig) => unknown, range: Range): Rule {
  return {
    code,
    level: "error",
    check: (_props, config) => {
      const value = read(config);
      return value === undefined ? [] : wholeNumberIn(path, value, range);
    },
  };
}

function booleanRule(code: string, path: string, read: (props: QueueProcessorProps) => unknown): Rule {
  return {
    code,
    level: "error",
    check: (props) => {
      const value = read(props);
      return issueUnless(
        value === undefined || typeof value === "boolean",
        path,
        `${path} must be true or false ${got(value)}`,
      );
    },
  };
}

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

const RESERVED_ENVIRONMENT_KEYS: readonly string[] = LAMBDA.reservedEnvironmentKeys;
const ALARM_SHORT_PERIODS: readonly number[] = CLOUDWATCH.alarmPeriodSeconds.highResolution;
const LOG_RETENTION_DAYS: readonly number[] = CLOUDWATCH.logRetentionDays;
const BATCH = SQS_EVENT_SOURCE.batchSize;
const WINDOW = SQS_EVENT_SOURCE.maxBatchingWindowSeconds;
const FILTERS = SQS_EVENT_SOURCE.filterPatterns;

export const RULES: readonly Rule[] = [
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
      if (!isPlainObject(environment)) return [];
      const bytes = Buffer.byteLength(JSON.stringify(environment), "utf8");
      return issueUnless(
        bytes <= LAMBDA.environmentMaxBytes,
        "handler.environment",
        `handler.environment must fit in ${number(LAMBDA.environmentMaxBytes)} bytes in all (got ${number(bytes)} bytes)`,
      );
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
    level: "error",
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
    SQS.visibilityTimeoutSeconds,
  ),
  rangeRule("retention-range", "queue.retentionSeconds", (c) => c.queue.retentionSeconds, SQS.retentionSeconds),
  rangeRule(
    "dlq-retention-range",
    "queue.deadLetterRetentionSeconds",
    (c) => c.queue.deadLetterRetentionSeconds,
    SQS.retentionSeconds,
  ),
  rangeRule("max-receive-count-range", "queue.maxReceiveCount", (c) => c.queue.maxReceiveCount, SQS.maxReceiveCount),
  rangeRule("max-message-size-range", "queue.maxMessageSizeBytes", (c) => c.queue.maxMessageSizeBytes, {
    min: SQS.maxMessageSizeBytes.min,
    max: SQS.maxMessageSizeBytes.terraformProviderMax,
  }),
  rangeRule(
    "receive-wait-range",
    "queue.receiveWaitTimeSeconds",
    (c) => c.queue.receiveWaitTimeSeconds,
    SQS.receiveWaitTimeSeconds,
  ),
  rangeRule(
    "delivery-delay-range",
    "queue.deliveryDelaySeconds",
    (c) => c.queue.deliveryDelaySeconds,
    SQS.deliveryDelaySeconds,
  ),
  {
    code: "kms-key-arn-invalid",
    level: "error",
    check: (_props, config) => {
      const arn: unknown = config.queue.kmsKeyArn;
      return issueUnless(
        arn === undefined || (typeof arn === "string" && ARNS.kmsKey.test(arn)),
        "queue.kmsKeyArn",
        `queue.kmsKeyArn must be a KMS key ARN like arn:aws:kms:<region>:<account>:key/<key-id> (aliases cannot be scoped in IAM) ${got(arn)}`,
      );
    },
  },
  {
    code: "visibility-below-timeout",
    level: "error",
    check: (_props, { queue, handler, eventSource }) => {
      const needed = handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds;
      if (!isInteger(queue.visibilityTimeoutSeconds) || !isInteger(needed)) return [];
      return issueUnless(
        queue.visibilityTimeoutSeconds >= needed,
        "queue.visibilityTimeoutSeconds",
        `queue.visibilityTimeoutSeconds must be at least handler.timeoutSeconds + ` +
          `eventSource.maxBatchingWindowSeconds = ${number(needed)}, or messages reappear while ` +
          `still being processed (got ${number(queue.visibilityTimeoutSeconds)})`,
      );
    },
  },
  {
    code: "dlq-retention-below-source",
    level: "error",
    check: (_props, { queue }) => {
      const { retentionSeconds, deadLetterRetentionSeconds } = queue;
      if (!isInteger(deadLetterRetentionSeconds) || !isInteger(retentionSeconds)) return [];
      return issueUnless(
        deadLetterRetentionSeconds >= retentionSeconds,
        "queue.deadLetterRetentionSeconds",
        `queue.deadLetterRetentionSeconds must be at least queue.retentionSeconds = ` +
          `${number(retentionSeconds)}: a message keeps its original enqueue time in the DLQ ` +
          `and would expire early (got ${number(deadLetterRetentionSeconds)})`,
      );
    },
  },
  {
    code: "batch-size-range",
    level: "error",
    check: (_props, { queue, eventSource }) =>
      queue.fifo
        ? wholeNumberIn(
            "eventSource.batchSize",
            eventSource.batchSize,
            { min: BATCH.min, max: BATCH.fifoMax },
            " for FIFO queues",
          )
        : wholeNumberIn(
            "eventSource.batchSize",
            eventSource.batchSize,
            { min: BATCH.min, max: BATCH.standardMax },
            " for standard queues",
          ),
  },
  rangeRule(
    "batching-window-range",
    "eventSource.maxBatchingWindowSeconds",
    (c) => c.eventSource.maxBatchingWindowSeconds,
    WINDOW,
  ),
  {
    code: "batching-window-required",
    level: "error",
    check: (_props, { queue, eventSource }) => {
      const { batchSize, maxBatchingWindowSeconds: window } = eventSource;
      if (queue.fifo || !isInteger(batchSize) || batchSize <= BATCH.withoutWindowMax) return [];
      // "Below", not "not at least": a window that is no number at all is batching-window-range's to report.
      const tooShort = window < WINDOW.minForLargerBatches;
      return issueUnless(
        !tooShort,
        "eventSource.maxBatchingWindowSeconds",
        `eventSource.maxBatchingWindowSeconds must be at least ${WINDOW.minForLargerBatches} when eventSource.batchSize ` +
          `is above ${BATCH.withoutWindowMax} (batchSize ${number(batchSize)}) ${got(window)}`,
      );
    },
  },
  {
    code: "batching-window-fifo",
    level: "error",
    check: (props, { queue }) => {
      const window = props.eventSource?.maxBatchingWindowSeconds;
      return issueUnless(
        !queue.fifo || window === undefined || window === 0,
        "eventSource.maxBatchingWindowSeconds",
        `eventSource.maxBatchingWindowSeconds is not supported on FIFO queues; remove it or set 0 ${got(window)}`,
      );
    },
  },
  rangeRule(
    "max-concurrency-range",
    "eventSource.maxConcurrency",
    (c) => c.eventSource.maxConcurrency,
    SQS_EVENT_SOURCE.maxConcurrency,
  ),
  {
    code: "max-concurrency-above-reserved",
    level: "error",
    check: (_props, { handler, eventSource }) => {
      const max = eventSource.maxConcurrency;
      const reserved = handler.reservedConcurrency;
      if (!isInteger(max) || !isInteger(reserved)) return [];
      return issueUnless(
        max <= reserved,
        "eventSource.maxConcurrency",
        `eventSource.maxConcurrency must not exceed handler.reservedConcurrency = ${number(reserved)}: ` +
          `the extra pollers would only be throttled, and throttles use up receives (got ${number(max)})`,
      );
    },
  },
  {
    code: "filter-pattern-count",
    level: "error",
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
      return issueUnless(
        patterns.length <= FILTERS.max,
        "eventSource.filterPatterns",
        `eventSource.filterPatterns may hold at most ${FILTERS.max} patterns (got ${patterns.length})`,
      );
    },
  },
  {
    code: "filter-pattern-invalid",
    level: "error",
    check: (_props, { eventSource }) => {
      const patterns: unknown = eventSource.filterPatterns;
      if (!Array.isArray(patterns)) return [];
      return patterns.flatMap((pattern: unknown, index) =>
        filterPatternIssues(`eventSource.filterPatterns[${index}]`, pattern),
      );
    },
  },
  {
    code: "alarm-topic-arn-invalid",
    level: "error",
    check: (_props, { alarms }) => {
      const arn: unknown = alarms === false ? undefined : alarms.topicArn;
      return issueUnless(
        arn === undefined || (typeof arn === "string" && ARNS.snsTopic.test(arn)),
        "alarms.topicArn",
        `alarms.topicArn must be an SNS topic ARN like arn:aws:sns:<region>:<account>:<topic> ${got(arn)}`,
      );
    },
  },
  {
    code: "alarm-setting-invalid",
    level: "error",
    check: (_props, { alarms }) => {
      if (alarms === false) return [];
      return ALARM_KINDS.flatMap((kind) => {
        const alarm = alarms.byKind[kind];
        return alarm === false ? [] : alarmIssues(`alarms.${kind}`, alarm);
      });
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

  {
    code: "visibility-below-advice",
    level: "warning",
    check: (_props, { queue, handler, eventSource }) => {
      const factor = SQS_EVENT_SOURCE.advisedVisibilityFactor;
      const advised = factor * handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds;
      return issueUnless(
        queue.visibilityTimeoutIsDerived || queue.visibilityTimeoutSeconds >= advised,
        "queue.visibilityTimeoutSeconds",
        `queue.visibilityTimeoutSeconds is below AWS's advice of ${factor} x handler.timeoutSeconds + ` +
          `eventSource.maxBatchingWindowSeconds = ${number(advised)}; throttled or retried batches may ` +
          `be received again while still in flight (got ${number(queue.visibilityTimeoutSeconds)})`,
      );
    },
  },
  {
    code: "max-receive-count-below-advice",
    level: "warning",
    check: (_props, { queue }) =>
      issueUnless(
        queue.maxReceiveCount >= SQS.maxReceiveCount.advisedMin,
        "queue.maxReceiveCount",
        `queue.maxReceiveCount is below AWS's advice of ${SQS.maxReceiveCount.advisedMin} for Lambda ` +
          `consumers; throttled invocations count as receives and can move healthy messages to the DLQ ` +
          `(got ${queue.maxReceiveCount})`,
      ),
  },
  {
    code: "filter-deletes-unmatched",
    level: "warning",
    check: (_props, { eventSource }) =>
      issueUnless(
        !Array.isArray(eventSource.filterPatterns) || eventSource.filterPatterns.length === 0,
        "eventSource.filterPatterns",
        `eventSource.filterPatterns: records that match no pattern (including malformed JSON) are ` +
          `deleted by Lambda without reaching the function or the DLQ`,
      ),
  },
  {
    code: "filter-patterns-above-default-quota",
    level: "warning",
    check: (_props, { eventSource }) => {
      const count = Array.isArray(eventSource.filterPatterns) ? eventSource.filterPatterns.length : 0;
      return issueUnless(
        count <= FILTERS.defaultQuota || count > FILTERS.max,
        "eventSource.filterPatterns",
        `eventSource.filterPatterns holds more than the default quota of ${FILTERS.defaultQuota} ` +
          `patterns per mapping; the account needs a quota increase (got ${count})`,
      );
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

/** An SQS filter pattern: an object filtering on `body` only, not too long as JSON. */
function filterPatternIssues(path: string, pattern: unknown): RuleIssue[] {
  if (!isPlainObject(pattern)) {
    return [{ path, message: `${path} must be an object like { body: { type: ["order_created"] } } ${got(pattern)}` }];
  }
  const notBody = Object.keys(pattern).filter((key) => key !== "body");
  if (notBody.length > 0) {
    const found = notBody.map((key) => JSON.stringify(key)).join(", ");
    return [{ path, message: `${path} may only filter on "body" for SQS (found ${found}) ${got(pattern)}` }];
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
  return issueUnless(
    length <= FILTERS.maxJsonLength,
    path,
    `${path} must be at most ${number(FILTERS.maxJsonLength)} characters as JSON (got ${number(length)})`,
  );
}

/** One alarm's threshold, period and evaluation periods, as CloudWatch accepts them. */
function alarmIssues(path: string, alarm: ResolvedAlarm): RuleIssue[] {
  const { threshold, periodSeconds: period, evaluationPeriods } = alarm;
  const { multipleOf } = CLOUDWATCH.alarmPeriodSeconds;
  const periodValid =
    isInteger(period) && period > 0 && (ALARM_SHORT_PERIODS.includes(period) || period % multipleOf === 0);
  const evaluatedSeconds = period * evaluationPeriods;
  return [
    ...issueUnless(
      typeof threshold === "number" && Number.isFinite(threshold) && threshold >= 0,
      `${path}.threshold`,
      `${path}.threshold must be a number, 0 or more ${got(threshold)}`,
    ),
    ...issueUnless(
      periodValid,
      `${path}.periodSeconds`,
      `${path}.periodSeconds must be ${ALARM_SHORT_PERIODS.join(", ")} or a multiple of ${multipleOf} ${got(period)}`,
    ),
    ...wholeNumberIn(`${path}.evaluationPeriods`, evaluationPeriods, {
      min: CLOUDWATCH.alarmEvaluationPeriodsMin,
      max: Infinity,
    }),
    ...issueUnless(
      !periodValid || !isInteger(evaluationPeriods) || evaluatedSeconds <= CLOUDWATCH.alarmEvaluationMaxSeconds,
      `${path}.evaluationPeriods`,
      `${path}.evaluationPeriods x periodSeconds must be at most ${number(CLOUDWATCH.alarmEvaluationMaxSeconds)} seconds ` +
        `(got ${evaluationPeriods} x ${period} = ${number(evaluatedSeconds)})`,
    ),
  ];
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
