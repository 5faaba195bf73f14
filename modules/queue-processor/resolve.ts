import { createRequire } from "node:module";
import { DEFAULT_ARCHIVE_PREFIX } from "@queue-processor/runtime/archive";
import { SQS, SQS_EVENT_SOURCE } from "@queue-processor/runtime/aws-limits";
import { appProjectRoot } from "./project-root.js";
import type {
  AlarmSetting,
  AlarmsProps,
  ArchiveBucket,
  BodyFilterPattern,
  LambdaArchitecture,
  QueueProcessorProps,
} from "./props.js";

/** An alarm with every value filled in. */
export interface ResolvedAlarm {
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
}

export type AlarmKind =
  | "queueDepth"
  | "deadLetterQueueNotEmpty"
  | "oldestMessageAge"
  | "functionErrors"
  | "functionThrottles"
  | "filteredOutEvents";

export const ALARM_KINDS: readonly AlarmKind[] = [
  "queueDepth",
  "deadLetterQueueNotEmpty",
  "oldestMessageAge",
  "functionErrors",
  "functionThrottles",
  "filteredOutEvents",
];

/** The names every resource gets, derived from `name` alone. */
export interface ResourceNames {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly function: string;
  readonly role: string;
  readonly logGroup: string;
  readonly topic: string;
  alarm(kind: AlarmKind): string;
  readonly archiver: {
    /** Where SQS moves a dead letter the archiver failed to store ARCHIVER_MAX_RECEIVES times. */
    readonly unarchivedQueue: string;
    readonly function: string;
    readonly role: string;
    readonly logGroup: string;
    /** Terraform's `bucket_prefix` of a created archive bucket; it appends a unique suffix. */
    readonly bucketPrefix: string;
  };
}

/** The archiver with every value filled in. */
interface ResolvedArchiver {
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly logRetentionDays: number;
}

/** `deadLetters` with its defaults; `mode` is taken as given (the rules judge it). */
export type ResolvedDeadLetters =
  | { readonly mode: "retain" }
  | {
      readonly mode: "archive";
      /** The caller's bucket; undefined when the construct creates one. */
      readonly bucket: ArchiveBucket | undefined;
      readonly prefix: string;
      readonly expireAfterDays: number;
      readonly archiver: ResolvedArchiver;
    };

/**
 * The archiver's code: the runtime package's `archiver` entry, wherever that package is installed
 * (its TypeScript source inside this repository, its built JavaScript in an app's `node_modules`).
 */
export const DEFAULT_ARCHIVER_ENTRY = createRequire(import.meta.url).resolve("@queue-processor/runtime/archiver");

/**
 * The configuration after defaults and derived values are filled in: what the construct builds.
 * Values are taken as given, even when out of range; `validation/` judges them.
 */
export interface ResolvedConfig {
  readonly name: string;
  /** Where relative code entries are resolved from; undefined when it cannot be found (a rule says so). */
  readonly projectRoot: string | undefined;
  readonly names: ResourceNames;
  readonly handler: {
    readonly entry: string;
    readonly timeoutSeconds: number;
    readonly memorySizeMb: number;
    readonly environment: Readonly<Record<string, string>>;
    readonly reservedConcurrency: number | undefined;
    readonly architecture: LambdaArchitecture;
    readonly logRetentionDays: number;
    readonly bundleAwsSdk: boolean;
  };
  readonly queue: {
    readonly fifo: boolean;
    readonly visibilityTimeoutSeconds: number;
    readonly visibilityTimeoutIsDerived: boolean;
    readonly retentionSeconds: number;
    readonly deadLetterRetentionSeconds: number;
    readonly maxReceiveCount: number;
    readonly kmsKeyArn: string | undefined;
    readonly maxMessageSizeBytes: number;
    readonly receiveWaitTimeSeconds: number;
    readonly deliveryDelaySeconds: number;
    readonly contentBasedDeduplication: boolean;
    readonly highThroughputFifo: boolean;
  };
  readonly eventSource: {
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly maxConcurrency: number | undefined;
    readonly filterPatterns: readonly BodyFilterPattern[];
  };
  /** `false` when alarms are switched off as a whole. */
  readonly alarms:
    | false
    | {
        readonly topicArn: string | undefined;
        readonly byKind: Readonly<Record<AlarmKind, ResolvedAlarm | false>>;
      };
  readonly deadLetters: ResolvedDeadLetters;
  readonly tags: Readonly<Record<string, string>>;
}

