/** In-memory SQS events and a Lambda context shaped like the ones Lambda delivers. */
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";

const STANDARD_ARN = "arn:aws:sqs:us-east-1:123456789012:orders";
const FIFO_ARN = "arn:aws:sqs:us-east-1:123456789012:orders.fifo";

/** One batch; `groups` > 0 makes it a FIFO batch with records spread round-robin over that many groups. */
export function sqsEvent(count: number, options: { groups?: number; prefix?: string } = {}): SQSEvent {
  const groups = options.groups ?? 0;
  const prefix = options.prefix ?? "m";
  const now = Date.now();
  const Records = Array.from({ length: count }, (_, index): SQSRecord => {
    const messageId = `${prefix}-${index.toString(16).padStart(8, "0")}-4c6f-9a57-3e1d5c2b7a90`;
    const body = JSON.stringify({
      type: "order_created",
      timestamp: new Date(now - 1000).toISOString(),
      correlation_id: `corr-${index}`,
      data: {
        order_id: `order-${index}`,
        customer_id: `customer-${index % 50}`,
        items: [{ sku: "SKU-1", quantity: 2, unit_price: 9.5 }],
        total: 19,
      },
    });
    const fifo = groups > 0;
    return {
      messageId,
      receiptHandle: `AQEB${Buffer.from(messageId).toString("base64")}${"x".repeat(120)}`,
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(now - 1000),
        SenderId: "AIDAIENQZJOLO23YVJ4VO",
        ApproximateFirstReceiveTimestamp: String(now - 500),
        ...(fifo
          ? {
              MessageGroupId: `group-${index % groups}`,
              MessageDeduplicationId: messageId,
              SequenceNumber: String(18_849_496_460_467_696_128n + BigInt(index)),
            }
          : {}),
      },
      messageAttributes: {},
      md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
      eventSource: "aws:sqs",
      eventSourceARN: fifo ? FIFO_ARN : STANDARD_ARN,
      awsRegion: "us-east-1",
    };
  });
  return { Records };
}

export function lambdaContext(): Context {
  return {
    functionName: "orders-bench-processor",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders-bench-processor",
    memoryLimitInMB: "512",
    awsRequestId: "bench-request",
    logGroupName: "/aws/lambda/orders-bench-processor",
    logStreamName: "bench",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
