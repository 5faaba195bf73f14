import type { SQSRecord } from "aws-lambda";

/** FIFO queues' ARNs end in `.fifo`; standard "fair" queues also carry MessageGroupId, so the id alone says nothing. */
export function isFifoSource(record: SQSRecord | undefined): boolean {
  return typeof record?.eventSourceARN === "string" && record.eventSourceARN.endsWith(".fifo");
}

/** A record and its position in the batch, where its result goes. */
export interface PositionedRecord {
  readonly index: number;
  readonly record: SQSRecord;
}

/**
 * The records of each message group with their positions, each group in batch order, groups in order
 * of first appearance. Records without a group id (SQS FIFO never sends them, a hand-made event might)
 * form one group of their own, so they keep their order too.
 */
export function groupByMessageGroup(records: readonly SQSRecord[]): PositionedRecord[][] {
  const groups = new Map<string, PositionedRecord[]>();
  records.forEach((record, index) => {
    const groupId = record.attributes?.MessageGroupId;
    const key = typeof groupId === "string" ? `g:${groupId}` : "none";
    const group = groups.get(key);
    if (group) group.push({ index, record });
    else groups.set(key, [{ index, record }]);
  });
  return [...groups.values()];
}