const DEFAULTS = {
  timeoutSeconds: 30,
  memorySizeMb: 256,
  architecture: "arm64",
  logRetentionDays: 30,
  retentionSeconds: 345_600,
  deadLetterRetentionSeconds: 1_209_600,
  maxReceiveCount: 5,
  maxMessageSizeBytes: 262_144,
  receiveWaitTimeSeconds: 20,
  deliveryDelaySeconds: 0,
  batchSize: SQS_EVENT_SOURCE.batchSize.default,
  queueDepthWithoutMaxConcurrency: 1000,
  archiverTimeoutSeconds: 60,
  archiverMemorySizeMb: 256,
  archiveExpireAfterDays: 90,
} as const;

/**
 * A setting as an input of a derived value: NaN unless it is a number, so that a string, a bigint or a
 * symbol (which the rules report) cannot coerce into a plausible value or throw in the arithmetic.
 */
const derivable = (value: unknown): number => (typeof value === "number" ? value : Number.NaN);

/** Default visibility timeout: AWS's advice of 6 x function timeout + batching window, capped. */
function derivedVisibilityTimeoutSeconds(timeoutSeconds: number, windowSeconds: number): number {
  return Math.min(
    SQS.visibilityTimeoutSeconds.max,
    SQS_EVENT_SOURCE.advisedVisibilityFactor * derivable(timeoutSeconds) + derivable(windowSeconds),
  );
}

/** Default batching window: none, unless the batch is larger than AWS allows without one. */
function derivedBatchingWindowSeconds(fifo: boolean, batchSize: number): number {
  const { batchSize: batch, maxBatchingWindowSeconds: window } = SQS_EVENT_SOURCE;
  return !fifo && derivable(batchSize) > batch.withoutWindowMax ? window.minForLargerBatches : window.default;
}

export function resourceNames(name: string, fifo: boolean): ResourceNames {
  const suffix = fifo ? ".fifo" : "";
  const functionName = `${name}-processor`;
  return {
    queue: `${name}-queue${suffix}`,
    deadLetterQueue: `${name}-dlq${suffix}`,
    function: functionName,
    role: `${functionName}-role`,
    logGroup: `/aws/lambda/${functionName}`,
    topic: `${name}-alarms`,
    alarm: (kind) => `${name}-${ALARM_NAME_SUFFIX[kind]}`,
    archiver: {
      unarchivedQueue: `${name}-dlq-unarchived${suffix}`,
      function: `${name}-archiver`,
      role: `${name}-archiver-role`,
      logGroup: `/aws/lambda/${name}-archiver`,
      bucketPrefix: archiveBucketPrefix(name),
    },
  };
}

/**
 * Terraform's `bucket_prefix` allows 37 lowercase characters and bucket names only `a-z 0-9 . -`,
 * starting with a letter or digit: the name is lowercased, `_` becomes `-`, and it is cut to fit.
 */
