import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { sendMessages } from "../../functions/runtime/index.js";
import { generateOrderStream, type OrderStream } from "../run/order-stream.js";
import { percentiles } from "../run/percentiles.js";
import { queueCounts, readDeadLetters, scanTable } from "../run/run-inspection.js";
import { createOrdersTable, createQueuePair, type QueuePair } from "../servers/ad-hoc-resources.js";
import { type FaultProxy, startFaultProxy } from "../servers/fault-proxy.js";
import { LOCAL_CREDENTIALS, type LocalSqs, startLocalDynamo, startLocalSqs } from "../servers/local-servers.js";
import {
  linesSaying,
  oneCopyPerOriginal,
  parseLogLines,
  reconcileAgain,
  reliabilitySizes,
  type ScenarioOptions,
  type ScenarioReport,
} from "./run-support.js";

const CONSUMER_ENTRY = "functions/order-processor/consumer.ts";
const TABLE = "orders-consumer-kill";
const QUEUE = "consumer-kill";
/** Short, so messages held by the killed consumer come back within seconds. */
const CONSUMER_VISIBILITY_TIMEOUT_SECONDS = 4;
const CONSUMER_FUNCTION_TIMEOUT_SECONDS = 3;
const MAX_RECEIVE_COUNT = 3;
/** Each write of the first consumer is applied at once and answered this late, so its batches are in flight when it is killed. */
const SLOW_WRITE_MS = 150;

export interface ConsumerKillReport extends ScenarioReport {
  readonly kill: {
    /** Table items when the first consumer was killed (SIGKILL). */
    readonly appliedBefore: number;
    /** Messages received by the first consumer and not deleted when it died. */
    readonly inFlightAtKill: number;
    /** Of those, how many the second consumer processed (they came back after the visibility timeout). */
    readonly redelivered: number;
    /** The highest ApproximateReceiveCount seen on the queue after the kill. */
    readonly maxReceiveCount: number;
    /** Messages seen on the queue with a receive count above 1 after the kill. */
    readonly seenWithReceiveCountAbove1: number;
  };
  /** Further DLQ copies of a poison message the killed consumer had already dead-lettered. */
  readonly extraDeadLetterCopies: number;
  /** The second consumer's exit code after SIGTERM (0: it drained and stopped). */
  readonly secondExitCode: number | null;
}

interface InspectedMessage {
  readonly messageId: string;
  readonly approximateReceiveCount: number;
}

/**
 * Fault (d): the poller itself killed mid-batch. The order-processor consumer entry runs as a
 * child process against fauxqs and dynalite (queue visibility 4 s, maxReceiveCount 3); its table
 * writes answer late, so batches are in flight; once a quarter of the orders is in the table it is
 * killed with SIGKILL, and a new consumer is started. Everything must be applied exactly once
 * (reconciliation of the generated stream), and the messages the dead consumer held come back
 * (receive counts above 1) and are processed by the new one.
 */
