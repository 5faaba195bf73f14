import { readFileSync } from "node:fs";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { type OrderEventInput, sendOrderEvents } from "../order-processor/producer.js";
import { parseOrderEvent } from "../order-processor/schema.js";
import { OpsInputError } from "./ops-error.js";

export interface SendFileReport {
  readonly total: number;
  readonly sent: number;
  /** Not sent, by line number: the producer's code and reason. */
  readonly failed: readonly { readonly line: number; readonly reason: string }[];
  /** Lines never attempted because the run was stopped. */
  readonly notAttempted: number;
}

/** Events sent per round: progress as it goes, and a Ctrl-C stops between rounds. */
const ROUND = 500;
/** Bad lines listed in the error; the count says how many more. */
const SHOWN_PROBLEMS = 3;

/**
 * Reads every line of a JSON Lines file of order events (seed 002's messages: `type`, `data`,
 * `timestamp`, `correlation_id`) and checks each as the order-processor would. The whole file is
 * checked before anything is sent: one bad line sends nothing, and the error names its line.
 */
export function readOrderEvents(file: string, now = Date.now()): { line: number; event: OrderEventInput }[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new OpsInputError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const events: { line: number; event: OrderEventInput }[] = [];
  const problems: string[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/\r$/, "");
    if (line.trim().length === 0) continue;
    try {
      parseOrderEvent(line, { now });
      const json = JSON.parse(line) as {
        type: OrderEventInput["type"];
        data: OrderEventInput["data"];
        timestamp: string;
        correlation_id?: unknown;
      };
      events.push({
        line: index + 1,
        event: {
          type: json.type,
          data: json.data,
          timestamp: json.timestamp,
          ...(typeof json.correlation_id === "string" ? { correlationId: json.correlation_id } : {}),
        },
      });
    } catch (error) {
      const reason = (error as { reason?: string }).reason;
      problems.push(`line ${index + 1}: ${reason ? `${reason}: ` : ""}${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more bad lines)` : "";
    throw new OpsInputError(`${file}: nothing sent: ${problems.slice(0, SHOWN_PROBLEMS).join("; ")}${more}`);
  }
  if (events.length === 0) throw new OpsInputError(`${file}: nothing sent: the file holds no order event`);
  return events;
}

export async function sendOrderFile(
  sqs: SQSClient,
  queue: { url: string; fifo: boolean },
  events: readonly { line: number; event: OrderEventInput }[],
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<SendFileReport> {
  let sent = 0;
  const failed: { line: number; reason: string }[] = [];
  for (let start = 0; start < events.length; start += ROUND) {
    if (options.signal?.aborted) return { total: events.length, sent, failed, notAttempted: events.length - start };
    const round = events.slice(start, start + ROUND);
    const results = await sendOrderEvents(
      sqs,
      queue.url,
      round.map((entry) => entry.event),
      { fifo: queue.fifo },
    );
    for (const result of results) {
      if (result.status === "sent") sent += 1;
      else failed.push({ line: round[result.index]?.line ?? 0, reason: `${result.code}: ${result.reason}` });
    }
    options.onProgress?.(start + round.length, events.length);
  }
  return { total: events.length, sent, failed, notAttempted: 0 };
}
