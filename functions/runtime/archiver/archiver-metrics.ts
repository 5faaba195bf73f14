/** What one archiver invocation did, beyond the library's per-record counts. */
export interface ArchiverCounts {
  /** Dead letters stored by this invocation. */
  readonly archived: number;
  /** Dead letters an earlier delivery had stored (a redelivery; 412 on the conditional put). */
  readonly alreadyArchived: number;
  /** 1 when the batch's alert could not be published, else 0. */
  readonly alertsFailed: number;
}

/**
 * The archiver's EMF document: the one dimension `Service`, and a fixed set of metric names. Counts
 * by reason stay out: reasons are whatever handlers throw, and a metric per reason would be unbounded;
 * the alert and the log lines carry them.
 */
export function archiverMetricsDocument(
  counts: ArchiverCounts,
  options: { namespace: string; service: string; timestamp: number },
): Record<string, unknown> {
  const values = {
    DeadLettersArchived: counts.archived,
    DeadLettersAlreadyArchived: counts.alreadyArchived,
    ArchiveAlertsFailed: counts.alertsFailed,
  };
  return {
    _aws: {
      Timestamp: options.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: options.namespace,
          Dimensions: [["Service"]],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: "Count" })),
        },
      ],
    },
    Service: options.service,
    ...values,
  };
}
