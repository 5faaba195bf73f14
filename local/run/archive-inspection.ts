import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { parseArchivedDeadLetter } from "../../functions/runtime/archive/dead-letter-record.js";

/** What the archive holds at the end of a run: each dead letter read back as `ops archive replay` reads it. */
export interface ArchiveContents {
  readonly deadLetters: readonly { readonly messageId: string; readonly body: string; readonly reason: string }[];
  /** Objects under the prefix that are not archived dead letters, with the parser's error. */
  readonly unreadable: readonly string[];
}

export async function readArchive(s3: S3Client, bucket: string, prefix: string): Promise<ArchiveContents> {
  const deadLetters: ArchiveContents["deadLetters"][number][] = [];
  const unreadable: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const { Key: key } of page.Contents ?? []) {
      if (key === undefined) continue;
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      try {
        const letter = parseArchivedDeadLetter((await Body?.transformToString()) ?? "", key);
        deadLetters.push({ messageId: letter.messageId, body: letter.body, reason: letter.reason });
      } catch (error) {
        unreadable.push((error as Error).message);
      }
    }
    token = page.NextContinuationToken;
  } while (token);
  return { deadLetters, unreadable };
}

/** The archiver's alerts delivered to the local queue subscribed to its topic: how many, and the dead letters they count. */
export async function readAlerts(sqs: SQSClient, queueUrl: string): Promise<{ alerts: number; deadLetters: number }> {
  let alerts = 0;
  let deadLetters = 0;
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const message of Messages) {
      const envelope = JSON.parse(message.Body ?? "{}") as { Message?: string };
      const alert = JSON.parse(envelope.Message ?? "{}") as { archived?: unknown };
      alerts += 1;
      deadLetters += typeof alert.archived === "number" ? alert.archived : 0;
    }
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  }
  return { alerts, deadLetters };
}
