import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type DeadLetter, formatAge, toDeadLetter } from "./dead-letter.js";

export interface PeekOptions {
  /** How long each message stays hidden while the others are read; released at the end. */
  readonly holdSeconds: number;
  /** Stop after this many messages. */
  readonly max: number;
  /** Only this reason (the others are released at once). */
  readonly reason?: string;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

interface ReasonGroup {
  readonly reason: string;
  readonly count: number;
  readonly oldestAgeMs: number;
  readonly newestAgeMs: number;
  readonly examples: readonly { messageId: string; ageMs: number; receiveCount: number; body: string }[];
}

export interface PeekReport {
  readonly queue: string;
  readonly read: number;
  /** True when `max` stopped the read before the queue was exhausted. */
  readonly truncated: boolean;
  readonly groups: readonly ReasonGroup[];
}

const EXAMPLES_PER_REASON = 3;
const EXAMPLE_BODY_CHARS = 200;

/**
 * Reads the dead letters without consuming them: each is received (so hidden for `holdSeconds`, and
 * not received twice in one read), then made visible again with ChangeMessageVisibility 0. Receiving
 * counts: ApproximateReceiveCount goes up by one per peek.
 */
export async function peekDeadLetters(
  sqs: SQSClient,
  queue: { url: string; name: string },
  options: PeekOptions,
): Promise<PeekReport> {
  const now = options.now ?? Date.now;
  const held = new Map<string, DeadLetter>();
  let truncated = false;
  try {
    for (;;) {
      if (options.signal?.aborted) break;
      if (held.size >= options.max) {
        truncated = true;
        break;
      }
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: Math.min(10, options.max - held.size),
          VisibilityTimeout: options.holdSeconds,
          // Long polling asks every server: a short empty answer would not mean the queue is read.
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const deadLetter = toDeadLetter(message);
        held.set(deadLetter.messageId, deadLetter);
      }
    }
  } finally {
    await releaseMessages(sqs, queue.url, [...held.values()]);
  }
  const matching = [...held.values()].filter(
    (letter) => options.reason === undefined || letter.reason === options.reason,
  );
  return { queue: queue.name, read: matching.length, truncated, groups: groupByReason(matching, now()) };
}

/** Makes the messages visible again at once; best effort (an expired handle is visible already). */
export async function releaseMessages(sqs: SQSClient, queueUrl: string, letters: readonly DeadLetter[]): Promise<void> {
  for (let start = 0; start < letters.length; start += 10) {
    const batch = letters.slice(start, start + 10);
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((letter, index) => ({
            Id: String(index),
            ReceiptHandle: letter.receiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      )
      .catch(() => undefined);
  }
}

function groupByReason(letters: readonly DeadLetter[], nowMs: number): ReasonGroup[] {
  const byReason = new Map<string, DeadLetter[]>();
  for (const letter of letters) byReason.set(letter.reason, [...(byReason.get(letter.reason) ?? []), letter]);
  return [...byReason.entries()]
    .map(([reason, members]) => {
      const sorted = [...members].sort((a, b) => a.sentAtMs - b.sentAtMs);
      return {
        reason,
        count: members.length,
        oldestAgeMs: nowMs - (sorted[0]?.sentAtMs ?? nowMs),
        newestAgeMs: nowMs - (sorted.at(-1)?.sentAtMs ?? nowMs),
        examples: sorted.slice(0, EXAMPLES_PER_REASON).map((letter) => ({
          messageId: letter.messageId,
          ageMs: nowMs - letter.sentAtMs,
          receiveCount: letter.receiveCount,
          body:
            letter.body.length > EXAMPLE_BODY_CHARS
              ? `${letter.body.slice(0, EXAMPLE_BODY_CHARS)}… (${letter.body.length.toLocaleString("en-US")} characters)`
              : letter.body,
        })),
      };
    })
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export function formatPeek(report: PeekReport): string {
  if (report.read === 0) return `${report.queue}: no dead letters\n`;
  const lines = [
    `${report.queue}: ${report.read} dead letter${report.read === 1 ? "" : "s"}${report.truncated ? " (stopped at --max; there are more)" : ""}, nothing consumed`,
    "",
  ];
  for (const group of report.groups) {
    lines.push(
      `${group.reason}: ${group.count} (oldest ${formatAge(group.oldestAgeMs)}, newest ${formatAge(group.newestAgeMs)})`,
    );
    for (const example of group.examples) {
      lines.push(
        `  ${example.messageId}  ${formatAge(example.ageMs)} ago  received ${example.receiveCount}x  ${example.body}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
