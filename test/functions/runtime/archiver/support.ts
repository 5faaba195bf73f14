import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  DeleteMessageCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { vi } from "vitest";
import {
  type ArchivedDeadLetter,
  parseArchivedDeadLetter,
} from "../../../../functions/runtime/archive/dead-letter-record.js";
import { PoisonMessageError } from "../../../../functions/runtime/errors.js";
import { sendToDeadLetterQueue } from "../../../../functions/runtime/poison.js";
import { createQueue } from "../../../../local/servers/create-queue.js";
import { lambdaContext } from "../../../support/bundled-handler.js";
import {
  CREDENTIALS,
  createQueuePair,
  type QueuePair,
  REGION,
  receiveAll,
  toSqsEvent,
} from "../../../support/local-aws.js";

export const ARCHIVER_ENTRY = "functions/runtime/archiver/handler.ts";
export const PREFIX = "dead-letters/";

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** Clients of one fauxqs endpoint, which serves SQS, SNS and S3. */
function archiveClients(endpoint: string) {
  return {
    s3: new S3Client({ endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true }),
    sns: new SNSClient({ endpoint, region: REGION, credentials: CREDENTIALS }),
  };
}

/**
 * A work queue and its DLQ, the archive bucket, the alarm topic, and a queue subscribed to the topic
 * (raw delivery) where the test reads the alerts.
 */
export async function createArchiveResources(
  sqs: SQSClient,
  endpoint: string,
  name: string,
  options: { fifo?: boolean } = {},
) {
  const { s3, sns } = archiveClients(endpoint);
  const queues = await createQueuePair(sqs, name, {
    maxReceiveCount: 1,
    visibilityTimeoutSeconds: 30,
    maxMessageSizeBytes: 1_048_576,
    ...(options.fifo ? { fifo: true } : {}),
  });
  await s3.send(new CreateBucketCommand({ Bucket: `${name}-archive` }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${name}-alarms` }));
  const alerts = await createQueue(sqs, `${name}-alerts`, {});
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: "sqs",
      Endpoint: alerts.arn,
      Attributes: { RawMessageDelivery: "false" },
    }),
  );
  return { s3, sns, queues, bucket: `${name}-archive`, topicArn: TopicArn as string, alertsUrl: alerts.url };
}

export function archiverEnvironment(options: {
  endpoint: string;
  bucket: string;
  topicArn: string;
  s3Endpoint?: string;
  snsEndpoint?: string;
}) {
  return {
    AWS_ENDPOINT_URL_S3: options.s3Endpoint ?? options.endpoint,
    AWS_ENDPOINT_URL_SNS: options.snsEndpoint ?? options.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    ARCHIVE_BUCKET: options.bucket,
    ARCHIVE_PREFIX: PREFIX,
    ALERT_TOPIC_ARN: options.topicArn,
    LOG_LEVEL: "INFO",
  };
}

/**
 * Dead letters as the runtime makes them: each body sent to the work queue, received, and copied to
 * the DLQ by the library's own dead-lettering with a PoisonMessageError of the given reason.
 */
export async function poisonThroughRuntime(
  sqs: SQSClient,
  queues: QueuePair,
  letters: readonly {
    body: string;
    reason: string;
    attributes?: Record<string, MessageAttributeValue>;
    /** FIFO queues: the message group. */
    group?: string;
  }[],
): Promise<void> {
  for (const [index, letter] of letters.entries()) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: letter.body,
        MessageAttributes: letter.attributes,
        ...(letter.group ? { MessageGroupId: letter.group, MessageDeduplicationId: `letter-${index}` } : {}),
      }),
    );
    const [message] = await receiveAll(sqs, queues.queueUrl, 1);
    if (!message) throw new Error("the message sent was not received");
    const [record] = toSqsEvent([message], queues.queueArn).Records;
    await sendToDeadLetterQueue(
      sqs,
      queues.deadLetterQueueUrl,
      record!,
      new PoisonMessageError(letter.reason, `test: ${letter.reason}`),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}

/** A dead letter SQS moved itself (maxReceiveCount 1): received once and left, it goes to the DLQ with no reason. */
export async function redriveThroughSqs(sqs: SQSClient, queues: QueuePair, body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }));
  await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queues.queueUrl,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 0,
    }),
  );
  // The next receive finds the receive count spent and moves it.
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }));
}

/** Receives `count` dead letters as the event source mapping would, with a short visibility so a redelivery comes soon. */
export async function receiveDeadLetters(sqs: SQSClient, queues: QueuePair, count: number) {
  const messages = await receiveAll(sqs, queues.deadLetterQueueUrl, count);
  if (messages.length !== count) throw new Error(`expected ${count} dead letters, received ${messages.length}`);
  return { messages, event: toSqsEvent(messages, queues.deadLetterQueueArn) };
}

/**
 * Invokes the archiver and does what the mapping does with the answer: deletes every record not
 * reported failed. Returns the answer, and the log lines and EMF documents the function printed.
 */
export async function invokeArchiver(
  handler: Handler,
  sqs: SQSClient,
  queues: QueuePair,
  event: SQSEvent,
  context: Context = lambdaContext(),
) {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  let response: SQSBatchResponse;
  try {
    response = await handler(event, context);
  } finally {
    spy.mockRestore();
  }
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const record of event.Records) {
    if (!failed.has(record.messageId)) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, ReceiptHandle: record.receiptHandle }),
      );
    }
  }
  const json = lines
    .flatMap((line) => line.split("\n"))
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const metrics = json.filter((line) => "_aws" in line);
  return {
    failed: [...failed],
    logs: json.filter((line) => !("_aws" in line)),
    /** The archiver's own document (the one with DeadLettersArchived). */
    archiverMetrics: metrics.find((line) => "DeadLettersArchived" in line) as Record<string, number> | undefined,
  };
}

/** Every object in the bucket, read back through the replay command's parser. */
export async function archivedDeadLetters(s3: S3Client, bucket: string): Promise<Map<string, ArchivedDeadLetter>> {
  const found = new Map<string, ArchivedDeadLetter>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      found.set(
        object.Key as string,
        parseArchivedDeadLetter(
          await (Body as { transformToString(): Promise<string> }).transformToString(),
          object.Key as string,
        ),
      );
    }
    token = page.NextContinuationToken;
  } while (token);
  return found;
}

/** The alerts delivered to the subscribed queue so far: each SNS envelope's subject and parsed message. */
export async function receiveAlerts(sqs: SQSClient, alertsUrl: string, expected: number, waitMs = 2000) {
  const messages: Message[] = await receiveAll(sqs, alertsUrl, Math.max(expected, 1), expected === 0 ? 500 : waitMs);
  for (const message of messages) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: alertsUrl, ReceiptHandle: message.ReceiptHandle }));
  }
  return messages.map((message) => {
    const envelope = JSON.parse(message.Body ?? "{}") as { Subject?: string; Message?: string };
    return { subject: envelope.Subject, alert: JSON.parse(envelope.Message ?? "{}") as Record<string, unknown> };
  });
}
