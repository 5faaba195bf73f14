import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { runMoveTask } from "../../../functions/ops/move-task.js";
import { CREDENTIALS, REGION } from "../../support/local-aws.js";

// fauxqs has no StartMessageMoveTask (nor does any local SQS server here), so this path is tested at
// the HTTP level: an endpoint that decodes what @aws-sdk/client-sqs really sends (JSON 1.0, the
// operation in X-Amz-Target) and answers as SQS documents it. Not a stubbed client method.

const DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dev-dlq";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dev-queue";

interface SqsRequest {
  readonly target: string;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
}

let server: Server | undefined;
let client: SQSClient | undefined;
afterEach(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function read(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** An SQS endpoint whose move task reports `statuses` one ListMessageMoveTasks after another. */
async function sqsEndpoint(statuses: readonly Record<string, unknown>[]): Promise<SqsRequest[]> {
  const requests: SqsRequest[] = [];
  let listed = 0;
  server = createServer(async (request, response) => {
    const body = JSON.parse((await read(request)) || "{}");
    const target = String(request.headers["x-amz-target"]);
    requests.push({ target, contentType: String(request.headers["content-type"]), body });
    response.setHeader("content-type", "application/x-amz-json-1.0");
    if (target === "AmazonSQS.StartMessageMoveTask") {
      response.end(JSON.stringify({ TaskHandle: "task-1" }));
    } else if (target === "AmazonSQS.ListMessageMoveTasks") {
      const status = statuses[Math.min(listed++, statuses.length - 1)];
      response.end(JSON.stringify({ Results: [{ TaskHandle: "task-1", SourceArn: DLQ_ARN, ...status }] }));
    } else {
      response.statusCode = 400;
      response.end(JSON.stringify({ __type: "com.amazonaws.sqs#InvalidAction", message: target }));
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  client = new SQSClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: REGION,
    credentials: CREDENTIALS,
  });
  return requests;
}

describe("runMoveTask (SQS's StartMessageMoveTask, at the HTTP level)", () => {
  it("starts the task from the DLQ to the source queue and reports its progress until it completes", async () => {
    const requests = await sqsEndpoint([
      { Status: "RUNNING", ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 10 },
      { Status: "RUNNING", ApproximateNumberOfMessagesMoved: 7, ApproximateNumberOfMessagesToMove: 10 },
      { Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 10, ApproximateNumberOfMessagesToMove: 10 },
    ]);
    const progress: string[] = [];
    const slept: number[] = [];
    const report = await runMoveTask(client as SQSClient, {
      deadLetterQueueArn: DLQ_ARN,
      sourceQueueArn: QUEUE_ARN,
      pollSeconds: 5,
      onProgress: (moved, toMove) => progress.push(`${moved}/${toMove}`),
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    expect(report).toEqual({ taskHandle: "task-1", status: "COMPLETED", moved: 10, toMove: 10 });
    expect(progress).toEqual(["3/10", "7/10", "10/10"]);
    expect(slept).toEqual([5000, 5000]);
    expect(requests[0]).toEqual({
      target: "AmazonSQS.StartMessageMoveTask",
      contentType: "application/x-amz-json-1.0",
      body: { SourceArn: DLQ_ARN, DestinationArn: QUEUE_ARN },
    });
    expect(requests.slice(1).map((request) => [request.target, request.body])).toEqual(
      Array.from({ length: 3 }, () => ["AmazonSQS.ListMessageMoveTasks", { SourceArn: DLQ_ARN, MaxResults: 10 }]),
    );
  });

  it("a failed task is reported with SQS's reason", async () => {
    await sqsEndpoint([
      { Status: "FAILED", ApproximateNumberOfMessagesMoved: 2, FailureReason: "AccessDenied on the destination" },
    ]);
    const report = await runMoveTask(client as SQSClient, {
      deadLetterQueueArn: DLQ_ARN,
      sourceQueueArn: QUEUE_ARN,
      pollSeconds: 1,
      sleep: async () => undefined,
    });
    expect(report).toEqual({
      taskHandle: "task-1",
      status: "FAILED",
      moved: 2,
      failureReason: "AccessDenied on the destination",
    });
  });

  it("stopped (Ctrl-C): stops watching, and says the task is still running on SQS's side", async () => {
    await sqsEndpoint([
      { Status: "RUNNING", ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 50 },
    ]);
    const stop = new AbortController();
    stop.abort();
    const report = await runMoveTask(client as SQSClient, {
      deadLetterQueueArn: DLQ_ARN,
      sourceQueueArn: QUEUE_ARN,
      pollSeconds: 1,
      signal: stop.signal,
    });
    expect(report).toEqual({ taskHandle: "task-1", status: "RUNNING", moved: 1, toMove: 50 });
  });
});
