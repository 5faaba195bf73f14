#!/usr/bin/env -S node --import tsx
/**
 * `npm run ops -- <verb> <env>`: the pipeline's operations command (status, dead letters, archive
 * replay, send). See the root README's "Operating the pipeline" and `npm run ops -- --help`.
 */
import path from "node:path";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { replayArchive } from "./archive-replay.js";
import { asInputError, createClients, type OpsClients } from "./aws-clients.js";
import { type OpsArguments, parseOpsArguments, USAGE } from "./cli-arguments.js";
import { formatPeek, peekDeadLetters } from "./dlq-peek.js";
import { moveDeadLetters } from "./message-mover.js";
import { runMoveTask } from "./move-task.js";
import { INPUT_ERROR_EXIT, OpsInputError } from "./ops-error.js";
import type { PipelineTarget } from "./pipeline-target.js";
import { RedriveJournal } from "./redrive-journal.js";
import { resolveTarget } from "./resolve-target.js";
import { readOrderEvents, sendOrderFile } from "./send-file.js";
import { renderStatus } from "./status.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const stop = new AbortController();
let stoppedBy: string | undefined;
for (const signal of Object.keys(SIGNAL_EXIT)) {
  process.on(signal, () => {
    // A second signal quits at once; the first lets the batch in hand finish and the journal say so.
    if (stoppedBy !== undefined) process.exit(SIGNAL_EXIT[signal]);
    stoppedBy = signal;
    process.stderr.write(`ops: ${signal}: finishing the batch in hand, then stopping (again to quit at once)\n`);
    stop.abort();
  });
}

process.exitCode = await main(process.argv.slice(2));

async function main(argv: readonly string[]): Promise<number> {
  let clients: OpsClients | undefined;
  try {
    const parsed = parseOpsArguments(argv);
    if (parsed === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    const target = await resolveTarget({
      environment: parsed.environment,
      outdir: parsed.outdir,
      ...(parsed.endpointUrl === undefined ? {} : { endpointUrl: parsed.endpointUrl }),
    });
    if (parsed.verb === "status") {
      process.stdout.write(await renderStatus(target, { json: parsed.json, hours: parsed.hours }));
      return 0;
    }
    clients = createClients(target);
    const code = await runVerb(parsed, target, clients);
    return stoppedBy === undefined ? code : (SIGNAL_EXIT[stoppedBy] ?? 130);
  } catch (error) {
    const input = error instanceof OpsInputError ? error : asInputError(error, "the command");
    if (input instanceof OpsInputError) {
      process.stderr.write(`ops: ${input.message.replace(/\s+/g, " ")}\n`);
      return INPUT_ERROR_EXIT;
    }
    process.stderr.write(`ops: failed: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  } finally {
    clients?.destroy();
  }
}

async function runVerb(args: OpsArguments, target: PipelineTarget, clients: OpsClients): Promise<number> {
  const fifo = await queueIsFifo(clients, target.queue);
  const dlqFifo = await queueIsFifo(clients, target.deadLetterQueue);
  const progress = (text: string) => process.stderr.write(`${text}\n`);
  switch (args.verb) {
    case "dlq peek": {
      const report = await peekDeadLetters(clients.sqs, target.deadLetterQueue, {
        holdSeconds: args.holdSeconds,
        max: args.max,
        ...(args.reason === undefined ? {} : { reason: args.reason }),
        signal: stop.signal,
      });
      process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatPeek(report));
      return 0;
    }
    case "dlq redrive":
      return redrive(args, target, clients, { fifo, dlqFifo }, progress);
    case "archive replay": {
      if (!target.archive) {
        throw new OpsInputError(
          `the ${target.environment} stack does not archive dead letters (retain mode): use dlq redrive`,
        );
      }
      const report = await replayArchive(clients.s3, clients.sqs, {
        archive: target.archive,
        deadLetterQueueName: target.deadLetterQueue.name,
        to: { url: target.queue.url, fifo },
        ...(args.reason === undefined ? {} : { reason: args.reason }),
        ...(args.since ? { since: args.since } : {}),
        ...(args.until ? { until: args.until } : {}),
        dryRun: args.dryRun,
        signal: stop.signal,
        onProgress: (done, total) => progress(`read ${done}/${total} archived objects`),
      }).catch((error: unknown) => {
        throw asInputError(error, `the archive s3://${target.archive?.bucket}/${target.archive?.prefix}`);
      });
      const verb = args.dryRun ? "would replay" : "replayed";
      const reasons = Object.entries(report.byReason)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(", ");
      process.stdout.write(
        `${verb} ${args.dryRun ? report.matched : report.replayed} of ${report.matched} matching archived dead letters (${report.listed} listed)` +
          `${reasons ? ` [${reasons}]` : ""} to ${target.queue.name}\n`,
      );
      for (const { key, reason } of report.failed) process.stdout.write(`not replayed: ${key}: ${reason}\n`);
      for (const { key, reason } of report.unreadable)
        process.stdout.write(`unreadable, not replayed: ${key}: ${reason}\n`);
      if (report.interrupted) process.stdout.write("interrupted: the objects not yet read were not replayed\n");
      return report.failed.length + report.unreadable.length > 0 ? 1 : 0;
    }
    case "send": {
      const events = readOrderEvents(String(args.file));
      const report = await sendOrderFile(clients.sqs, { url: target.queue.url, fifo }, events, {
        signal: stop.signal,
        onProgress: (done, total) => progress(`sent ${done}/${total}`),
      });
      process.stdout.write(`sent ${report.sent} of ${report.total} order events to ${target.queue.name}\n`);
      for (const { line, reason } of report.failed) process.stdout.write(`not sent: line ${line}: ${reason}\n`);
      if (report.notAttempted > 0)
        process.stdout.write(`interrupted: ${report.notAttempted} events not sent (the last lines)\n`);
      return report.failed.length > 0 || report.notAttempted > 0 ? 1 : 0;
    }
    default:
      throw new Error(`unhandled verb ${args.verb}`);
  }
}

