import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** The per-record work a benchmark measures; it resolves when the record is done. */
export type RecordWork = (record: SQSRecord) => Promise<void>;

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** One way of turning an SQS event into a partial batch response. */
export interface Implementation {
  readonly name: string;
  /**
   * The handler built once for `work`, as a handler module builds it at init; the benchmarks time
   * only its calls. `concurrency` applies to implementations that bound it (only ours).
   */
  handler(work: RecordWork, options?: { concurrency?: number }): BatchHandler;
}

/** Every benchmark batch is built to succeed: a failure means the figures measure something else. */
export function expectAllSucceeded(response: SQSBatchResponse, name: string): void {
  if (response.batchItemFailures.length > 0) {
    throw new Error(`${name} reported ${response.batchItemFailures.length} failed records in a batch that cannot fail`);
  }
}
