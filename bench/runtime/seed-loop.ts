/** The hand-written loop of the project's seeds: one record after another. */
import type { SQSBatchItemFailure } from "aws-lambda";
import type { Implementation } from "./implementation.js";

export const seedLoop: Implementation = {
  name: "seed loop",
  handler: (work) => async (event) => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    for (const record of event.Records) {
      try {
        await work(record);
      } catch {
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  },
};
