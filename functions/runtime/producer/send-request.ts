import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from "@aws-sdk/client-sqs";
import type { Slot } from "./send-batches.js";

/** What one request did to one entry. */
export type Outcome =
  | { readonly accepted: true; readonly messageId: string }
  | {
      readonly accepted: false;
      readonly retryable: boolean;
      readonly code: string;
      readonly reason: string;
      readonly senderFault: boolean;
    };

export type Failure = Extract<Outcome, { accepted: false }>;

const entryId = (slot: Slot): string => `m${slot.index}`;

function toEntry(slot: Slot): SendMessageBatchRequestEntry {
  const { body, messageAttributes, groupId, deduplicationId, delaySeconds } = slot.message;
  return {
    Id: entryId(slot),
    MessageBody: body,
    ...(messageAttributes !== undefined ? { MessageAttributes: messageAttributes } : {}),
    ...(groupId !== undefined ? { MessageGroupId: groupId } : {}),
    ...(deduplicationId !== undefined ? { MessageDeduplicationId: deduplicationId } : {}),
    ...(delaySeconds !== undefined ? { DelaySeconds: delaySeconds } : {}),
  };
}

/** One outcome per slot of the request; a request that throws fails every entry, retryably. */
export async function sendRequest(
  client: SQSClient,
  queueUrl: string,
  batch: readonly Slot[],
): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  try {
    const response = await client.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map(toEntry) }),
    );
    const byId = new Map(batch.map((slot) => [entryId(slot), slot.index]));
    for (const entry of response.Successful ?? []) {
      const index = entry.Id === undefined ? undefined : byId.get(entry.Id);
      if (index !== undefined) outcomes.set(index, { accepted: true, messageId: entry.MessageId ?? "" });
    }
    for (const entry of response.Failed ?? []) {
      const index = entry.Id === undefined ? undefined : byId.get(entry.Id);
      if (index === undefined) continue;
      const senderFault = entry.SenderFault === true;
      const code = entry.Code ?? "unknown";
      outcomes.set(index, { accepted: false, retryable: !senderFault, code, reason: entry.Message ?? "", senderFault });
    }
    for (const slot of batch) {
      if (!outcomes.has(slot.index)) {
        outcomes.set(slot.index, {
          accepted: false,
          retryable: true,
          code: "no-result",
          reason: `SQS's response listed entry ${entryId(slot)} neither as successful nor as failed`,
          senderFault: false,
        });
      }
    }
  } catch (error) {
    const failure: Failure = {
      accepted: false,
      retryable: true,
      code: error instanceof Error ? error.name : "Error",
      reason: error instanceof Error ? error.message : String(error),
      senderFault: false,
    };
    for (const slot of batch) outcomes.set(slot.index, failure);
  }
  return outcomes;
}
