import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startFaultProxy, type FaultProxy } from "../../functions/local/fault-proxy.js";
import { createLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from "../../functions/local/local-pipeline.js";
import { startLocalDynamo, startLocalSqs } from "../../functions/local/local-servers.js";
import type { InvocationInfo } from "../../functions/local/event-source-mapping.js";
import { readSynthesizedStack } from "../../functions/local/synthesized-stack.js";
import { sendMessages } from "../../functions/lib/producer.js";
import { generateOrderStream, type OrderStream } from "./order-stream.js";
import { reconcile, type Reconciliation } from "./reconcile.js";
import { queueCounts, readDeadLetters, scanTable } from "./run-inspection.js";
import { failFirstDeliveryOf } from "./transient-faults.js";
import { percentiles, type Percentiles } from "./percentiles.js";

export interface LocalRunOptions {
  /** The synthesized stack to run: an environment name (dev, staging, prod). */
  readonly environment: string;
  /** Default cdktf.out. */
  readonly outdir?: string;
  readonly count: number;
  readonly poisonShare: number;
  readonly transientShare: number;
  readonly seed?: number;
  readonly overrides?: LocalPipelineOptions["overrides"];
  /** Every line the function writes goes here (its logs would otherwise fill the terminal). */
  readonly functionLogFile?: string;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly progressIntervalMs?: number;
  /** Aborting (Ctrl-C) stops sending and polling; the report says what was left where. */
  readonly signal?: AbortSignal;
  /** Give up when nothing moves for this long; default 60 s (a retry backs off for up to 20 s here). */
  readonly stallTimeoutMs?: number;
  /**
   * Runs beside the stream once polling started, e.g. to take the table down for a while; the run
   * settles only after it returns. The function's table and SQS calls pass through `table` and `sqs`.
   */
  readonly scenario?: (controls: RunControls) => Promise<void>;
  /** Default true: the first table write of a share of orders fails (see `transientShare`). */
  readonly injectTransientFaults?: boolean;
}

export interface RunControls {
  readonly table: FaultProxy;
  readonly sqs: FaultProxy;
  readonly pipeline: LocalPipeline;
  readonly stream: OrderStream;
  progress(): Promise<RunProgress>;
  /** Resolves once `predicate` holds for the progress (checked every 50 ms). */
  until(predicate: (progress: RunProgress) => boolean): Promise<RunProgress>;
}

export interface RunProgress {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly total: number;
  /** Records whose invocation finished with them done (processed, ignored or dead-lettered by the function). */
  readonly processed: number;
  /** Records returned to the queue to be retried. */
  readonly retried: number;
  readonly filtered: number;
  readonly deadLettered: number;
  readonly queued: number;
  readonly inFlight: number;
  /** Records done per second over the last interval. */
  readonly throughput: number;
}

export interface RunReport {
  readonly environment: string;
  readonly settings: LocalPipeline["settings"] & { readonly visibilityTimeoutSeconds: number };
  readonly messages: number;
  readonly sendFailures: number;
  readonly invocations: number;
  readonly outcomes: Readonly<Record<InvocationInfo["outcome"], number>>;
  readonly retries: number;
  readonly coldStarts: number;
  readonly injectedFaults: number;
  readonly wallMs: number;
  /** Messages sent per second of wall time, waiting out the retries' backoff included. */
  readonly messagesPerSecond: number;
  /**
   * Until every message had been through the function once: all sent, none waiting to be received,
   * no invocation running (what remains waits out a retry's backoff). Absent if never reached.
   */
  readonly firstPassMs?: number;
  readonly firstPassMessagesPerSecond?: number;
  readonly batchMs: Percentiles;
  readonly reconciliation: Reconciliation;
  readonly interrupted: boolean;
  /** Messages still in the work queue when the run ended (only after an interruption or a stall). */
  readonly leftInQueue: number;
}

export interface LocalRun {
  readonly report: RunReport;
  readonly endpoints: { readonly sqs: string; readonly dynamodb: string; readonly queueUrl: string; readonly deadLetterQueueUrl?: string; readonly tables: readonly string[] };
  /** Polls again (as after a deployment): for `--keep`, so that what a user sends is processed. */
  resumePolling(): void;
  /** Stops the function's containers and the servers. */
  close(): Promise<void>;
}

/**
 * One local run of a synthesized stack: fauxqs and dynalite on 127.0.0.1, the stack's queues and
 * table, its function behind a local event source mapping, a generated order stream sent through
 * the producer (a share of orders has its first table write failed by a fault proxy), then every
 * message reconciled against the table, the dead-letter queue and the function's logs.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRun> {
  const stack = readSynthesizedStack(options.outdir ?? "cdktf.out", options.environment);
  const started = performance.now();
  const sqs = await startLocalSqs({ region: stack.region });
  // The table is the busiest server: in its own process it gets a core instead of sharing the poller's.
  const dynamo = await startLocalDynamo({ region: stack.region, ownProcess: true });
  // Each proxy costs a hop per call: they sit in the function's path only when a run injects faults.
  const injectFaults = (options.injectTransientFaults !== false && options.transientShare > 0) || options.scenario !== undefined;
  const tableProxy = injectFaults ? await startFaultProxy(dynamo.endpoint) : undefined;
  const sqsProxy = injectFaults ? await startFaultProxy(sqs.endpoint) : undefined;
  const closeServers = () => Promise.all([tableProxy?.close(), sqsProxy?.close(), sqs.stop(), dynamo.stop()]);
  const logs: Record<string, unknown>[] = [];
  let functionLog: WriteStream | undefined;
  if (options.functionLogFile) {
    mkdirSync(path.dirname(options.functionLogFile), { recursive: true });
    functionLog = createWriteStream(options.functionLogFile);
  }
  const invocationTimes: number[] = [];
  const outcomes = { ok: 0, partial: 0, error: 0, timeout: 0, "invalid-response": 0 };
  const counters = { processed: 0, retried: 0, filtered: 0 };
  let pipeline: LocalPipeline | undefined;
  try {
    pipeline = await createLocalPipeline({
      stack,
      sqs,
      dynamo,
      ...(tableProxy && sqsProxy ? { functionEndpoints: { dynamo: tableProxy.endpoint, sqs: sqsProxy.endpoint } } : {}),
      // The reconciliation reads the function's outcome lines, which are logged at INFO.
      environment: { LOG_LEVEL: "INFO" },
      ...(options.overrides ? { overrides: options.overrides } : {}),
      onFunctionOutput: (line) => {
        functionLog?.write(`${line}\n`);
        if (line.startsWith("{") && line.includes('"correlationId"')) logs.push(JSON.parse(line) as Record<string, unknown>);
      },
      onInvocation: (info) => {
        invocationTimes.push(info.durationMs);
        outcomes[info.outcome] += 1;
        counters.processed += info.records - info.failed;
        counters.retried += info.failed;
      },
      onFiltered: (count) => {
        counters.filtered += count;
      },
    });
  } catch (error) {
    await closeServers();
    throw error;
  }
  const { queue, deadLetterQueue } = pipeline;
  const fifo = queue.url.endsWith(".fifo");
  const stream = generateOrderStream({
    count: options.count,
    poisonShare: options.poisonShare,
    transientShare: options.transientShare,
    seed: options.seed ?? 1,
    fifo,
  });
  const faults = failFirstDeliveryOf(stream.transientOrders);
  if (options.injectTransientFaults !== false) tableProxy?.setRule(faults.rule);

  let sent = 0;
  const sentMessages: OrderStream["messages"][number][] = [];
  let sendFailures = 0;
  let lastDone = 0;
  let firstPassMs: number | undefined;
  let lastSent = 0;
  let lastTick = performance.now();
  let lastMovement = performance.now();
  /** Only the periodic report advances the throughput window and the stall clock. */
  const snapshot = async (track = false): Promise<RunProgress> => {
    const [work, dead] = await Promise.all([queueCounts(sqs.client, queue.url), deadLetterQueue ? queueCounts(sqs.client, deadLetterQueue.url) : undefined]);
    const now = performance.now();
    const done = counters.processed + counters.filtered;
    const throughput = ((done - lastDone) * 1000) / Math.max(1, now - lastTick);
    if (firstPassMs === undefined && sent === stream.messages.length && work.visible === 0 && pipeline!.invocationsInFlight === 0) {
      firstPassMs = now - started;
    }
    if (track) {
      if (done !== lastDone || sent !== lastSent) lastMovement = now;
      lastDone = done;
      lastSent = sent;
      lastTick = now;
    }
    return {
      elapsedMs: now - started,
      sent,
      total: stream.messages.length,
      processed: counters.processed,
      retried: counters.retried,
      filtered: counters.filtered,
      deadLettered: dead ? dead.visible + dead.inFlight : 0,
      queued: work.visible,
      inFlight: work.inFlight,
      throughput,
    };
  };

  pipeline.start();
  const progressTimer = setInterval(() => {
    void snapshot(true).then((progress) => options.onProgress?.(progress), () => undefined);
  }, options.progressIntervalMs ?? 500);
  const stopped = () => options.signal?.aborted === true;
  const controls: RunControls = {
    table: tableProxy!,
    sqs: sqsProxy!,
    pipeline,
    stream,
    progress: () => snapshot(),
    async until(predicate) {
      for (;;) {
        const progress = await snapshot();
        if (predicate(progress) || stopped()) return progress;
        await sleep(50);
      }
    },
  };
  const scenario = options.scenario?.(controls);
  try {
    // Slices keep the progress moving; the producer itself overlaps requests within a slice.
    const SLICE = 200;
    for (let start = 0; start < stream.messages.length && !stopped(); start += SLICE) {
      const slice = stream.messages.slice(start, start + SLICE);
      const results = await sendMessages(sqs.client, queue.url, slice.map((entry) => entry.message));
      results.forEach((result, index) => {
        if (result.status === "sent") sentMessages.push(slice[index]!);
        else sendFailures += 1;
      });
      sent += slice.length;
    }
    await scenario;
    const stallMs = options.stallTimeoutMs ?? 60_000;
    let settledTicks = 0;
    while (!stopped() && settledTicks < 2) {
      await sleep(200);
      const progress = await snapshot();
      settledTicks = progress.queued + progress.inFlight === 0 ? settledTicks + 1 : 0;
      if (performance.now() - lastMovement > stallMs) break;
    }
  } finally {
    clearInterval(progressTimer);
    await pipeline.stopPolling();
  }
  const wallMs = performance.now() - started;
  const final = await snapshot(true);
  options.onProgress?.(final);

  const sentStream: OrderStream = { ...stream, messages: sentMessages };
  const deadLetters = deadLetterQueue ? await readDeadLetters(sqs.client, deadLetterQueue.url) : [];
  const tableItems = await scanTable(dynamo.client, pipeline.tableNames[0]!);
  const reconciliation = reconcile({
    stream: sentStream,
    tableItems,
    deadLetters,
    filtered: counters.filtered,
    functionLogs: logs,
    filterActive: pipeline.settings.filterPatterns > 0,
  });
  const report: RunReport = {
    environment: options.environment,
    settings: { ...pipeline.settings, visibilityTimeoutSeconds: pipeline.processor.queue.visibilityTimeoutSeconds },
    messages: stream.messages.length,
    sendFailures,
    invocations: invocationTimes.length,
    outcomes,
    retries: counters.retried,
    coldStarts: pipeline.containers.coldStarts,
    injectedFaults: faults.failedCalls,
    wallMs,
    messagesPerSecond: (sentMessages.length * 1000) / wallMs,
    ...(firstPassMs !== undefined ? { firstPassMs, firstPassMessagesPerSecond: (sentMessages.length * 1000) / firstPassMs } : {}),
    batchMs: percentiles(invocationTimes),
    reconciliation,
    interrupted: stopped(),
    leftInQueue: final.queued + final.inFlight,
  };
  const activePipeline = pipeline;
  return {
    report,
    endpoints: {
      sqs: sqs.endpoint,
      dynamodb: dynamo.endpoint,
      queueUrl: queue.url,
      ...(deadLetterQueue ? { deadLetterQueueUrl: deadLetterQueue.url } : {}),
      tables: pipeline.tableNames,
    },
    resumePolling: () => activePipeline.start(),
    async close() {
      await activePipeline.close();
      await closeServers();
      await new Promise<void>((resolve) => (functionLog ? functionLog.end(resolve) : resolve()));
    },
  };
}
