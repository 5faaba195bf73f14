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
  readonly namespace?: string | undefined;
  /** Value of the one dimension, `Service`. Default: the function's name. */
  readonly service?: string | undefined;
  /**
   * Where each invocation's metrics go instead of an EMF document on standard output: outside Lambda,
   * EMF needs an agent, so a long-running consumer hands them to a PutMetricData publisher (see
   * `functions/runtime/poller/metrics-publisher.ts`). It must return at once; a throw is ignored. Default: EMF.
   */
  readonly sink?: ((sample: MetricsSample) => void) | undefined;
}

/** One invocation's metrics: the same names, units and dimension as its EMF document. */
export interface MetricsSample {
  readonly namespace: string;
  readonly service: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly values: readonly MetricValue[];
}

export interface MetricValue {
  readonly name: string;
  readonly unit: "Count" | "Milliseconds";
  readonly value: number;
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

/** The invocation's metrics, in the EMF document's order: never a per-message value. */
export function metricValues(
  counts: BatchCounts,
  timings: { durationMs: number; oldestRecordAgeMs: number | undefined },
): MetricValue[] {
  const values: Record<string, number> = { RecordsFailed: failedTotal(counts), BatchDurationMs: timings.durationMs };
  for (const [key, name] of Object.entries(NAMES)) values[name] = counts[key as keyof BatchCounts];
  if (timings.oldestRecordAgeMs !== undefined) values.OldestRecordAgeMs = timings.oldestRecordAgeMs;
  return Object.entries(values).map(([name, value]) => ({
    name,
    unit: name.endsWith("Ms") ? "Milliseconds" : "Count",
    value,
  }));
}

/**
 * The EMF document: one dimension (`Service`), never a per-message value, so the metric count stays
 * fixed whatever flows through.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function metricsDocument(sample: MetricsSample): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: sample.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: sample.namespace,
          Dimensions: [["Service"]],
          Metrics: sample.values.map((metric) => ({ Name: metric.name, Unit: metric.unit })),
        },
      ],
    },
    Service: sample.service,
    ...Object.fromEntries(sample.values.map((metric) => [metric.name, metric.value])),
  };
}
