import { setTimeout as sleep } from "node:timers/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { sendMessages } from "../../functions/runtime/index.js";
import { createLocalPipeline, type LocalPipeline } from "../pipeline/local-pipeline.js";
import { readSynthesizedStack } from "../pipeline/synthesized-stack.js";
import { startFaultProxy } from "../servers/fault-proxy.js";
import { LOCAL_CREDENTIALS, startLocalDynamo, startLocalSqs } from "../servers/local-servers.js";
import { readAlerts, readArchive } from "./archive-inspection.js";
import { generateOrderStream, type OrderStream } from "./order-stream.js";
import { percentiles } from "./percentiles.js";
import { reconcile } from "./reconcile.js";
import { readDeadLetters, scanTable } from "./run-inspection.js";
import { createRunObserver } from "./run-observer.js";
import { ProgressTracker } from "./run-progress.js";
import type { LocalRun, LocalRunOptions, RunControls, RunReport } from "./run-types.js";
import { failFirstDeliveryOf } from "./transient-faults.js";

export type { RunProgress } from "./run-progress.js";
export type { LocalRun, LocalRunOptions, RunReport } from "./run-types.js";

/**
 * One local run of a synthesized stack: fauxqs and dynalite on 127.0.0.1, the stack's queues and
 * table, its function behind a local event source mapping, a generated order stream sent through
 * the producer (a share of orders has its first table write failed by a fault proxy), then every
 * message reconciled against the table, the dead-letter queue and the function's logs.
 */
