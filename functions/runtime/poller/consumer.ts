import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { createEventSourceMapping } from "./event-source-mapping.js";
import type { InvocationInfo, MappingOptions } from "./types.js";

export interface ConsumerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** @default - read from the queue with GetQueueAttributes */
  readonly queueArn?: string | undefined;
  /** A Lambda SQS handler, run unchanged: partial batch responses are honoured as Lambda honours them. */
  readonly handler: MappingOptions["handler"];
  /** Records per batch: 1-10 on FIFO, 1-10,000 standard (above 10 needs a batching window). @default 10 */
  readonly batchSize?: number | undefined;
  /** 0-300 s spent gathering a batch. @default 0 */
  readonly maxBatchingWindowSeconds?: number | undefined;
  /** Batches processed at once, 2-1000. @default 2 */
  readonly maxConcurrency?: number | undefined;
  /**
   * A batch running longer counts as failed and its messages return after the queue's visibility
   * timeout (keep that at least this long); also bounds how long a stop waits. @default 30
   */
  readonly functionTimeoutSeconds?: number | undefined;
  /** Process signals that start a drain; `[]` for none. @default ["SIGTERM", "SIGINT"] */
  readonly signals?: readonly NodeJS.Signals[] | undefined;
  /** Aborting it starts a drain, as a signal does. @default - none */
  readonly abortSignal?: AbortSignal | undefined;
  /** Name in the handler's context. @default `local-<queue name>` */
  readonly functionName?: string | undefined;
  /** @default - none */
  readonly onInvocation?: ((info: InvocationInfo) => void) | undefined;
}

/** What started the drain: a process signal, or the abort signal. */
export type StopReason = NodeJS.Signals | "abort";

export interface ConsumerStopped {
  readonly stoppedBy: StopReason;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/**
 * Runs a Lambda-style SQS batch handler as a long-running process (a container on ECS, an EC2
 * instance), with the semantics of Lambda's event source mapping. Resolves once a signal or the
 * abort signal has stopped it and the batches in flight have finished, each within the function
 * timeout; a receive already under way completes and its messages are processed too. Nothing is
 * lost when it stops early: a message is deleted only after its batch succeeded.
 * Rejects on invalid options or an unreadable queue, before polling.
 */
export async function runConsumer(options: ConsumerOptions): Promise<ConsumerStopped> {
  const signals = options.signals ?? DEFAULT_SIGNALS;
  const { abortSignal } = options;
  let stopRequested = false;
  let resolveStop!: (reason: StopReason) => void;
  const stopped = new Promise<StopReason>((resolve) => (resolveStop = resolve));
  const requestStop = (reason: StopReason): void => {
    stopRequested = true;
    // Only the first signal drains: a second one gets the process's default handling (exit at once,
    // unless something else listens), which an operator pressing Ctrl-C twice expects.
    removeListeners();
    resolveStop(reason);
  };
  const onSignal = (signal: NodeJS.Signals): void => requestStop(signal);
  const onAbort = (): void => requestStop("abort");
  const removeListeners = (): void => {
    for (const signal of signals) process.removeListener(signal, onSignal);
    abortSignal?.removeEventListener("abort", onAbort);
  };

  // Listening before the first await means a stop during start-up drains instead of killing the process.
  for (const signal of signals) process.on(signal, onSignal);
  if (abortSignal?.aborted) requestStop("abort");
  else abortSignal?.addEventListener("abort", onAbort);
  try {
    const mapping = createEventSourceMapping({
      client: options.client,
      queueUrl: options.queueUrl,
      queueArn: options.queueArn ?? (await readQueueArn(options.client, options.queueUrl)),
      handler: options.handler,
      batchSize: options.batchSize,
      maxBatchingWindowSeconds: options.maxBatchingWindowSeconds,
      maxConcurrency: options.maxConcurrency,
      functionTimeoutSeconds: options.functionTimeoutSeconds,
      functionName: options.functionName,
      onInvocation: options.onInvocation,
    });
    if (!stopRequested) mapping.start();
    const stoppedBy = await stopped;
    await mapping.stop();
    return { stoppedBy };
  } finally {
    removeListeners();
  }
}

async function readQueueArn(client: SQSClient, queueUrl: string): Promise<string> {
  try {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
    );
    if (Attributes?.QueueArn) return Attributes.QueueArn;
    throw new Error("the response has no QueueArn");
  } catch (error) {
    throw new Error(`cannot read the ARN of queue ${queueUrl}: ${(error as Error).message}`, { cause: error });
  }
}
