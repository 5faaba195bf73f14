import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

/**
 * Placeholder until the runtime library lands: reports every record as failed, so that nothing is
 * acknowledged (and lost) by a deployment of the infrastructure alone. Failed records are retried
 * and, after maxReceiveCount receives, kept in the dead-letter queue.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return {
    batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
  };
}