export async function runLocal(options: LocalRunOptions): Promise<LocalRun> {
  const stack = readSynthesizedStack(options.outdir ?? "cdktf.out", options.environment);
  // Checked before any server starts: the reconciliation reads the orders back from this table.
  const ordersTable = stack.tables[0];
  if (!ordersTable) throw new Error(`stack ${stack.name} has no DynamoDB table to reconcile the orders against`);
  const started = performance.now();
  const sqs = await startLocalSqs({ region: stack.region });
  // The table is the busiest server: in its own process it gets a core instead of sharing the poller's.
  const dynamo = await startLocalDynamo({ region: stack.region, ownProcess: true });
  // Each proxy costs a hop per call: they sit in the function's path only when a run injects faults.
  const injectFaults =
    (options.injectTransientFaults !== false && options.transientShare > 0) || options.scenario !== undefined;
  const tableProxy = injectFaults ? await startFaultProxy(dynamo.endpoint) : undefined;
  const sqsProxy = injectFaults ? await startFaultProxy(sqs.endpoint) : undefined;
  // Archive mode: the archiver's S3 calls go through a proxy of their own, for scenarios that fail them.
  const s3Proxy = injectFaults && stack.archivers.length > 0 ? await startFaultProxy(sqs.endpoint) : undefined;
  const s3 = new S3Client({
    endpoint: sqs.endpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const closeServers = () => {
    s3.destroy();
    return Promise.all([tableProxy?.close(), sqsProxy?.close(), s3Proxy?.close(), sqs.stop(), dynamo.stop()]);
  };
  const observer = createRunObserver(options.functionLogFile);
  const { counters } = observer;
  const outputListeners: ((line: string) => void)[] = [];
  let pipeline: LocalPipeline | undefined;
  try {
    pipeline = await createLocalPipeline({
      stack,
      sqs,
      dynamo,
      ...(tableProxy && sqsProxy
        ? {
            functionEndpoints: {
              dynamo: tableProxy.endpoint,
              sqs: sqsProxy.endpoint,
              ...(s3Proxy ? { s3: s3Proxy.endpoint } : {}),
            },
          }
        : {}),
      // The reconciliation reads the function's outcome lines, which are logged at INFO.
      environment: { LOG_LEVEL: "INFO" },
      ...(options.overrides ? { overrides: options.overrides } : {}),
      onFunctionOutput: (line) => {
        observer.onFunctionOutput(line);
        for (const listener of outputListeners) listener(line);
      },
      onInvocation: observer.onInvocation,
      onFiltered: observer.onFiltered,
      // Into the same log file; the archiver's lines name no correlation id, so they feed no outcome.
      onArchiverOutput: (line) => observer.onFunctionOutput(line),
    });
  } catch (error) {
    await closeServers();
    await observer.close();
    throw error;
  }
  const createdPipeline = pipeline;
  // Whatever fails from here (a server gone, a scan refused), the containers, their folders and the
  // servers are closed before the error goes up: the caller gets no run to close.
  try {
    const { queue, deadLetterQueue } = pipeline;
    const stream = generateOrderStream({
      count: options.count,
      poisonShare: options.poisonShare,
      transientShare: options.transientShare,
      seed: options.seed ?? 1,
      fifo: pipeline.processor.queue.fifo,
    });
    const faults = failFirstDeliveryOf(stream.transientOrders);
    if (options.injectTransientFaults !== false) tableProxy?.setRule(faults.rule);

    let sent = 0;
    const sentMessages: OrderStream["messages"][number][] = [];
    let sendFailures = 0;
    const activePipeline = pipeline;
    const tracker = new ProgressTracker({
      sqs: sqs.client,
      queueUrl: queue.url,
      ...(deadLetterQueue ? { deadLetterQueueUrl: deadLetterQueue.url } : {}),
      total: stream.messages.length,
      started,
      counters,
      sent: () => sent,
      invocationsInFlight: () => activePipeline.invocationsInFlight,
    });

    pipeline.start();
    const progressTimer = setInterval(() => {
      void tracker.snapshot(true).then(
        (progress) => options.onProgress?.(progress),
        () => undefined,
      );
    }, options.progressIntervalMs ?? 500);
    const stopped = () => options.signal?.aborted === true;
    const runScenario = (scenario: NonNullable<LocalRunOptions["scenario"]>) => {
      // Invariant: a scenario always sets injectFaults above, so both proxies are in the function's path.
      if (!tableProxy || !sqsProxy) throw new Error("a scenario needs the fault proxies, which were not started");
      const controls: RunControls = {
        table: tableProxy,
        sqs: sqsProxy,
        ...(s3Proxy ? { s3: s3Proxy } : {}),
        pipeline: activePipeline,
        stream,
        progress: () => tracker.snapshot(),
        onFunctionOutput: (listener) => outputListeners.push(listener),
        async until(predicate) {
          for (;;) {
            const progress = await tracker.snapshot();
            if (predicate(progress) || stopped()) return progress;
            await sleep(50);
          }
        },
      };
      return scenario(controls);
    };
    try {
      const scenario = options.scenario && runScenario(options.scenario);
      // Slices keep the progress moving; the producer itself overlaps requests within a slice.
      const SLICE = 200;
      for (let start = 0; start < stream.messages.length && !stopped(); start += SLICE) {
        const slice = stream.messages.slice(start, start + SLICE);
        const results = await sendMessages(
          sqs.client,
          queue.url,
          slice.map((entry) => entry.message),
        );
        // sendMessages gives exactly one result per message, in order.
        slice.forEach((entry, index) => {
          if (results[index]?.status === "sent") sentMessages.push(entry);
          else sendFailures += 1;
        });
        sent += slice.length;
      }
      await scenario;
      const stallMs = options.stallTimeoutMs ?? 60_000;
      let settledTicks = 0;
      while (!stopped() && settledTicks < 2) {
        await sleep(200);
        const progress = await tracker.snapshot();
        // In archive mode the run settles once the archiver has also drained the dead-letter queue.
        const archiving =
          activePipeline.archiver !== undefined &&
          (progress.deadLettered > 0 || activePipeline.archiver.invocationsInFlight > 0);
        settledTicks = progress.queued + progress.inFlight === 0 && !archiving ? settledTicks + 1 : 0;
        if (tracker.idleMs() > stallMs) break;
      }
    } finally {
      clearInterval(progressTimer);
      await pipeline.stopPolling();
    }
    const wallMs = performance.now() - started;
    const final = await tracker.snapshot(true);
    options.onProgress?.(final);

    const sentStream: OrderStream = { ...stream, messages: sentMessages };
    const deadLetters = deadLetterQueue ? await readDeadLetters(sqs.client, deadLetterQueue.url) : [];
    const tableItems = await scanTable(dynamo.client, ordersTable.name);
    const { archiver } = pipeline;
    const archive = archiver
      ? {
          ...(await readArchive(s3, archiver.bucket, archiver.prefix)),
          ...(await readAlerts(sqs.client, archiver.alertsQueueUrl).then(({ alerts, deadLetters: alerted }) => ({
            alerts,
            alertedDeadLetters: alerted,
          }))),
        }
      : undefined;
    const reconciliation = reconcile({
      stream: sentStream,
      tableItems,
      deadLetters,
      filtered: counters.filtered,
      functionLogs: observer.outcomeLogs,
      filterActive: pipeline.settings.filterPatterns > 0,
      ...(archive ? { archive } : {}),
    });
    const report: RunReport = {
      environment: options.environment,
      settings: { ...pipeline.settings, visibilityTimeoutSeconds: pipeline.processor.queue.visibilityTimeoutSeconds },
      messages: stream.messages.length,
      sendFailures,
      invocations: observer.invocationTimes.length,
      outcomes: { ...observer.outcomes },
      retries: counters.retried,
      coldStarts: pipeline.containers.coldStarts,
      injectedFaults: faults.failedCalls,
      wallMs,
      messagesPerSecond: (sentMessages.length * 1000) / wallMs,
      ...(tracker.firstPassMs !== undefined
        ? {
            firstPassMs: tracker.firstPassMs,
            firstPassMessagesPerSecond: (sentMessages.length * 1000) / tracker.firstPassMs,
          }
        : {}),
      batchMs: percentiles(observer.invocationTimes),
      reconciliation,
      interrupted: stopped(),
      leftInQueue: final.queued + final.inFlight,
    };
    return {
      report,
      endpoints: {
        sqs: sqs.endpoint,
        dynamodb: dynamo.endpoint,
        queueUrl: queue.url,
        ...(deadLetterQueue ? { deadLetterQueueUrl: deadLetterQueue.url } : {}),
        tables: pipeline.tableNames,
        ...(archiver
          ? { archive: { bucket: archiver.bucket, prefix: archiver.prefix, topicArn: archiver.topicArn } }
          : {}),
      },
      resumePolling: () => activePipeline.start(),
      async close() {
        await activePipeline.close();
        await closeServers();
        await observer.close();
      },
    };
  } catch (error) {
    await createdPipeline.close();
    await closeServers();
    await observer.close();
    throw error;
  }
}