export async function consumerKillScenario(options: Omit<ScenarioOptions, "outdir"> = {}): Promise<ConsumerKillReport> {
  const count = options.count ?? reliabilitySizes().faults;
  const started = performance.now();
  // Servers of their own, as an operator's would be: this process only watches (and may share its event loop with other runs).
  const [sqs, dynamo] = await Promise.all([
    startLocalSqs({ ownProcess: true }),
    startLocalDynamo({ ownProcess: true }),
  ]);
  const tableProxy = await startFaultProxy(dynamo.endpoint);
  const children = new Set<ChildProcess>();
  try {
    await createOrdersTable(dynamo.client, TABLE);
    const queues = await createQueuePair(sqs.client, QUEUE, {
      visibilityTimeoutSeconds: CONSUMER_VISIBILITY_TIMEOUT_SECONDS,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const stream = generateOrderStream({ count, poisonShare: 0.05, transientShare: 0, seed: options.seed ?? 6 });
    const results = await sendMessages(
      sqs.client,
      queues.queueUrl,
      stream.messages.map((entry) => entry.message),
    );
    const sent: OrderStream = {
      ...stream,
      messages: stream.messages.filter((_, index) => results[index]?.status === "sent"),
    };
    const output: string[] = [];
    const environment = consumerEnvironment(sqs, tableProxy, queues);

    tableProxy.setRule(({ target }) =>
      /\.(PutItem|UpdateItem)$/.test(target) ? { delayMs: SLOW_WRITE_MS, phase: "response" } : "pass",
    );
    const first = startConsumer(environment, output, children);
    const target = Math.max(5, Math.round(sent.orders / 4));
    let appliedBefore = 0;
    await waitFor(
      async () => {
        assertRunning(first, output);
        appliedBefore = (await scanTable(dynamo.client, TABLE)).length;
        return appliedBefore >= target && (await queueCounts(sqs.client, queues.queueUrl)).inFlight > 0;
      },
      60_000,
      "the first consumer to apply a quarter of the orders",
    );
    first.kill("SIGKILL");
    await once(first, "exit");
    // What the dead consumer held: received, not deleted (in flight, or backing off after a failure).
    const heldAtKill = (await inspectQueue(sqs, `${QUEUE}-queue`)).inflight;
    const firstLogs = parseLogLines(output.join("\n"));
    output.length = 0;

    tableProxy.setRule(undefined);
    const second = startConsumer(environment, output, children);
    const receiveCounts = new Map<string, number>();
    let settled = 0;
    await waitFor(
      async () => {
        assertRunning(second, output);
        const { ready, inflight } = await inspectQueue(sqs, `${QUEUE}-queue`);
        for (const message of [...ready, ...inflight]) {
          receiveCounts.set(
            message.messageId,
            Math.max(receiveCounts.get(message.messageId) ?? 0, message.approximateReceiveCount),
          );
        }
        settled = ready.length + inflight.length === 0 ? settled + 1 : 0;
        return settled >= 3;
      },
      90_000,
      "the second consumer to empty the queue",
    );
    second.kill("SIGTERM");
    const [secondExitCode] = (await once(second, "exit")) as [number | null];
    const secondLogs = parseLogLines(output.join("\n"));

    const deadLetters = await readDeadLetters(sqs.client, queues.deadLetterQueueUrl);
    const tableItems = await scanTable(dynamo.client, TABLE);
    const copies = oneCopyPerOriginal(deadLetters);
    const logs = [...firstLogs, ...secondLogs];
    const reconciliation = reconcileAgain({
      stream: sent,
      inspection: { deadLetters, tableItems },
      deadLetters: copies.unique,
      logs,
      filtered: 0,
      filterActive: false,
    });
    // The second consumer's outcome lines carry each message's receive count: what the queue redelivered.
    for (const line of secondLogs) {
      if (typeof line.messageId === "string" && typeof line.receiveCount === "number") {
        receiveCounts.set(line.messageId, Math.max(receiveCounts.get(line.messageId) ?? 0, line.receiveCount));
      }
    }
    const secondIds = new Set(
      secondLogs.map((line) => line.messageId).filter((id): id is string => typeof id === "string"),
    );
    const wallMs = performance.now() - started;
    const batches = [...linesSaying(firstLogs, "batch processed"), ...linesSaying(secondLogs, "batch processed")];
    const failedInBatches = batches.reduce((sum, line) => sum + Number(line.failed ?? 0), 0);
    const left = await queueCounts(sqs.client, queues.queueUrl);
    return {
      scenario: "consumer killed",
      environment: "order-processor consumer, child process",
      settings: {
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: 2,
        functionTimeoutSeconds: CONSUMER_FUNCTION_TIMEOUT_SECONDS,
        filterPatterns: 0,
        maxReceiveCount: MAX_RECEIVE_COUNT,
        visibilityTimeoutSeconds: CONSUMER_VISIBILITY_TIMEOUT_SECONDS,
      },
      messages: stream.messages.length,
      sendFailures: stream.messages.length - sent.messages.length,
      // Batches that finished: the killed consumer's last ones never reported.
      invocations: batches.length,
      outcomes: {
        ok: batches.filter((line) => Number(line.failed ?? 0) === 0).length,
        partial: batches.filter((line) => Number(line.failed ?? 0) > 0).length,
        error: 0,
        timeout: 0,
        "invalid-response": 0,
      },
      retries: failedInBatches + heldAtKill.length,
      coldStarts: 2,
      injectedFaults: tableProxy.delayed,
      wallMs,
      messagesPerSecond: (sent.messages.length * 1000) / wallMs,
      batchMs: percentiles(batches.map((line) => Number(line.durationMs ?? 0))),
      reconciliation,
      interrupted: false,
      leftInQueue: left.visible + left.inFlight,
      kill: {
        appliedBefore,
        inFlightAtKill: heldAtKill.length,
        redelivered: heldAtKill.filter((message) => secondIds.has(message.messageId)).length,
        maxReceiveCount: Math.max(0, ...receiveCounts.values()),
        seenWithReceiveCountAbove1: [...receiveCounts.values()].filter((n) => n > 1).length,
      },
      extraDeadLetterCopies: copies.extraCopies,
      secondExitCode,
    };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all([tableProxy.close(), sqs.stop(), dynamo.stop()]);
  }
}

function consumerEnvironment(sqs: LocalSqs, tableProxy: FaultProxy, queues: QueuePair): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: tableProxy.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    TABLE_NAME: TABLE,
    QUEUE_URL: queues.queueUrl,
    DLQ_URL: queues.deadLetterQueueUrl,
    // The outcome lines the reconciliation reads are INFO.
    LOG_LEVEL: "INFO",
    BATCH_SIZE: "10",
    MAX_CONCURRENCY: "2",
    FUNCTION_TIMEOUT_SECONDS: String(CONSUMER_FUNCTION_TIMEOUT_SECONDS),
  };
}

