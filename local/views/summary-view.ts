import type { BodyFilterPattern } from "../../functions/runtime/poller/index.js";
import type { LocalRun, RunReport } from "../run/local-run.js";
import { formatReconciliation } from "../run/reconcile.js";

/** What the summary says besides the report: where things came from and went. */
export interface SummaryContext {
  /** The stack file the resources and settings were read from. */
  readonly stackFile: string;
  /** The synthesized filter patterns (the report only counts them). */
  readonly filterPatterns?: readonly BodyFilterPattern[];
  readonly queueName?: string;
  readonly functionName?: string;
  readonly functionLogFile?: string;
  readonly poisonShare?: number;
  readonly transientShare?: number;
  readonly seed?: number;
}

const LABEL_WIDTH = 21;
const row = (label: string, value: string) => `  ${label.padEnd(LABEL_WIDTH)}${value}`;
const ms = (value: number) => `${Math.round(value)} ms`;
const seconds = (value: number) => `${Number(value.toFixed(3))} s`;

/** The settings the run used, its figures, the reconciliation and a one-line verdict. */
export function formatSummary(report: RunReport, context: SummaryContext): string {
  const r = report.reconciliation;
  const s = report.settings;
  const patterns = context.filterPatterns;
  const filters =
    s.filterPatterns === 0
      ? "none (every message reaches the function)"
      : patterns && patterns.length === s.filterPatterns
        ? patterns.map((pattern) => JSON.stringify(pattern)).join(" or ")
        : `${s.filterPatterns}`;
  const reasons = Object.entries(r.deadLetterReasons)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
  const outcomes = Object.entries(report.outcomes)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(", ");
  const mix = [
    context.poisonShare !== undefined ? `${percent(context.poisonShare)} poison` : undefined,
    context.transientShare !== undefined
      ? `${percent(context.transientShare)} in orders whose first table write fails`
      : undefined,
    context.seed !== undefined ? `seed ${context.seed}` : undefined,
  ].filter((part) => part !== undefined);
  const sent = r.sent;
  const title = [
    `Local run of ${report.environment}`,
    context.queueName && context.functionName ? ` (${context.queueName} -> ${context.functionName})` : "",
    report.interrupted ? ", interrupted" : "",
  ].join("");

  const lines = [
    title,
    "",
    `Settings (from ${context.stackFile})`,
    row("batch size", `${s.batchSize}`),
    row("batching window", seconds(s.maxBatchingWindowSeconds)),
    row("maximum concurrency", `${s.maxConcurrency}`),
    row("function timeout", seconds(s.functionTimeoutSeconds)),
    row("visibility timeout", seconds(s.visibilityTimeoutSeconds)),
    row("maxReceiveCount", s.maxReceiveCount === undefined ? "none (no dead-letter queue)" : `${s.maxReceiveCount}`),
    row("filter patterns", filters),
    "",
    "Figures",
    row(
      "messages",
      `${sent}${sent === report.messages ? "" : ` of ${report.messages}`} sent` +
        `${report.sendFailures > 0 ? `, ${report.sendFailures} failed to send` : ""}${mix.length > 0 ? ` (${mix.join(", ")})` : ""}`,
    ),
    row(
      "lost",
      `${r.lost}${report.leftInQueue > 0 ? ` (${report.leftInQueue} still in the work queue${report.interrupted ? " when interrupted" : ""})` : ""}`,
    ),
    row("duplicated effects", `${r.duplicatedEffects}`),
    row("dead-lettered", `${r.deadLettered}${reasons ? ` (${reasons})` : ""}`),
    ...(r.archive
      ? [
          row(
            "archived",
            `${r.archive.archived} in the local S3 bucket, ${r.archive.leftInDeadLetterQueue} left in the DLQ; ${r.archive.alerts} alerts counting ${r.archive.alertedDeadLetters}`,
          ),
        ]
      : []),
    row("filtered", `${r.filtered}${s.filterPatterns > 0 ? " (deleted by the mapping's filter, never invoked)" : ""}`),
    row(
      "retries",
      `${report.retries} records returned to the queue (the fault proxy refused ${report.injectedFaults} table calls)`,
    ),
    row("invocations", `${report.invocations}${outcomes ? ` (${outcomes})` : ""}`),
    row("cold starts", `${report.coldStarts}`),
    row("wall time", `${(report.wallMs / 1000).toFixed(1)} s`),
    row(
      "throughput",
      `${Math.round(report.messagesPerSecond)} msg/s (messages sent / wall time, retry backoff included)`,
    ),
    ...(report.firstPassMs !== undefined && report.firstPassMessagesPerSecond !== undefined
      ? [
          row(
            "first pass",
            `${(report.firstPassMs / 1000).toFixed(1)} s, ${Math.round(report.firstPassMessagesPerSecond)} msg/s (until every message had been through the function once)`,
          ),
        ]
      : []),
    row(
      "batch time",
      report.batchMs.count === 0
        ? "no invocations"
        : `p50 ${ms(report.batchMs.p50)}, p90 ${ms(report.batchMs.p90)}, p99 ${ms(report.batchMs.p99)}, max ${ms(report.batchMs.max)}`,
    ),
    ...(context.functionLogFile ? [row("function log", context.functionLogFile)] : []),
    "",
    report.interrupted
      ? "Reconciliation (of a partial run: what was still queued counts as lost, its orders as mismatches)"
      : "Reconciliation",
    ...formatReconciliation(r)
      .split("\n")
      .map((line) => `  ${line}`),
    "",
    verdict(report),
  ];
  return lines.join("\n");
}

