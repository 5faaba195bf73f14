import type { BodyFilterPattern } from "./filter-pattern.js";
import { regionOfArn } from "./record.js";
import type { MappingOptions } from "./types.js";

/** The values a numeric setting may take. */
export interface SettingRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** Lambda's values for an option left out. */
const MAPPING_DEFAULTS = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
  functionTimeoutSeconds: 30,
} as const;

/**
 * AWS's limits for an SQS event source mapping
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html).
 */
export const MAPPING_LIMITS = {
  batchSize: { min: 1, max: 10_000, integer: true },
  fifoBatchSize: { min: 1, max: 10, integer: true },
  /** Larger batches need a batching window of at least 1 s. */
  batchSizeWithoutWindow: { min: 1, max: 10, integer: true },
  maxBatchingWindowSeconds: { min: 0, max: 300, integer: false },
  maxConcurrency: { min: 2, max: 1000, integer: true },
  // Lambda takes whole seconds from 1; fractions let tests see a timeout without waiting seconds.
  functionTimeoutSeconds: { min: 0.001, max: 900, integer: false },
} as const satisfies Record<string, SettingRange>;

/** The options a mapping runs with, defaults applied and limits checked. */
export interface MappingSettings {
  readonly fifo: boolean;
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maxConcurrency: number;
  readonly timeoutSeconds: number;
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
  if (batchSize > MAPPING_LIMITS.batchSizeWithoutWindow.max && window === 0) {
    throw new RangeError("batchSize above 10 needs maxBatchingWindowSeconds of at least 1 (as on AWS)");
  }
  const queueName = options.queueArn.split(":").pop() ?? "queue";
  return {
    fifo,
    batchSize,
    windowMs: window * 1000,
    maxConcurrency,
    timeoutSeconds,
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
