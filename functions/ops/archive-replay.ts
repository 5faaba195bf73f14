import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { MessageAttributeValue, SQSClient } from "@aws-sdk/client-sqs";
import { type OutgoingMessage, sendMessages } from "@queue-processor/runtime";
import {
  type ArchivedDeadLetter,
  type ArchivedMessageAttribute,
  parseArchivedDeadLetter,
} from "@queue-processor/runtime/archive";
import { sentBack } from "./dead-letter.js";

export interface ReplayOptions {
  readonly archive: { readonly bucket: string; readonly prefix: string };
  readonly deadLetterQueueName: string;
  readonly to: { readonly url: string; readonly fifo: boolean };
  readonly reason?: string;
  /** Dead letters SQS took at or after this time (their `sentAt`). */
  readonly since?: Date;
  /** ... and before this one. */
  readonly until?: Date;
  readonly dryRun: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReplayReport {
  /** Objects under the dead-letter queue's prefix whose day could match. */
  readonly listed: number;
  readonly matched: number;
  readonly replayed: number;
  readonly byReason: Readonly<Record<string, number>>;
  /** Matched but not sent: the producer's code and reason, by object key. */
  readonly failed: readonly { readonly key: string; readonly reason: string }[];
  /** Objects that are not archived dead letters (parse errors), by key. */
  readonly unreadable: readonly { readonly key: string; readonly reason: string }[];
  readonly interrupted: boolean;
}

/** Objects read and sent per round: bounded memory, progress as it goes. */
const ROUND = 100;

/**
 * Sends archived dead letters back to the source queue through the producer: body and the producer's
 * message attributes as archived, `dlq-*` left out; on FIFO the archived group, deduplicated by the
 * dead letter's id. A replay sends copies: replaying the same dead letters twice sends them twice
 * (the order-processor applies each order event once, so that is safe for orders).
 */
export async function replayArchive(s3: S3Client, sqs: SQSClient, options: ReplayOptions): Promise<ReplayReport> {
  const listed = await listKeys(s3, options);
  const keys = options.to.fifo ? await inQueueOrder(s3, options.archive.bucket, listed) : listed;
  const report = {
    listed: listed.length,
    matched: 0,
    replayed: 0,
    byReason: {} as Record<string, number>,
    failed: [] as { key: string; reason: string }[],
    unreadable: [] as { key: string; reason: string }[],
    interrupted: false,
  };
  for (let start = 0; start < keys.length; start += ROUND) {
    if (options.signal?.aborted) return { ...report, interrupted: true };
    const round: { key: string; record: ArchivedDeadLetter }[] = [];
    for (const key of keys.slice(start, start + ROUND)) {
      const record = await readRecord(s3, options.archive.bucket, key, report.unreadable);
      if (record && matches(record, options)) round.push({ key, record });
    }
    report.matched += round.length;
    for (const { record } of round) report.byReason[record.reason] = (report.byReason[record.reason] ?? 0) + 1;
    if (!options.dryRun && round.length > 0) {
      const results = await sendMessages(
        sqs,
        options.to.url,
        round.map(({ record }) => replayMessage(record, options.to.fifo)),
        { fifo: options.to.fifo },
      );
      for (const result of results) {
        if (result.status === "sent") report.replayed += 1;
        else report.failed.push({ key: round[result.index]?.key ?? "", reason: `${result.code}: ${result.reason}` });
      }
    }
    options.onProgress?.(Math.min(start + ROUND, keys.length), keys.length);
  }
  return report;
}

/**
 * FIFO: the keys in the order SQS gave the dead letters (SequenceNumber, then sentAt), not the keys'
 * order (by message id within a day), so each group is replayed in its order. Costs one more read
 * of each object: the records are not all kept in memory.
 */
async function inQueueOrder(s3: S3Client, bucket: string, keys: readonly string[]): Promise<string[]> {
  const positions: { key: string; sequence: bigint; sentAt: string }[] = [];
  for (const key of keys) {
    const record = await readRecord(s3, bucket, key, []);
    const sequence = record?.attributes.SequenceNumber;
    positions.push({
      key,
      sequence: sequence && /^\d+$/.test(sequence) ? BigInt(sequence) : 0n,
      sentAt: record?.sentAt ?? "",
    });
  }
  return positions
    .sort((a, b) => (a.sequence === b.sequence ? a.sentAt.localeCompare(b.sentAt) : a.sequence < b.sequence ? -1 : 1))
    .map((position) => position.key);
}

function matches(record: ArchivedDeadLetter, options: ReplayOptions): boolean {
  const sentAt = Date.parse(record.sentAt);
  if (options.reason !== undefined && record.reason !== options.reason) return false;
  if (options.since && sentAt < options.since.getTime()) return false;
  if (options.until && sentAt >= options.until.getTime()) return false;
  return true;
}

function replayMessage(record: ArchivedDeadLetter, fifo: boolean): OutgoingMessage {
  const attributes: Record<string, MessageAttributeValue> = Object.fromEntries(
    Object.entries(record.messageAttributes).map(([name, value]: [string, ArchivedMessageAttribute]) => [
      name,
      {
        DataType: value.dataType,
        ...(value.stringValue === undefined ? {} : { StringValue: value.stringValue }),
        ...(value.binaryValue === undefined ? {} : { BinaryValue: Buffer.from(value.binaryValue, "base64") }),
      },
    ]),
  );
  return sentBack(
    record.body,
    attributes,
    fifo ? { groupId: record.attributes.MessageGroupId, deduplicationId: record.messageId } : undefined,
  );
}

async function readRecord(
  s3: S3Client,
  bucket: string,
  key: string,
  unreadable: { key: string; reason: string }[],
): Promise<ArchivedDeadLetter | undefined> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return parseArchivedDeadLetter(String(await Body?.transformToString("utf8")), key);
  } catch (error) {
    unreadable.push({ key, reason: (error as Error).message });
    return undefined;
  }
}

/**
 * The keys under `<prefix><dead-letter queue>/`, skipping the days outside --since/--until: the key
 * holds the day SQS took the dead letter, so whole days are skipped without reading them.
 */
async function listKeys(s3: S3Client, options: ReplayOptions): Promise<string[]> {
  const prefix = `${options.archive.prefix}${options.deadLetterQueueName}/`;
  const firstDay = options.since?.toISOString().slice(0, 10);
  const lastDay = options.until?.toISOString().slice(0, 10);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: options.archive.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const key = String(object.Key);
      const day = key.slice(prefix.length, prefix.length + 10).replaceAll("/", "-");
      if ((firstDay && day < firstDay) || (lastDay && day > lastDay)) continue;
      keys.push(key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}
