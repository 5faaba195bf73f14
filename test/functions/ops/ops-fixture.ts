import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { readSynthesizedStack } from "../../../local/pipeline/synthesized-stack.js";

export { queueCounts } from "../../../local/run/run-inspection.js";

import { createQueue } from "../../../local/servers/create-queue.js";
import { type LocalSqs, startLocalSqs } from "../../support/local-aws.js";
import { reliabilityStacks } from "../../support/shared-stacks.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI = path.join(ROOT, "functions/ops/cli.ts");

/** A synthesized orders stack's queues on a real fauxqs, and the ops command run against it. */
export interface OpsPipeline {
  readonly sqs: LocalSqs;
  readonly outdir: string;
  readonly environment: string;
  readonly fifo: boolean;
  readonly queue: { readonly url: string; readonly name: string };
  readonly deadLetterQueue: { readonly url: string; readonly name: string };
  stop(): Promise<void>;
}

/** The stack's queue and DLQ (names from the real synth of `environment`) on a new fauxqs. */
export async function opsPipeline(
  environment: "dev" | "dev-fifo",
  outdir?: string,
  source: { readonly attributes?: Readonly<Record<string, string>>; readonly maxReceiveCount?: number } = {},
): Promise<OpsPipeline> {
  const stacks = outdir ?? (await reliabilityStacks());
  const processor = readSynthesizedStack(stacks, environment).processors[0];
  if (!processor?.deadLetterQueue) throw new Error(`the ${environment} stack has no queue with a DLQ`);
  const sqs = await startLocalSqs();
  const fifo = processor.queue.fifo;
  const type = fifo ? { FifoQueue: "true" } : {};
  const deadLetterQueue = await createQueue(sqs.client, processor.deadLetterQueue.name, type);
  const queue = await createQueue(sqs.client, processor.queue.name, {
    ...type,
    ...source.attributes,
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueue.arn,
      maxReceiveCount: source.maxReceiveCount ?? 3,
    }),
  });
  return {
    sqs,
    outdir: stacks,
    environment,
    fifo,
    queue: { url: queue.url, name: processor.queue.name },
    deadLetterQueue: { url: deadLetterQueue.url, name: processor.deadLetterQueue.name },
    stop: () => sqs.stop(),
  };
}

export interface DeadLetterInput {
  readonly body: string;
  /** The runtime's `dlq-reason`; none for a message SQS moved after maxReceiveCount. */
  readonly reason?: string;
  readonly groupId?: string;
  /** A producer's own attribute, which a redrive must keep. */
  readonly traceId?: string;
}

/** Dead letters as the runtime writes them (`dlq-reason`, `dlq-details`); their DLQ message ids, in order. */
export async function addDeadLetters(pipeline: OpsPipeline, letters: readonly DeadLetterInput[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < letters.length; start += 10) {
    const batch = letters.slice(start, start + 10);
    const { Successful = [], Failed = [] } = await pipeline.sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: pipeline.deadLetterQueue.url,
        Entries: batch.map((letter, index) => ({
          Id: String(index),
          MessageBody: letter.body,
          MessageAttributes: {
            ...(letter.reason
              ? {
                  "dlq-reason": { DataType: "String", StringValue: letter.reason },
                  "dlq-details": { DataType: "String", StringValue: JSON.stringify({ error: "test" }) },
                }
              : {}),
            ...(letter.traceId ? { "trace-id": { DataType: "String", StringValue: letter.traceId } } : {}),
          },
          ...(pipeline.fifo
            ? { MessageGroupId: letter.groupId ?? "g", MessageDeduplicationId: `${start + index}` }
            : {}),
        })),
      }),
    );
    if (Failed.length > 0) throw new Error(`dead letters refused: ${JSON.stringify(Failed)}`);
    for (const entry of Successful.sort((a, b) => Number(a.Id) - Number(b.Id))) ids.push(String(entry.MessageId));
  }
  return ids;
}

export interface Received {
  readonly body: string;
  /** Message attributes: string values as they are, binary ones in base64. */
  readonly attributes: Readonly<Record<string, string | undefined>>;
  readonly groupId?: string;
  readonly receiveCount: number;
}

/** Every message of a queue, received and deleted (so FIFO groups go on), in the order received. */
export async function drain(client: SQSClient, queueUrl: string): Promise<Received[]> {
  const received: Received[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    if (Messages.length === 0) return received;
    for (const message of Messages) {
      const groupId = message.Attributes?.MessageGroupId;
      received.push({
        body: String(message.Body),
        attributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            value.StringValue ?? (value.BinaryValue ? Buffer.from(value.BinaryValue).toString("base64") : undefined),
          ]),
        ),
        ...(groupId ? { groupId } : {}),
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount),
      });
    }
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: String(message.ReceiptHandle),
        })),
      }),
    );
  }
}

export interface OpsRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run ops -- <args>` as a child process (what a user runs), with the environment given. */
export function startOps(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<OpsRun> } {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<OpsRun>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runOps(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<OpsRun> {
  return startOps(args, env).done;
}

/** The options that point the command at the pipeline's local endpoint and stacks. */
export function localTarget(pipeline: OpsPipeline): string[] {
  return [pipeline.environment, "--endpoint-url", pipeline.sqs.endpoint, "--outdir", pipeline.outdir];
}
