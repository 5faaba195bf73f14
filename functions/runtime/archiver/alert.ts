import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";

/** Reasons named one by one in an alert; the rest are summed, so a batch of 10,000 reasons stays one small message. */
export const MAX_ALERT_REASONS = 20;
/** A reason in an alert is cut to this many characters: the runtime caps it at 1,000, an alert needs less. */
export const MAX_ALERT_REASON_CHARS = 200;
/** SNS's limit for a subject: 100 printable ASCII characters. */
const MAX_SUBJECT_CHARS = 100;

/** The alert for one batch: dead letters newly stored, counted by reason. */
export interface ArchiveAlert {
  readonly event: "dead-letters-archived";
  readonly deadLetterQueueArn: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly archived: number;
  /** Most frequent first, at most {@link MAX_ALERT_REASONS}. */
  readonly byReason: Readonly<Record<string, number>>;
  /** When more reasons than that occurred: how many more, and how many dead letters they cover. */
  readonly otherReasons?: { readonly reasons: number; readonly deadLetters: number };
}

export function archiveAlert(
  storedByReason: ReadonlyMap<string, number>,
  where: { deadLetterQueueArn: string; bucket: string; prefix: string },
): ArchiveAlert {
  const merged = new Map<string, number>();
  for (const [reason, count] of storedByReason) {
    const shown = reason.length <= MAX_ALERT_REASON_CHARS ? reason : `${reason.slice(0, MAX_ALERT_REASON_CHARS - 1)}…`;
    merged.set(shown, (merged.get(shown) ?? 0) + count);
  }
  const ranked = [...merged].sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1));
  const named = ranked.slice(0, MAX_ALERT_REASONS);
  const rest = ranked.slice(MAX_ALERT_REASONS);
  return {
    event: "dead-letters-archived",
    ...where,
    archived: ranked.reduce((sum, [, count]) => sum + count, 0),
    byReason: Object.fromEntries(named),
    ...(rest.length > 0
      ? { otherReasons: { reasons: rest.length, deadLetters: rest.reduce((sum, [, count]) => sum + count, 0) } }
      : {}),
  };
}

/** One SNS message per batch; the subject says how many and from where, the message holds the counts as JSON. */
export async function publishAlert(
  sns: SNSClient,
  topicArn: string,
  alert: ArchiveAlert,
  timeoutMs: number,
): Promise<void> {
  const queueName = alert.deadLetterQueueArn.split(":").at(-1) ?? "";
  const subject = `${alert.archived} dead letter${alert.archived === 1 ? "" : "s"} archived from ${queueName}`;
  await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: subject.length <= MAX_SUBJECT_CHARS ? subject : `${subject.slice(0, MAX_SUBJECT_CHARS - 3)}...`,
      Message: JSON.stringify(alert, null, 2),
    }),
    { abortSignal: AbortSignal.timeout(timeoutMs) },
  );
}