/** One line: PASS, FAIL with what failed, or INTERRUPTED (no verdict on a partial run). */
export function verdict(report: RunReport): string {
  const r = report.reconciliation;
  if (report.interrupted) {
    return (
      `INTERRUPTED: ${r.sent} of ${report.messages} messages were sent` +
      `${report.leftInQueue > 0 ? `, ${report.leftInQueue} were still in the work queue` : ""}; ` +
      "the figures cover the part that ran and are no verdict."
    );
  }
  if (r.ok) {
    return (
      `PASS: all ${r.sent} messages accounted for (${r.applied} applied, ${r.deadLetteredWithReason} dead-lettered with their reason, ` +
      `${r.filtered} filtered${r.archive ? `; every dead letter archived once and alerted` : ""}): none lost, no effect applied twice, the table holds exactly the ${r.expectedOrders} expected orders.` +
      `${report.sendFailures > 0 ? ` ${report.sendFailures} messages failed to send and are not part of it.` : ""}`
    );
  }
  const problems = [
    r.lost > 0 ? `${r.lost} lost` : undefined,
    r.duplicatedEffects > 0 ? `${r.duplicatedEffects} effects applied twice` : undefined,
    r.stateMismatchCount > 0 ? `${r.stateMismatchCount} table mismatches` : undefined,
    r.unexpectedDeadLetters.length > 0 ? `${r.unexpectedDeadLetters.length} unexpected dead letters` : undefined,
    r.wrongReasons.length > 0 ? `${r.wrongReasons.length} dead-lettered with the wrong reason` : undefined,
    r.filtered !== r.filteredExpected ? `${r.filtered} filtered where ${r.filteredExpected} were expected` : undefined,
    r.archive && r.archive.leftInDeadLetterQueue > 0
      ? `${r.archive.leftInDeadLetterQueue} dead letters the archiver did not take`
      : undefined,
    r.archive && r.archive.unreadable.length > 0
      ? `${r.archive.unreadable.length} unreadable archive objects`
      : undefined,
    r.archive && r.archive.alertedDeadLetters !== r.archive.archived
      ? `alerts count ${r.archive.alertedDeadLetters} dead letters where ${r.archive.archived} were archived`
      : undefined,
  ].filter((problem) => problem !== undefined);
  return `FAIL: ${problems.length > 0 ? problems.join(", ") : "the reconciliation found a difference"} (details above).`;
}

/** Exit status: 0 when every message is accounted for, 1 when not, 130 after an interruption (the CLI gives 143 for SIGTERM). */
export function exitCodeOf(report: RunReport): number {
  if (report.interrupted) return 130;
  return report.reconciliation.ok ? 0 : 1;
}

/** The --keep text: endpoints, and commands to look around with one's own tools. */
export function formatEndpoints(endpoints: LocalRun["endpoints"], region: string): string {
  const sqs = `aws --endpoint-url ${endpoints.sqs} --region ${region} sqs`;
  const dynamodb = `aws --endpoint-url ${endpoints.dynamodb} --region ${region} dynamodb`;
  const table = endpoints.tables[0];
  const lines = [
    "The servers stay up until Ctrl-C, and the function keeps polling the queue: what you send is processed (its log goes on in the function log).",
    "",
    row("SQS endpoint", endpoints.sqs),
    row("DynamoDB endpoint", endpoints.dynamodb),
    row("queue URL", endpoints.queueUrl),
    ...(endpoints.deadLetterQueueUrl ? [row("DLQ URL", endpoints.deadLetterQueueUrl)] : []),
    row(endpoints.tables.length === 1 ? "table" : "tables", endpoints.tables.join(", ")),
    ...(endpoints.archive
      ? [
          row("archive", `s3://${endpoints.archive.bucket}/${endpoints.archive.prefix} (S3 on the SQS endpoint)`),
          row("alert topic", endpoints.archive.topicArn),
        ]
      : []),
    "",
    "Any region and credentials work, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local:",
    "",
    ...(endpoints.deadLetterQueueUrl
      ? [
          `  ${sqs} receive-message --queue-url ${endpoints.deadLetterQueueUrl} --max-number-of-messages 10 --visibility-timeout 0 --message-attribute-names All`,
        ]
      : []),
    ...(endpoints.archive
      ? [
          `  aws --endpoint-url ${endpoints.sqs} --region ${region} s3 ls --recursive s3://${endpoints.archive.bucket}/${endpoints.archive.prefix}`,
        ]
      : []),
    `  ${sqs} get-queue-attributes --queue-url ${endpoints.queueUrl} --attribute-names All`,
    `  ${sqs} send-message --queue-url ${endpoints.queueUrl} --message-body '{"type":"order_created"}'`,
    ...(table
      ? [
          `  ${dynamodb} scan --table-name ${table} --max-items 5`,
          `  ${dynamodb} get-item --table-name ${table} --key '{"pk":{"S":"ORDER#order-000001"},"sk":{"S":"METADATA"}}'`,
        ]
      : []),
  ];
  return lines.join("\n");
}

function percent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}
