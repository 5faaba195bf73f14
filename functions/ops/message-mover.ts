import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { sendMessages } from "@queue-processor/runtime";
import { type DeadLetter, sentBack, toDeadLetter } from "./dead-letter.js";
import { releaseMessages } from "./dlq-peek.js";
import type { RedriveJournal } from "./redrive-journal.js";

export interface MoveOptions {
  readonly from: { readonly url: string; readonly fifo: boolean };
  readonly to: { readonly url: string; readonly fifo: boolean };
  readonly journal: RedriveJournal;
  /** Only dead letters with this reason; the others stay in the dead-letter queue. */
  readonly reason?: string;
  /** How long a received dead letter stays hidden from others while it is moved (and a skipped one for the run). */
  readonly holdSeconds: number;
  /** Stops between batches: the batch in hand is finished first. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: MoveProgress) => void;
}

interface MoveProgress {
  /** Sent to the source queue and deleted from the dead-letter queue. */
  readonly moved: number;
  /** Found sent by an earlier, interrupted run: deleted now, not sent again. */
  readonly finishedFromEarlierRun: number;
  /** Of those moved, sent again because an earlier run was stopped during their send (at-least-once). */
  readonly resentAfterInterruptedSend: number;
  /** Left in the dead-letter queue because their reason was not asked for, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Dead letters that arrived after the run started (its own copies failing again among them): left for the next run. */
  readonly arrivedDuringRun: number;
  /** Not moved: the send failed for good (still in the dead-letter queue), by message id. */
  readonly failed: readonly { readonly messageId: string; readonly reason: string }[];
  /** Sent, but the delete failed: still in the dead-letter queue, deleted (not re-sent) by the next run. */
  readonly sentNotDeleted: number;
}

export interface MoveReport extends MoveProgress {
  readonly interrupted: boolean;
}

/**
 * Receive, send, delete: the redrive for queues that have no message move task (FIFO dead-letter
 * queues, local servers) and for a redrive of some reasons only. Each step is written to the journal
 * before the next, so a run stopped at any point, even by SIGKILL, resumes without losing a message
 * and without sending one twice, except one whose send was under way when the run was killed: that
 * one is sent again (on FIFO, SQS drops the repeat within its 5-minute deduplication window).
 */
export async function moveDeadLetters(sqs: SQSClient, options: MoveOptions): Promise<MoveReport> {
  const progress = {
    moved: 0,
    finishedFromEarlierRun: 0,
    resentAfterInterruptedSend: 0,
    skipped: {} as Record<string, number>,
    arrivedDuringRun: 0,
    failed: [] as { messageId: string; reason: string }[],
    sentNotDeleted: 0,
  };
  // Skipped and failed dead letters stay hidden for the run, so the loop ends; released at the end.
  const held = new Map<string, DeadLetter>();
  const { journal } = options;
  const run = { id: randomUUID(), startedAtMs: Date.now() };
  try {
    for (;;) {
      if (options.signal?.aborted) return { ...progress, interrupted: true };
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.from.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: options.holdSeconds,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) return { ...progress, interrupted: false };
      const letters = Messages.map(toDeadLetter);
      const toDelete: DeadLetter[] = [];
      const toSend: DeadLetter[] = [];
      for (const letter of letters) {
        if (journal.wasSent(letter.messageId)) toDelete.push(letter);
        else if (arrivedDuring(run, letter)) {
          if (!held.has(letter.messageId)) progress.arrivedDuringRun += 1;
          held.set(letter.messageId, letter);
        } else if (options.reason !== undefined && letter.reason !== options.reason) {
          if (!held.has(letter.messageId)) progress.skipped[letter.reason] = (progress.skipped[letter.reason] ?? 0) + 1;
          held.set(letter.messageId, letter);
        } else toSend.push(letter);
      }
      progress.finishedFromEarlierRun += toDelete.length;
      const sent = await sendCopies(sqs, options, run.id, toSend, progress, held);
      progress.moved += sent.length;
      const deleted = await deleteLetters(sqs, options.from.url, [...toDelete, ...sent]);
      journal.record("deleted", deleted);
      progress.sentNotDeleted += toDelete.length + sent.length - deleted.length;
      options.onProgress?.(progress);
    }
  } finally {
    await releaseMessages(sqs, options.from.url, [...held.values()]);
  }
}

/**
 * A dead letter that came after the run started: a copy of this run that failed again (its tag), or
 * one the runtime dead-lettered since (its SentTimestamp is when it reached the DLQ). Neither was
 * there to move when the run began, as with SQS's own move task.
 */
function arrivedDuring(run: { id: string; startedAtMs: number }, letter: DeadLetter): boolean {
  if (letter.redriveRun === run.id) return true;
  return letter.message.MessageAttributes?.["dlq-reason"] !== undefined && letter.sentAtMs > run.startedAtMs;
}

async function sendCopies(
  sqs: SQSClient,
  options: MoveOptions,
  runId: string,
  letters: readonly DeadLetter[],
  progress: { resentAfterInterruptedSend: number; failed: { messageId: string; reason: string }[] },
  held: Map<string, DeadLetter>,
): Promise<DeadLetter[]> {
  if (letters.length === 0) return [];
  const { journal } = options;
  progress.resentAfterInterruptedSend += letters.filter((letter) => journal.wasSending(letter.messageId)).length;
  journal.record(
    "sending",
    letters.map((letter) => letter.messageId),
  );
  const results = await sendMessages(
    sqs,
    options.to.url,
    letters.map((letter) =>
      sentBack(
        letter.body,
        letter.message.MessageAttributes,
        options.to.fifo ? { groupId: letter.groupId, deduplicationId: letter.messageId } : undefined,
        runId,
      ),
    ),
    { fifo: options.to.fifo },
  );
  const sent: DeadLetter[] = [];
  for (const result of results) {
    const letter = letters[result.index] as DeadLetter;
    if (result.status === "sent") sent.push(letter);
    else {
      progress.failed.push({ messageId: letter.messageId, reason: `${result.code}: ${result.reason}` });
      held.set(letter.messageId, letter);
    }
  }
  journal.record(
    "sent",
    sent.map((letter) => letter.messageId),
  );
  journal.record(
    "unsent",
    letters.filter((letter) => !sent.includes(letter)).map((letter) => letter.messageId),
  );
  return sent;
}

/** Deletes the dead letters; returns the ids deleted (an expired receipt handle is not). */
async function deleteLetters(sqs: SQSClient, queueUrl: string, letters: readonly DeadLetter[]): Promise<string[]> {
  const deleted: string[] = [];
  for (let start = 0; start < letters.length; start += 10) {
    const batch = letters.slice(start, start + 10);
    try {
      const { Successful = [] } = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((letter, index) => ({ Id: String(index), ReceiptHandle: letter.receiptHandle })),
        }),
      );
      for (const entry of Successful) deleted.push((batch[Number(entry.Id)] as DeadLetter).messageId);
    } catch {
      // Left as "sent" in the journal: the next run deletes them without sending them again.
    }
  }
  return deleted;
}
