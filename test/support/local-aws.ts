import { type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { toSqsRecord } from "../../functions/runtime/poller/index.js";
import {
  LOCAL_CREDENTIALS,
  type LocalDynamo,
  type LocalSqs,
  startLocalDynamo,
  startLocalSqs,
} from "../../local/servers/local-servers.js";

export const REGION = "us-east-1";
export const CREDENTIALS = LOCAL_CREDENTIALS;

export { createOrdersTable, createQueuePair, type QueuePair } from "../../local/servers/ad-hoc-resources.js";
/** The servers and hand-made resources the tests run against: the same ones `npm run local` uses. */
export { type LocalDynamo, type LocalSqs, startLocalDynamo, startLocalSqs };

/** Receives until `count` messages arrived or `waitMs` passed, with every attribute. */
export async function receiveAll(
  client: SQSClient,
  queueUrl: string,
  count: number,
  waitMs = 3000,
): Promise<Message[]> {
  const messages: Message[] = [];
  const until = Date.now() + waitMs;
  while (messages.length < count && Date.now() < until) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

export function toSqsEvent(messages: readonly Message[], eventSourceARN: string): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, eventSourceARN)) };
}
