import type { MessageAttributeValue } from "@aws-sdk/client-sqs";

export interface OutgoingMessage {
  readonly body: string;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>> | undefined;
  /** FIFO queues: required. */
  readonly groupId?: string | undefined;
  /** FIFO queues: required unless the queue has content-based deduplication. */
  readonly deduplicationId?: string | undefined;
  /** Standard queues only, 0-900. */
  readonly delaySeconds?: number | undefined;
}

export type SendResult =
  | { readonly index: number; readonly status: "sent"; readonly messageId: string; readonly attempts: number }
  | {
      readonly index: number;
      readonly status: "failed";
      readonly code: string;
      readonly reason: string;
      readonly attempts: number;
      readonly senderFault: boolean;
    };

export interface SendMessagesOptions {
  /**
   * Most bytes in one SendMessageBatch request (sum of bodies + attribute names, types and values).
   * Default 1_048_576 (SQS's limit); allowed 1024-1_048_576.
   */
  readonly maxBatchBytes?: number | undefined;
  /** Attempts per message, first try included. Default 5, allowed 1-20. */
  readonly maxAttempts?: number | undefined;
  /**
   * Exponential backoff with jitter between retry rounds: base and cap in ms. Default { baseMs: 50, maxMs: 2000 };
   * allowed 1-15000, maxMs at least baseMs.
   */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
  /** Default: the queue URL ends in ".fifo". */
  readonly fifo?: boolean | undefined;
  /** Injected for tests (default setTimeout-based sleep, Math.random). */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly random?: (() => number) | undefined;
}
