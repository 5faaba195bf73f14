/** Counts of one invocation, published as one CloudWatch Embedded Metric Format document. */
export interface BatchCounts {
  received: number;
  succeeded: number;
  duplicates: number;
  ignored: number;
  poisoned: number;
  failedTransient: number;
  failedError: number;
  failedDeadline: number;
  failedDeadLetter: number;
  shortCircuited: number;
}

export function emptyCounts(): BatchCounts {
  return {
    received: 0,
    succeeded: 0,
    duplicates: 0,
    ignored: 0,
    poisoned: 0,
    failedTransient: 0,
    failedError: 0,
    failedDeadline: 0,
    failedDeadLetter: 0,
    shortCircuited: 0,
  };
}

export function failedTotal(counts: BatchCounts): number {
  return (
    counts.failedTransient +
    counts.failedError +
    counts.failedDeadline +
    counts.failedDeadLetter +
    counts.shortCircuited
  );
}

export interface MetricsOptions {
  /** CloudWatch namespace. Default "QueueProcessor". */
  readonly namespace?: string;
  /** Value of the one dimension, `Service`. Default: the function's name. */
  readonly service?: string;
}

const NAMES: Record<keyof BatchCounts, string> = {
  received: "RecordsReceived",
  succeeded: "RecordsSucceeded",
  duplicates: "RecordsDuplicate",
  ignored: "RecordsIgnored",
  poisoned: "RecordsPoisoned",
  failedTransient: "RecordsFailedTransient",
  failedError: "RecordsFailedError",
  failedDeadline: "RecordsFailedDeadline",
  failedDeadLetter: "RecordsFailedDeadLetter",
  shortCircuited: "RecordsShortCircuited",
};

/**
 * The EMF document: one dimension (`Service`), never a per-message value, so the metric count stays
 * fixed whatever flows through.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function metricsDocument(
  counts: BatchCounts,
  timings: { durationMs: number; oldestRecordAgeMs: number | undefined },
  options: { namespace: string; service: string; timestamp: number },
): Record<string, unknown> {
  const values: Record<string, number> = { RecordsFailed: failedTotal(counts), BatchDurationMs: timings.durationMs };
  for (const [key, name] of Object.entries(NAMES)) values[name] = counts[key as keyof BatchCounts];
  if (timings.oldestRecordAgeMs !== undefined) values.OldestRecordAgeMs = timings.oldestRecordAgeMs;
  const metrics = Object.keys(values).map((name) => ({
    Name: name,
    Unit: name.endsWith("Ms") ? "Milliseconds" : "Count",
  }));
  return {
    _aws: {
      Timestamp: options.timestamp,
      CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [["Service"]], Metrics: metrics }],
    },
    Service: options.service,
    ...values,
  };
}
