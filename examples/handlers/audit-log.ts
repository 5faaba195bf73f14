import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

/**
 * An example handler: records every message in the log. A record whose body is not JSON is reported
 * failed, so SQS retries it and, after maxReceiveCount receives, keeps it in the dead-letter queue.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  for (const record of event.Records) {
    try {
      console.log(JSON.stringify({ messageId: record.messageId, body: JSON.parse(record.body) }));
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