async function redrive(
  args: OpsArguments,
  target: PipelineTarget,
  clients: OpsClients,
  queues: { fifo: boolean; dlqFifo: boolean },
  progress: (text: string) => void,
): Promise<number> {
  if (args.dryRun) {
    const report = await peekDeadLetters(clients.sqs, target.deadLetterQueue, {
      holdSeconds: args.holdSeconds,
      max: 100_000,
      ...(args.reason === undefined ? {} : { reason: args.reason }),
      signal: stop.signal,
    });
    const reasons = report.groups.map((group) => `${group.reason} ${group.count}`).join(", ");
    process.stdout.write(
      `dry run: would move ${report.read} dead letters${reasons ? ` [${reasons}]` : ""} from ${target.deadLetterQueue.name} to ${target.queue.name}; nothing moved\n`,
    );
    return 0;
  }
  const moveTaskPossible = target.endpoint === undefined && !queues.dlqFifo && args.reason === undefined;
  if (args.method === "move-task" && !moveTaskPossible) {
    throw new OpsInputError(
      "--method move-task needs AWS (no --endpoint-url), a standard dead-letter queue and no --reason",
    );
  }
  if (args.method !== "mover" && moveTaskPossible) {
    const report = await runMoveTask(clients.sqs, {
      deadLetterQueueArn: target.deadLetterQueue.arn,
      sourceQueueArn: target.queue.arn,
      pollSeconds: 5,
      signal: stop.signal,
      onProgress: (moved, toMove) => progress(`moved ${moved}${toMove === undefined ? "" : `/${toMove}`}`),
    });
    process.stdout.write(
      `message move task ${report.status}: ${report.moved} moved from ${target.deadLetterQueue.name} to ${target.queue.name}` +
        `${report.failureReason ? ` (${report.failureReason})` : ""}\n`,
    );
    if (report.status === "RUNNING") {
      process.stdout.write(
        `the task goes on in SQS; cancel it with: aws sqs cancel-message-move-task --task-handle ${report.taskHandle}\n`,
      );
    }
    return report.status === "COMPLETED" || report.status === "RUNNING" ? 0 : 1;
  }
  const journalFile = path.resolve(
    args.journal ?? path.join(".ops", `${target.environment}-${target.deadLetterQueue.name}.redrive.jsonl`),
  );
  const journal = RedriveJournal.open(journalFile);
  try {
    const report = await moveDeadLetters(clients.sqs, {
      from: { url: target.deadLetterQueue.url, fifo: queues.dlqFifo },
      to: { url: target.queue.url, fifo: queues.fifo },
      journal,
      ...(args.reason === undefined ? {} : { reason: args.reason }),
      holdSeconds: args.holdSeconds,
      signal: stop.signal,
      onProgress: (state) => progress(`moved ${state.moved + state.finishedFromEarlierRun}`),
    });
    const skipped = Object.entries(report.skipped)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(", ");
    const lines = [
      `${report.interrupted ? "interrupted: " : ""}moved ${report.moved} dead letters from ${target.deadLetterQueue.name} to ${target.queue.name}`,
      ...(report.finishedFromEarlierRun > 0
        ? [`finished ${report.finishedFromEarlierRun} an earlier run had sent (deleted now, not sent again)`]
        : []),
      ...(report.resentAfterInterruptedSend > 0
        ? [
            `sent again ${report.resentAfterInterruptedSend} whose send an earlier run was killed during (may be delivered twice)`,
          ]
        : []),
      ...(skipped ? [`left in the dead-letter queue (other reasons): ${skipped}`] : []),
      ...(report.arrivedDuringRun > 0
        ? [`arrived during this run, left in the dead-letter queue for the next one: ${report.arrivedDuringRun}`]
        : []),
      ...report.failed.map((failure) => `not moved: ${failure.messageId}: ${failure.reason}`),
      ...(report.sentNotDeleted > 0
        ? [`sent but not yet deleted: ${report.sentNotDeleted} (the next run deletes them without sending them again)`]
        : []),
      ...(report.interrupted ? [`run the same command again to resume (journal ${journalFile})`] : []),
      ...(await heldElsewhere(clients, target.deadLetterQueue.url, report.interrupted)),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return report.failed.length > 0 || report.sentNotDeleted > 0 ? 1 : 0;
  } finally {
    journal.close();
  }
}

/**
 * Dead letters still hidden when the run ends: received by a killed earlier run (or another reader) and
 * back after their visibility timeout; the user should know that "done" left them.
 */
async function heldElsewhere(clients: OpsClients, queueUrl: string, interrupted: boolean): Promise<string[]> {
  if (interrupted) return [];
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }),
  );
  const hidden = Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  return hidden > 0
    ? [
        `${hidden} dead letters are in flight (hidden by another reader, or a killed run for up to --hold-seconds): run again once they are visible`,
      ]
    : [];
}

async function queueIsFifo(clients: OpsClients, queue: { url: string; name: string }): Promise<boolean> {
  try {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ["FifoQueue"] }),
    );
    return Attributes?.FifoQueue === "true";
  } catch (error) {
    throw asInputError(error, `queue ${queue.name}`);
  }
}
