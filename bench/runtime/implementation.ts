import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** The per-record work a benchmark measures; it resolves when the record is done. */
export type RecordWork = (record: SQSRecord) => Promise<void>;

/** One way of turning an SQS event into a partial batch response. */
export interface Implementation {
  readonly name: string;
  /** `concurrency` applies to implementations that bound it (only ours); the others ignore it. */
  run(
    event: SQSEvent,
    context: Context,
    work: RecordWork,
    options?: { concurrency?: number },
  ): Promise<SQSBatchResponse>;
}
