import type { SQSEvent, SQSRecord } from "aws-lambda";
import { lambdaContext } from "../../support/bundled-handler.js";

const STANDARD_ARN = "arn:aws:sqs:us-east-1:123456789012:orders";
const FIFO_ARN = "arn:aws:sqs:us-east-1:123456789012:orders.fifo";

/** An in-memory record shaped like the ones Lambda delivers. */
export function record(
  id: string,
  body = `{"n":"${id}"}`,
  options: { groupId?: string; arn?: string; receiveCount?: number } = {},
): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(Date.now() - 1000),
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(options.groupId !== undefined
        ? { MessageGroupId: options.groupId, SequenceNumber: "1", MessageDeduplicationId: id }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: options.arn ?? (options.groupId !== undefined ? FIFO_ARN : STANDARD_ARN),
    awsRegion: "us-east-1",
  };
}

export const eventOf = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
export const ids = (count: number, prefix = "m") => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
export const context = lambdaContext;
export const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((failure) => failure.itemIdentifier);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Options that keep tests quiet: no EMF document on stdout, errors only in logs. */
export const quiet = {
  metrics: false as const,
  logger: {
    debug() {},
    info() {},
    warn() {},
    error() {},
    child() {
      return this;
    },
  },
};
