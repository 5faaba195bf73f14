import {
  CreateQueueCommand,
  type CreateQueueCommandInput,
  GetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/** A queue as the local resources hand it out: where to send, and what a redrive policy names. */
export interface CreatedQueue {
  readonly url: string;
  readonly arn: string;
}

/** Creates a queue and reads its ARN; a server that leaves either out fails here, by name. */
export async function createQueue(
  client: SQSClient,
  name: string,
  attributes: CreateQueueCommandInput["Attributes"],
): Promise<CreatedQueue> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} answered without a QueueUrl`);
  return { url: QueueUrl, arn: await queueArn(client, QueueUrl) };
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes answered without the QueueArn of ${queueUrl}`);
  return arn;
}