/** `node functions/order-processor/consumer.ts` as an operator would run it, output collected line by line. */
function startConsumer(
  environment: Record<string, string>,
  output: string[],
  children: Set<ChildProcess>,
): ChildProcess {
  // fauxqs's queue URLs name sqs.<region>.localhost: the child maps *.localhost to 127.0.0.1, as the tests' servers do.
  const resolveLocalhost = `data:text/javascript,import { interceptLocalhostDns } from ${JSON.stringify(import.meta.resolve("fauxqs"))}; interceptLocalhostDns();`;
  const child = spawn(process.execPath, ["--import", resolveLocalhost, "--import", "tsx", CONSUMER_ENTRY], {
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let pending = "";
  const collect = (chunk: Buffer) => {
    const lines = (pending + chunk.toString("utf8")).split("\n");
    pending = lines.pop() ?? "";
    output.push(...lines);
  };
  // Invariant: the consumer is spawned with piped stdout and stderr.
  if (!child.stdout || !child.stderr) throw new Error("the consumer started without its output pipes");
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  child.once("exit", () => {
    if (pending) output.push(pending);
    pending = "";
  });
  return child;
}

function assertRunning(child: ChildProcess, output: readonly string[]): void {
  if (child.exitCode !== null)
    throw new Error(`the consumer exited early with code ${child.exitCode}:\n${output.slice(-20).join("\n")}`);
}

/** fauxqs's non-destructive inspection (GET /_fauxqs/queues/<name>): receive counts without receiving. */
async function inspectQueue(
  sqs: LocalSqs,
  name: string,
): Promise<{ ready: InspectedMessage[]; inflight: InspectedMessage[] }> {
  const response = await fetch(`${sqs.endpoint}/_fauxqs/queues/${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`fauxqs inspection of ${name} answered ${response.status}`);
  const { messages } = (await response.json()) as {
    messages: { ready: InspectedMessage[]; delayed: InspectedMessage[]; inflight: { message: InspectedMessage }[] };
  };
  return { ready: [...messages.ready, ...messages.delayed], inflight: messages.inflight.map((entry) => entry.message) };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
