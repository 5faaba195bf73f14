import { setTimeout as sleep } from "node:timers/promises";
import { runLocal } from "../run/local-run.js";
import type { ProxiedRequest } from "../servers/fault-proxy.js";
import {
  linesSaying,
  oneCopyPerOriginal,
  reconcileAgain,
  reliabilitySizes,
  runWithInspection,
  type ScenarioOptions,
  type ScenarioReport,
  streamOf,
} from "./run-support.js";
import { DEV, FAST_RETRY, FAST_RETRY_TIMEOUT_SECONDS, synthesizeReliabilityStacks } from "./stacks.js";

/** The mix: 5% poison, 5% of messages in orders whose first table write fails once. */
export const LOAD_SHARES = { poisonShare: 0.05, transientShare: 0.05 } as const;

export interface LoadReport extends ScenarioReport {
  readonly poison: {
    /** Poison messages in the stream. */
    readonly sent: number;
    /** Those the dev filter lets through, which must reach the DLQ with their reason. */
    readonly passingFilter: number;
    /** In the DLQ with the reason they were expected to get. */
    readonly deadLettered: number;
    /** Deleted by the mapping's filter without an invocation. */
    readonly filtered: number;
  };
  readonly transient: { readonly orders: number; readonly messages: number };
}

/**
 * Load: N orders through the dev stack with 5% poison and 5% transient failures. Every message must
 * end applied exactly once (the table equal to the state computed from the stream alone) or in the
 * DLQ with its reason (or removed by dev's filter); `reconciliation.ok` says so.
 */