function archiveBucketPrefix(name: string): string {
  const suffix = "dead-letters-";
  const base = name
    .toLowerCase()
    .replaceAll("_", "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+/, "")
    .slice(0, 37 - suffix.length - 1)
    .replace(/-+$/, "");
  return base === "" ? suffix : `${base}-${suffix}`;
}

const ALARM_NAME_SUFFIX: Record<AlarmKind, string> = {
  queueDepth: "queue-depth",
  deadLetterQueueNotEmpty: "dlq-not-empty",
  oldestMessageAge: "oldest-message-age",
  functionErrors: "processor-errors",
  functionThrottles: "processor-throttles",
  filteredOutEvents: "filtered-out-events",
};

/** Fills in every default and derived value. Pure: no I/O, no AWS. */
export function resolveConfig(props: QueueProcessorProps): ResolvedConfig {
  const handler = props.handler ?? ({} as QueueProcessorProps["handler"]);
  const queue = props.queue ?? {};
  const eventSource = props.eventSource ?? {};
  const fifo = queue.fifo ?? false;

  const timeoutSeconds = handler.timeoutSeconds ?? DEFAULTS.timeoutSeconds;
  const batchSize = eventSource.batchSize ?? DEFAULTS.batchSize;
  const maxBatchingWindowSeconds =
    eventSource.maxBatchingWindowSeconds ?? derivedBatchingWindowSeconds(fifo, batchSize);
  const visibilityTimeoutSeconds =
    queue.visibilityTimeoutSeconds ?? derivedVisibilityTimeoutSeconds(timeoutSeconds, maxBatchingWindowSeconds);
  const retentionSeconds = queue.retentionSeconds ?? DEFAULTS.retentionSeconds;
  const maxReceiveCount = queue.maxReceiveCount ?? DEFAULTS.maxReceiveCount;
  const maxConcurrency = eventSource.maxConcurrency;

  return {
    name: props.name,
    projectRoot: props.projectRoot ?? appProjectRoot(process.argv[1]),
    // Names are built only when `name` is valid; a name that is no string is name-invalid's to report.
    names: resourceNames(typeof props.name === "string" ? props.name : "", fifo),
    handler: {
      entry: handler.entry,
      timeoutSeconds,
      memorySizeMb: handler.memorySizeMb ?? DEFAULTS.memorySizeMb,
      environment: handler.environment ?? {},
      reservedConcurrency: handler.reservedConcurrency,
      architecture: handler.architecture ?? DEFAULTS.architecture,
      logRetentionDays: handler.logRetentionDays ?? DEFAULTS.logRetentionDays,
      bundleAwsSdk: handler.bundleAwsSdk ?? false,
    },
    queue: {
      fifo,
      visibilityTimeoutSeconds,
      visibilityTimeoutIsDerived: queue.visibilityTimeoutSeconds === undefined,
      retentionSeconds,
      deadLetterRetentionSeconds: queue.deadLetterRetentionSeconds ?? DEFAULTS.deadLetterRetentionSeconds,
      maxReceiveCount,
      kmsKeyArn: queue.kmsKeyArn,
      maxMessageSizeBytes: queue.maxMessageSizeBytes ?? DEFAULTS.maxMessageSizeBytes,
      receiveWaitTimeSeconds: queue.receiveWaitTimeSeconds ?? DEFAULTS.receiveWaitTimeSeconds,
      deliveryDelaySeconds: queue.deliveryDelaySeconds ?? DEFAULTS.deliveryDelaySeconds,
      contentBasedDeduplication: queue.contentBasedDeduplication ?? false,
      highThroughputFifo: queue.highThroughputFifo ?? true,
    },
    eventSource: {
      batchSize,
      maxBatchingWindowSeconds,
      maxConcurrency,
      filterPatterns: eventSource.filterPatterns ?? [],
    },
    alarms:
      props.alarms === false
        ? false
        : resolveAlarms(props.alarms ?? {}, {
            batchSize,
            maxConcurrency,
            maxReceiveCount,
            visibilityTimeoutSeconds,
            retentionSeconds,
          }),
    deadLetters: resolveDeadLetters(props.deadLetters),
    tags: props.tags ?? {},
  };
}

function resolveDeadLetters(deadLetters: QueueProcessorProps["deadLetters"]): ResolvedDeadLetters {
  if (deadLetters?.mode !== "archive") return { mode: deadLetters?.mode ?? "retain" } as ResolvedDeadLetters;
  const archiver = deadLetters.archiver ?? {};
  return {
    mode: "archive",
    bucket: deadLetters.bucket,
    prefix: deadLetters.prefix ?? DEFAULT_ARCHIVE_PREFIX,
    expireAfterDays: deadLetters.expireAfterDays ?? DEFAULTS.archiveExpireAfterDays,
    archiver: {
      entry: archiver.entry ?? DEFAULT_ARCHIVER_ENTRY,
      timeoutSeconds: archiver.timeoutSeconds ?? DEFAULTS.archiverTimeoutSeconds,
      memorySizeMb: archiver.memorySizeMb ?? DEFAULTS.archiverMemorySizeMb,
      logRetentionDays: archiver.logRetentionDays ?? DEFAULTS.logRetentionDays,
    },
  };
}

interface AlarmInputs {
  readonly batchSize: number;
  readonly maxConcurrency: number | undefined;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
}

/** The documented default of each alarm, some derived from the rest of the configuration. */
function defaultAlarms(inputs: AlarmInputs): Record<AlarmKind, ResolvedAlarm> {
  const queueDepthThreshold =
    inputs.maxConcurrency === undefined
      ? DEFAULTS.queueDepthWithoutMaxConcurrency
      : 2 * derivable(inputs.batchSize) * derivable(inputs.maxConcurrency);
  const oldestMessageAgeThreshold = Math.min(
    derivable(inputs.maxReceiveCount) * derivable(inputs.visibilityTimeoutSeconds),
    Math.floor(derivable(inputs.retentionSeconds) / 2),
  );
  return {
    queueDepth: { threshold: queueDepthThreshold, periodSeconds: 300, evaluationPeriods: 2 },
    deadLetterQueueNotEmpty: { threshold: 0, periodSeconds: 60, evaluationPeriods: 1 },
    oldestMessageAge: { threshold: oldestMessageAgeThreshold, periodSeconds: 300, evaluationPeriods: 1 },
    functionErrors: { threshold: 10, periodSeconds: 300, evaluationPeriods: 2 },
    functionThrottles: { threshold: 0, periodSeconds: 300, evaluationPeriods: 2 },
    filteredOutEvents: { threshold: 0, periodSeconds: 300, evaluationPeriods: 1 },
  };
}

function resolveAlarms(alarms: AlarmsProps, inputs: AlarmInputs) {
  const defaults = defaultAlarms(inputs);
  const byKind = {} as Record<AlarmKind, ResolvedAlarm | false>;
  for (const kind of ALARM_KINDS) {
    byKind[kind] = resolveAlarm(alarms[kind], defaults[kind]);
  }
  return { topicArn: alarms.topicArn, byKind };
}

function resolveAlarm(setting: AlarmSetting | undefined, fallback: ResolvedAlarm): ResolvedAlarm | false {
  if (setting === false) return false;
  return {
    threshold: setting?.threshold ?? fallback.threshold,
    periodSeconds: setting?.periodSeconds ?? fallback.periodSeconds,
    evaluationPeriods: setting?.evaluationPeriods ?? fallback.evaluationPeriods,
  };
}

/** A value the construct worked out rather than took from the props, and the rule it followed. */
export interface DerivedValue {
  readonly value: number;
  readonly rule: string;
}

/** The values of `config` that were derived, by property path: what a reviewer sees change "by itself". */
export function derivedValues(props: QueueProcessorProps, config: ResolvedConfig): Record<string, DerivedValue> {
  const derived: Record<string, DerivedValue> = {};
  if (config.queue.visibilityTimeoutIsDerived) {
    derived["queue.visibilityTimeoutSeconds"] = {
      value: config.queue.visibilityTimeoutSeconds,
      rule: `${SQS_EVENT_SOURCE.advisedVisibilityFactor} x handler.timeoutSeconds + eventSource.maxBatchingWindowSeconds`,
    };
  }
  if (props.eventSource?.maxBatchingWindowSeconds === undefined && !config.queue.fifo) {
    derived["eventSource.maxBatchingWindowSeconds"] = {
      value: config.eventSource.maxBatchingWindowSeconds,
      rule: `${SQS_EVENT_SOURCE.maxBatchingWindowSeconds.minForLargerBatches} when eventSource.batchSize is above ${SQS_EVENT_SOURCE.batchSize.withoutWindowMax}, else ${SQS_EVENT_SOURCE.maxBatchingWindowSeconds.default}`,
    };
  }
  if (config.alarms !== false) {
    const given = props.alarms === false ? undefined : props.alarms;
    const rules: Partial<Record<AlarmKind, string>> = {
      queueDepth: "2 x batchSize x maxConcurrency, or 1,000 without maxConcurrency",
      oldestMessageAge: "maxReceiveCount x visibility timeout, at most half the retention",
    };
    for (const [kind, rule] of Object.entries(rules) as [AlarmKind, string][]) {
      const alarm = config.alarms.byKind[kind];
      const setting = given?.[kind];
      if (alarm !== false && (setting === undefined || (setting !== false && setting.threshold === undefined))) {
        derived[`alarms.${kind}.threshold`] = { value: alarm.threshold, rule };
      }
    }
  }
  return derived;
}

/** The project root of a config that passed validation (project-root-invalid refuses a missing one). */
export function projectRootOf(config: ResolvedConfig): string {
  if (config.projectRoot === undefined) throw new Error("projectRoot is undefined after validation");
  return config.projectRoot;
}
