import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

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
  let deleted = 0;
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    try {
      const { Successful = [] } = await queue.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.queueUrl,
          Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
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
  try {
    await queue.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.queueUrl,
        ReceiptHandle: message.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    );
  } catch {
    // It becomes visible again after the visibility timeout anyway.
  }
}
