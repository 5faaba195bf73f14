import { ChangeMessageVisibilityBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { SQS } from "./aws-limits.js";
import type { Logger } from "./log.js";
import { runBounded } from "./pool.js";

export interface VisibilityChange {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly seconds: number;
}

const ENTRIES_PER_REQUEST = SQS.batchRequest.maxEntries;
const REQUESTS_IN_FLIGHT = 4;

/**
 * Sets when failed messages come back, 10 per request. Best effort: a change that fails only means
 * the message returns after the queue's own visibility timeout, so failures are logged, not thrown.
 */
export async function changeVisibility(
  client: SQSClient,
  queueUrl: string,
  changes: readonly VisibilityChange[],
  logger: Logger,
): Promise<void> {
  const chunks: VisibilityChange[][] = [];
  for (let start = 0; start < changes.length; start += ENTRIES_PER_REQUEST) {
    chunks.push(changes.slice(start, start + ENTRIES_PER_REQUEST));
  }
  await runBounded(chunks, REQUESTS_IN_FLIGHT, async (chunk) => {
    try {
      const { Failed = [] } = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((change, index) => ({
            Id: String(index),
            ReceiptHandle: change.receiptHandle,
            VisibilityTimeout: change.seconds,
          })),
        }),
      );
      for (const failure of Failed) {
        const change = chunk[Number(failure.Id)];
        logger.warn("visibility change failed", {
          messageId: change?.messageId,
          code: failure.Code,
          error: failure.Message,
        });
      }
    } catch (error) {
      logger.warn("visibility change request failed", { messageIds: chunk.map((c) => c.messageId), error });
    }
  });
}
