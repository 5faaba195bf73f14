import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type LocalRun, type LocalRunOptions, type RunProgress, type RunReport, runLocal } from "../run/local-run.js";
import { generateOrderStream, type OrderStream } from "../run/order-stream.js";
import { type Reconciliation, reconcile } from "../run/reconcile.js";
import { type DeadLetter, readDeadLetters, scanTable } from "../run/run-inspection.js";
import { LOCAL_CREDENTIALS } from "../servers/local-servers.js";
import { synthesizeReliabilityStacks } from "./stacks.js";

/**
 * Message counts of the suite. `npm test` (CI) runs the defaults; the bench runs full size with
 * RELIABILITY_COUNT=10000. The fault scenarios take a fifth of the load (at least 200, at most
 * 2,000) unless RELIABILITY_FAULT_COUNT says otherwise.
 */
export interface ReliabilitySizes {
  /** The load scenario's messages; RELIABILITY_COUNT, default 1,000. */
  readonly load: number;
  /** Each fault scenario's messages; RELIABILITY_FAULT_COUNT, default load / 5 within 200-2,000. */
  readonly faults: number;
}

/**
 * A hundred batches, some fifty poison messages and some fifty in orders whose first write fails:
 * every path of the claim, many times over, at a size `npm test` can afford. The count itself is the
 * bench's subject (10,000), not the suite's.
 */
export const DEFAULT_LOAD_COUNT = 1000;

/** A test's timeout for a scenario of `count` messages: vitest's 120 s at CI size, more at full size. */
export const timeoutFor = (count: number): number => Math.max(120_000, count * 30);

export function reliabilitySizes(env: Readonly<Record<string, string | undefined>> = process.env): ReliabilitySizes {
  const load = positiveInteger(env, "RELIABILITY_COUNT") ?? DEFAULT_LOAD_COUNT;
  const faults = positiveInteger(env, "RELIABILITY_FAULT_COUNT") ?? Math.min(2000, Math.max(200, Math.round(load / 5)));
  return { load, faults };
}

function positiveInteger(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1_000_000) {
    throw new RangeError(`${name} must be a whole number from 1 to 1000000 (got ${JSON.stringify(env[name])})`);
  }
  return Number(raw);
}

/** What every scenario takes. */
export interface ScenarioOptions {
  /** Messages in the generated order stream (the edge scenario adds its own cases to it). */
  readonly count?: number;
  /** Seed of the order stream; default 1. */
  readonly seed?: number;
  /** Folder with the synthesized dev and dev-fast-retry stacks; default a fresh synth (see stacks.ts). */
  readonly outdir?: string;
  readonly onProgress?: (progress: RunProgress) => void;
}

/** A run's report as runLocal gives it, named after its scenario. */
export interface ScenarioReport extends RunReport {
  readonly scenario: string;
}

/** One line of figures per scenario: what the test output and the bench print. */
export function formatFigures(report: ScenarioReport): string {
  const r = report.reconciliation;
  const seconds = report.wallMs / 1000;
  return (
    `[reliability] ${report.scenario} (${report.environment}): ${report.messages} messages, lost ${r.lost}, ` +
    `duplicated effects ${r.duplicatedEffects}, DLQ'd ${r.deadLettered}, retries ${report.retries}, ` +
    `wall ${seconds.toFixed(1)} s, ${report.messagesPerSecond.toFixed(1)} msg/s`
  );
}

/** One of the function's JSON log lines. */
export type LogLine = Record<string, unknown> & {
  readonly message?: unknown;
  readonly messageId?: unknown;
  readonly correlationId?: unknown;
};

/** The JSON lines of a log (the function's output), skipping anything else it printed. */
export function parseLogLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // Not a JSON line after all.
    }
  }
  return lines;
}

/** The lines the reconciliation reads: those naming a correlation id (the same filter runLocal applies). */
const reconcilableLines = (lines: readonly LogLine[]) => lines.filter((line) => typeof line.correlationId === "string");

/** What a scenario looked at while the servers were still up. */
export interface RunInspection {
  readonly deadLetters: DeadLetter[];
  readonly tableItems: Awaited<ReturnType<typeof scanTable>>;
}

