import { LAMBDA, SQS_EVENT_SOURCE } from "../aws-limits.js";
import type { BodyFilterPattern } from "./filter-pattern.js";
import { regionOfArn } from "./record.js";
import type { MappingOptions } from "./types.js";

/** The values a numeric setting may take. */
export interface SettingRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

const BATCH = SQS_EVENT_SOURCE.batchSize;
const WINDOW = SQS_EVENT_SOURCE.maxBatchingWindowSeconds;

/** The values of an option left out: Lambda's where it has one. */
const MAPPING_DEFAULTS = {
  batchSize: BATCH.default,
  maxBatchingWindowSeconds: WINDOW.default,
  // Lambda scales pollers itself when no maximum is set; locally the fewest a mapping may have.
  maxConcurrency: SQS_EVENT_SOURCE.maxConcurrency.min,
  // The construct's default timeout, not Lambda's 3 s: what a deployed processor runs with.
  functionTimeoutSeconds: 30,
} as const;

/** AWS's limits for an SQS event source mapping, as ranges a setting is checked against. */
export const MAPPING_LIMITS = {
  batchSize: { min: BATCH.min, max: BATCH.standardMax, integer: true },
  fifoBatchSize: { min: BATCH.min, max: BATCH.fifoMax, integer: true },
  /** Larger batches need a batching window of at least 1 s. */
  batchSizeWithoutWindow: { min: BATCH.min, max: BATCH.withoutWindowMax, integer: true },
  maxBatchingWindowSeconds: { min: WINDOW.min, max: WINDOW.max, integer: false },
  maxConcurrency: { ...SQS_EVENT_SOURCE.maxConcurrency, integer: true },
  // Lambda takes whole seconds from 1; fractions let tests see a timeout without waiting seconds.
  functionTimeoutSeconds: { min: 0.001, max: LAMBDA.timeoutSeconds.max, integer: false },
} as const satisfies Record<string, SettingRange>;

/** The options a mapping runs with, defaults applied and limits checked. */
export interface MappingSettings {
  readonly fifo: boolean;
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
  readonly timeoutSeconds: number;
  /** What the mapping's timer allows on top of the timeout for a cold start's init (see handlerHasInitPhase). */
  readonly initAllowanceMs: number;
  readonly filterPatterns: readonly BodyFilterPattern[];
  readonly reportBatchItemFailures: boolean;
  readonly functionName: string;
  readonly region: string;
}

/** The options with AWS's defaults, checked against AWS's limits; throws a RangeError naming the option. */
export function resolveSettings(options: Omit<MappingOptions, "client" | "queueUrl" | "handler">): MappingSettings {
  const fifo = options.queueArn.endsWith(".fifo");
  const batchSize = options.batchSize ?? MAPPING_DEFAULTS.batchSize;
  const window = options.maxBatchingWindowSeconds ?? MAPPING_DEFAULTS.maxBatchingWindowSeconds;
  const maxConcurrency = options.maxConcurrency ?? MAPPING_DEFAULTS.maxConcurrency;
  const timeoutSeconds = options.functionTimeoutSeconds ?? MAPPING_DEFAULTS.functionTimeoutSeconds;
  checkRange("batchSize", batchSize, fifo ? MAPPING_LIMITS.fifoBatchSize : MAPPING_LIMITS.batchSize);
  checkRange("maxBatchingWindowSeconds", window, MAPPING_LIMITS.maxBatchingWindowSeconds);
  checkRange("maxConcurrency", maxConcurrency, MAPPING_LIMITS.maxConcurrency);
  checkRange("functionTimeoutSeconds", timeoutSeconds, MAPPING_LIMITS.functionTimeoutSeconds);
  // Fractions of a second stand in for seconds in tests, so only a batch without any window is refused.
  if (batchSize > BATCH.withoutWindowMax && window === 0) {
    throw new RangeError(
      `batchSize above ${BATCH.withoutWindowMax} needs maxBatchingWindowSeconds of at least ${WINDOW.minForLargerBatches} (as on AWS)`,
    );
  }
  const queueName = options.queueArn.split(":").pop() ?? "queue";
  return {
    fifo,
    batchSize,
    windowMs: window * 1000,
    maxConcurrency,
    timeoutSeconds,
    initAllowanceMs: options.handlerHasInitPhase ? LAMBDA.initPhaseSeconds * 1000 : 0,
    filterPatterns: options.filterPatterns ?? [],
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    functionName: options.functionName ?? `local-${queueName.replace(/\.fifo$/, "")}`,
    region: regionOfArn(options.queueArn),
  };
}

/** "an integer from 1 to 10": the wording every range error uses. */
export function describeRange(range: SettingRange): string {
  return `${range.integer ? "an integer " : ""}from ${range.min} to ${range.max}`;
}

export function isInRange(value: number, range: SettingRange): boolean {
  return (
    Number.isFinite(value) && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value))
  );
}

function checkRange(name: string, value: number, range: SettingRange): void {
  if (!isInRange(value, range)) throw new RangeError(`${name} must be ${describeRange(range)} (got ${value})`);
}
