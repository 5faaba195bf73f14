import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { SQS } from "../aws-limits.js";

/** The queue a mapping polls. */
export interface PolledQueue {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** One receive, asking for every attribute so records carry what Lambda's would. */
export async function receiveMessages(queue: PolledQueue, max: number, waitTimeSeconds: number): Promise<Message[]> {
  const { Messages = [] } = await queue.client.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
  );
  return Messages;
}

/** Deletes in requests of 10, DeleteMessageBatch's limit; never throws. Resolves with how many SQS confirmed deleted. */
export async function deleteMessages(queue: PolledQueue, messages: readonly Message[]): Promise<number> {
  // A message without a receipt handle cannot be deleted: it comes back after its visibility timeout.
  const handles = messages.flatMap((message) => (message.ReceiptHandle === undefined ? [] : [message.ReceiptHandle]));
  const perRequest = SQS.batchRequest.maxEntries;
  let deleted = 0;
  for (let i = 0; i < handles.length; i += perRequest) {
    const chunk = handles.slice(i, i + perRequest);
    try {
      const { Successful = [] } = await queue.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: chunk.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
        }),
      );
      deleted += Successful.length;
    } catch {
      // Undeleted messages come back after the visibility timeout: at-least-once, as on AWS.
    }
  }
  return deleted;
}

/** Makes a received message visible again at once; never throws. */
export async function releaseMessage(queue: PolledQueue, message: Message): Promise<void> {
  if (message.ReceiptHandle === undefined) return;
  try {
    await queue.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  } catch {
    // It becomes visible again after the visibility timeout anyway.
  }
}