export async function loadScenario(options: ScenarioOptions = {}): Promise<LoadReport> {
  const settings = { count: options.count ?? reliabilitySizes().load, ...LOAD_SHARES, seed: options.seed ?? 1 };
  const run = await runLocal({
    environment: DEV,
    outdir: options.outdir ?? synthesizeReliabilityStacks(),
    ...settings,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  await run.close();
  const stream = streamOf(settings);
  const poison = stream.messages.filter((message) => message.kind === "poison");
  const { report } = run;
  return {
    ...report,
    scenario: "load",
    poison: {
      sent: poison.length,
      passingFilter: poison.filter((message) => message.passesFilter).length,
      deadLettered: report.reconciliation.deadLetteredWithReason,
      filtered: report.reconciliation.filtered,
    },
    transient: {
      orders: stream.transientOrders.size,
      messages: stream.messages.filter((message) => stream.transientOrders.has(message.orderId)).length,
    },
  };
}

/**
 * How long the table stays down. Under the 2.5 s a failed record waits at least before its retry
 * (backoff: 5 s base, half of it jitter), so no message meets the outage twice: with dev's
 * maxReceiveCount of 3, a message failing three deliveries would be redriven without a reason.
 */
export const TABLE_OUTAGE_MS = 2000;

export interface TableOutageReport extends ScenarioReport {
  readonly outage: {
    readonly durationMs: number;
    /** Records processed when the table went down. */
    readonly processedBefore: number;
    /** Records returned to the queue while the table was down. */
    readonly retriedDuring: number;
    /** The function's "record failed, will retry" lines with reason table-unavailable. */
    readonly tableUnavailableFailures: number;
    /** Distinct messages that failed so, and of those, how many were later applied or ignored. */
    readonly failedMessages: number;
    readonly appliedAfterRecovery: number;
  };
  /** Dead letters without a dlq-reason: redriven by SQS after maxReceiveCount, not dead-lettered by the function. */
  readonly redrivenWithoutReason: number;
}

/**
 * Fault (a): DynamoDB stopped mid-run, then restarted. Once a quarter of the stream is processed the
 * table goes down (connections refused, as a stopped server) for TABLE_OUTAGE_MS. Records fail as
 * transient, back off, and are applied after recovery; poison still reaches the DLQ with its reason;
 * no valid message is redriven. No faults are injected besides the outage, so it is the only
 * retry cause besides early updates.
 */
export async function tableOutageScenario(options: ScenarioOptions = {}): Promise<TableOutageReport> {
  const settings = {
    count: options.count ?? reliabilitySizes().faults,
    poisonShare: 0.05,
    transientShare: 0,
    seed: options.seed ?? 2,
  };
  let outage = { durationMs: 0, processedBefore: 0, retriedDuring: 0 };
  const { report, inspection, logs } = await runWithInspection({
    environment: DEV,
    ...settings,
    injectTransientFaults: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    scenario: async (controls) => {
      const threshold = Math.max(10, Math.round(controls.stream.messages.length / 4));
      const before = await controls.until((progress) => progress.processed >= threshold);
      await controls.table.goDown();
      const downAt = performance.now();
      await sleep(TABLE_OUTAGE_MS);
      await controls.table.comeBack();
      const after = await controls.progress();
      outage = {
        durationMs: performance.now() - downAt,
        processedBefore: before.processed,
        retriedDuring: after.retried - before.retried,
      };
    },
  });
  const failures = linesSaying(logs, "record failed, will retry", "table-unavailable");
  const failedIds = new Set(failures.map((line) => String(line.messageId)));
  const applied = new Set(
    logs
      .filter((line) => typeof line.correlationId === "string" && typeof line.orderId === "string")
      .map((line) => String(line.messageId)),
  );
  return {
    ...report,
    scenario: "table outage",
    outage: {
      ...outage,
      tableUnavailableFailures: failures.length,
      failedMessages: failedIds.size,
      appliedAfterRecovery: [...failedIds].filter((id) => applied.has(id)).length,
    },
    redrivenWithoutReason: inspection.deadLetters.filter((deadLetter) => deadLetter.reason === undefined).length,
  };
}

/**
 * How long the DLQ refuses sends at least, from the first refusal; it goes on until the function has
 * reported a poison message failed for it, at most DLQ_OUTAGE_LIMIT_MS. Both under the fast-retry
 * stack's 5 s visibility timeout, the wait of a poison message whose DLQ send failed: each meets the
 * outage once at most. (On a busy machine an invocation may be cut short by its deadline before the
 * SDK's third attempt fails; the outage then lasts until one is not.)
 */
export const DLQ_OUTAGE_MS = 2500;
const DLQ_OUTAGE_LIMIT_MS = 4500;
const NOT_DEAD_LETTERED = "poison message could not be dead-lettered; reporting it failed";

export interface DeadLetterOutageReport extends ScenarioReport {
  readonly outage: {
    readonly durationMs: number;
    /** SendMessage calls to the DLQ the proxy refused (the SDK tries each send 3 times). */
    readonly sendsRefused: number;
    /** Poison messages reported failed (not acknowledged) because their DLQ copy could not be sent. */
    readonly poisonNotAcknowledged: number;
    /** Of those, how many a later delivery dead-lettered. */
    readonly deadLetteredOnRetry: number;
  };
  readonly redrivenWithoutReason: number;
}

/**
 * Fault (b): the DLQ unreachable when poison arrives. From the start, the function's SendMessage
 * calls to the DLQ fail (503, as an unreachable endpoint behind a load balancer) for DLQ_OUTAGE_MS
 * after the first refusal, and on until the function reported poison failed. Poison is reported failed instead of acknowledged, comes back after the
 * queue's visibility timeout, and reaches the DLQ with its reason once it is reachable. Runs on
 * dev-fast-retry: on dev that wait is 181 s.
 */
export async function deadLetterQueueOutageScenario(options: ScenarioOptions = {}): Promise<DeadLetterOutageReport> {
  const settings = { count: options.count ?? reliabilitySizes().faults, ...LOAD_SHARES, seed: options.seed ?? 3 };
  let outage = { durationMs: 0, sendsRefused: 0 };
  const { report, inspection, logs } = await runWithInspection({
    environment: FAST_RETRY,
    ...settings,
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    scenario: async (controls) => {
      const deadLetterQueueUrl = controls.pipeline.deadLetterQueue?.url;
      if (!deadLetterQueueUrl) throw new Error("the stack has no dead-letter queue");
      let refusing = true;
      let firstRefusal: number | undefined;
      let refused = 0;
      controls.sqs.setRule(({ target, body }: ProxiedRequest) => {
        if (
          !refusing ||
          target !== "AmazonSQS.SendMessage" ||
          (body as { QueueUrl?: unknown } | undefined)?.QueueUrl !== deadLetterQueueUrl
        )
          return "pass";
        firstRefusal ??= performance.now();
        refused += 1;
        return "fail";
      });
      let reportedFailed = false;
      controls.onFunctionOutput((line) => {
        if (line.includes(NOT_DEAD_LETTERED)) reportedFailed = true;
      });
      await controls.until(
        (progress) => firstRefusal !== undefined || progress.processed + progress.filtered >= progress.total,
      );
      if (firstRefusal !== undefined) {
        const since = firstRefusal;
        await sleep(Math.max(0, DLQ_OUTAGE_MS - (performance.now() - since)));
        await controls.until(() => reportedFailed || performance.now() - since >= DLQ_OUTAGE_LIMIT_MS);
      }
      refusing = false;
      outage = { durationMs: firstRefusal === undefined ? 0 : performance.now() - firstRefusal, sendsRefused: refused };
    },
  });
  const notAcknowledged = new Set(linesSaying(logs, NOT_DEAD_LETTERED).map((line) => String(line.messageId)));
  const deadLettered = new Set(
    linesSaying(logs, "poison message sent to the dead-letter queue").map((line) => String(line.messageId)),
  );
  return {
    ...report,
    scenario: "DLQ outage",
    outage: {
      ...outage,
      poisonNotAcknowledged: notAcknowledged.size,
      deadLetteredOnRetry: [...notAcknowledged].filter((id) => deadLettered.has(id)).length,
    },
    redrivenWithoutReason: inspection.deadLetters.filter((deadLetter) => deadLetter.reason === undefined).length,
  };
}

export interface FunctionTimeoutReport extends ScenarioReport {
  readonly slow: {
    /** Orders whose create's first write answers after the function timeout (the write itself is applied at once). */
    readonly orders: number;
    readonly delayedWrites: number;
    /** Visibility changes of abandoned records held past the timeout (each such invocation is killed). */
    readonly delayedReports: number;
    /** Slow orders whose create, delivered again, found the order there ("already exists, create ignored"). */
    readonly createsFoundApplied: number;
  };
  /** Invocations that timed out: their container was killed and their whole batch returned to the queue. */
  readonly killed: number;
  /** Further DLQ copies of a poison message whose killed invocation had already dead-lettered it. */
  readonly extraDeadLetterCopies: number;
}

/**
 * Fault (c): invocations that run past the function timeout. The first write of a few orders'
 * creates is applied at once but answered only after the timeout: the runtime abandons the record
 * at its deadline (timeout minus the margin), and the visibility change that reports it is held
 * past the timeout too, so the invocation overruns and the container is killed, as Lambda kills
 * one. The batch comes back after the visibility timeout and is processed again: the creates
 * already applied are found there and ignored, every effect happens once. Runs on dev-fast-retry
 * (3 s timeout, 5 s visibility): on dev a killed batch waits 181 s.
 */
export async function functionTimeoutScenario(options: ScenarioOptions = {}): Promise<FunctionTimeoutReport> {
  const settings = {
    count: options.count ?? reliabilitySizes().faults,
    poisonShare: 0.05,
    transientShare: 0,
    seed: options.seed ?? 4,
  };
  const stream = streamOf(settings);
  const slowOrders = chooseSlowOrders(stream.messages, Math.max(3, Math.round(settings.count / 150)));
  const delayedOrders = new Set<string>();
  let delayedReports = 0;
  const timeoutMs = FAST_RETRY_TIMEOUT_SECONDS * 1000;
  const { report, inspection, logs } = await runWithInspection({
    environment: FAST_RETRY,
    ...settings,
    injectTransientFaults: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    scenario: async (controls) => {
      controls.table.setRule(({ target, body }) => {
        if (!target.endsWith(".PutItem")) return "pass";
        const orderId = (body as { Item?: { pk?: { S?: string } } } | undefined)?.Item?.pk?.S?.replace(/^ORDER#/, "");
        if (orderId === undefined || !slowOrders.has(orderId) || delayedOrders.has(orderId)) return "pass";
        delayedOrders.add(orderId);
        // Applied now, answered a second after the timeout: the function cannot know it succeeded.
        return { delayMs: timeoutMs + 1000, phase: "response" };
      });
      controls.sqs.setRule(({ target, body }) => {
        const entries = (body as { Entries?: { VisibilityTimeout?: number }[] } | undefined)?.Entries ?? [];
        // Only records abandoned at the deadline are made visible at once (0 s); transient failures back off.
        if (
          target !== "AmazonSQS.ChangeMessageVisibilityBatch" ||
          !entries.some((entry) => entry.VisibilityTimeout === 0)
        )
          return "pass";
        // One held report per slow write: a batch cut short by a slow machine (a late cold start)
        // must not be killed too, or its other messages would pile up receives towards the redrive.
        if (delayedReports >= delayedOrders.size) return "pass";
        delayedReports += 1;
        return { delayMs: timeoutMs };
      });
    },
  });
  const copies = oneCopyPerOriginal(inspection.deadLetters);
  const reconciliation = reconcileAgain({
    stream,
    inspection,
    deadLetters: copies.unique,
    logs,
    filtered: report.reconciliation.filtered,
    filterActive: true,
  });
  const slowCreates = new Set(
    stream.messages.filter((m) => m.kind === "create" && slowOrders.has(m.orderId)).map((m) => m.correlationId),
  );
  const foundApplied = new Set(
    linesSaying(logs, "order already exists, create ignored")
      .filter((line) => slowCreates.has(line.correlationId as string))
      .map((line) => line.orderId),
  );
  return {
    ...report,
    scenario: "function timeout",
    reconciliation,
    slow: {
      orders: slowOrders.size,
      delayedWrites: delayedOrders.size,
      delayedReports,
      createsFoundApplied: foundApplied.size,
    },
    // The local mapping counts a killed invocation as "timeout" or "error", whichever of its own
    // timer and the container's kill (FunctionTimeoutError) fires first; nothing else fails whole
    // invocations here.
    killed: report.outcomes.timeout + report.outcomes.error,
    extraDeadLetterCopies: copies.extraCopies,
  };
}

/**
 * Orders for the timeout scenario: spread over the last three quarters of the stream (the rules are
 * in place by then), none with an early update (one whose retries already depend on its create).
 */
function chooseSlowOrders(messages: ReturnType<typeof streamOf>["messages"], count: number): Set<string> {
  const early = new Set(messages.filter((m) => m.kind === "early-update").map((m) => m.orderId));
  const creates = messages
    .slice(Math.floor(messages.length / 4))
    .filter((m) => m.kind === "create" && !early.has(m.orderId));
  const step = Math.max(1, Math.floor(creates.length / count));
  const chosen = new Set<string>();
  for (let index = 0; index < creates.length && chosen.size < count; index += step) {
    const create = creates[index];
    if (create) chosen.add(create.orderId);
  }
  return chosen;
}

/**
 * A function timeout at or under the runtime's deadline margin (2 s by default): the construct
 * allows 1-900 s. Runs dev-fast-retry with the mapping's timeout at 1 s.
 */
export async function shortTimeoutScenario(options: ScenarioOptions = {}): Promise<ScenarioReport> {
  const run = await runLocal({
    environment: FAST_RETRY,
    outdir: options.outdir ?? synthesizeReliabilityStacks(),
    count: options.count ?? 100,
    poisonShare: 0.05,
    transientShare: 0,
    seed: options.seed ?? 5,
    overrides: { functionTimeoutSeconds: 1 },
    stallTimeoutMs: 20_000,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  await run.close();
  return { ...run.report, scenario: "1 s function timeout" };
}