/**
 * Runs runLocal with the function's output in a temporary file, reads the dead-letter queue and the
 * table before the servers stop, and hands back the report, what was read and the function's log.
 */
export async function runWithInspection(
  options: Omit<LocalRunOptions, "functionLogFile" | "outdir"> & { readonly outdir?: string },
): Promise<{ report: RunReport; inspection: RunInspection; logs: LogLine[]; endpoints: LocalRun["endpoints"] }> {
  const folder = mkdtempSync(path.join(tmpdir(), "qp-reliability-run-"));
  const functionLogFile = path.join(folder, "function.log");
  try {
    const run = await runLocal({
      ...options,
      outdir: options.outdir ?? synthesizeReliabilityStacks(),
      functionLogFile,
    });
    let inspection: RunInspection;
    try {
      const { sqs, deadLetterQueueUrl, dynamodb, tables } = run.endpoints;
      const [table] = tables;
      if (!table) throw new Error("the reliability stack defines no table to inspect");
      inspection = await inspect(sqs, deadLetterQueueUrl, dynamodb, table);
    } finally {
      await run.close();
    }
    return {
      report: run.report,
      inspection,
      logs: parseLogLines(readFileSync(functionLogFile, "utf8")),
      endpoints: run.endpoints,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

async function inspect(
  sqsEndpoint: string,
  deadLetterQueueUrl: string | undefined,
  dynamoEndpoint: string,
  tableName: string,
): Promise<RunInspection> {
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  try {
    return {
      deadLetters: deadLetterQueueUrl ? await readDeadLetters(sqs, deadLetterQueueUrl) : [],
      tableItems: await scanTable(dynamo, tableName),
    };
  } finally {
    sqs.destroy();
    dynamo.destroy();
  }
}

/** The stream runLocal generated for these options (it is deterministic), for checks of its own. */
export function streamOf(
  options: Pick<LocalRunOptions, "count" | "poisonShare" | "transientShare" | "seed">,
  fifo = false,
): OrderStream {
  return generateOrderStream({
    count: options.count,
    poisonShare: options.poisonShare,
    transientShare: options.transientShare,
    seed: options.seed ?? 1,
    fifo,
  });
}

/** The original message id a dead letter's `dlq-details` name, if it has them. */
function originalMessageId(deadLetter: DeadLetter): string | undefined {
  if (deadLetter.details === undefined) return undefined;
  try {
    const { messageId } = JSON.parse(deadLetter.details) as { messageId?: unknown };
    return typeof messageId === "string" ? messageId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Dead letters with one copy per original message. A poison message whose invocation is cut short
 * after its dead-letter copy was sent (a killed container, a killed consumer) is delivered again and
 * dead-lettered again: standard queues have no deduplication, so the copies share the original's
 * message id in `dlq-details`, which is how an operator (and this) tells them apart.
 */
export function oneCopyPerOriginal(deadLetters: readonly DeadLetter[]): { unique: DeadLetter[]; extraCopies: number } {
  const seen = new Set<string>();
  const unique: DeadLetter[] = [];
  for (const deadLetter of deadLetters) {
    const key = originalMessageId(deadLetter) ?? `body:${deadLetter.body}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(deadLetter);
  }
  return { unique, extraCopies: deadLetters.length - unique.length };
}

/** The reconciliation of a run's stream against what a scenario read, dead letters given explicitly. */
export function reconcileAgain(input: {
  readonly stream: OrderStream;
  readonly inspection: RunInspection;
  readonly deadLetters: readonly DeadLetter[];
  readonly logs: readonly LogLine[];
  readonly filtered: number;
  readonly filterActive: boolean;
}): Reconciliation {
  return reconcile({
    stream: input.stream,
    tableItems: input.inspection.tableItems,
    deadLetters: input.deadLetters,
    filtered: input.filtered,
    functionLogs: reconcilableLines(input.logs),
    filterActive: input.filterActive,
  });
}

/** Log lines saying `message`, optionally only those whose error carries `reason`. */
export function linesSaying(logs: readonly LogLine[], message: string, reason?: string): LogLine[] {
  return logs.filter(
    (line) =>
      line.message === message &&
      (reason === undefined || (line.error as { reason?: unknown } | undefined)?.reason === reason),
  );
}
