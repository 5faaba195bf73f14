/**
 * The whole local pipeline under load: end-to-end msg/s and batch times at 10,000 orders, beside what
 * each local server manages alone, and where the CPU goes; then the reliability scenarios at full size.
 *
 *   npm run bench:pipeline [-- --count 10000] [-- --fault-count 2000] [-- --no-write]
 */
import type { LocalPipelineOptions } from "../../local/pipeline/local-pipeline.js";
import { type RunReport, runLocal } from "../../local/run/local-run.js";
import { checkSynth, synthesize } from "../../local/synth-check.js";
import { type Goal, goalCell } from "../support/goal.js";
import { runHeader } from "../support/machine.js";
import { isMain, numberOption, writesReadme } from "../support/options.js";
import { writeReadmeBlocks } from "../support/readme.js";
import { Report } from "../support/report.js";
import { sqsAlone, tableAlone } from "./anchors.js";
import { type CpuTime, cpuTime } from "./cpu.js";
import { runReliabilityBench } from "./reliability.js";

const GOAL_MESSAGES_PER_SECOND = 1500;

interface PipelineCase {
  readonly name: string;
  readonly poisonShare: number;
  readonly transientShare: number;
  readonly overrides?: LocalPipelineOptions["overrides"];
}

const CASES: readonly PipelineCase[] = [
  { name: "pipeline, dev stack as synthesized (max concurrency 2)", poisonShare: 0, transientShare: 0 },
  {
    name: "pipeline, dev stack, max concurrency 4",
    poisonShare: 0,
    transientShare: 0,
    overrides: { maxConcurrency: 4 },
  },
];

export async function runPipelineBench(
  count: number,
  faultCount: number,
  options: { write: boolean },
): Promise<Goal[]> {
  const root = process.cwd();
  if (checkSynth(root, "dev").needed) await synthesize(root);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const report = new Report();
  report.text(runHeader(`\`--count ${count} --fault-count ${faultCount}\``));

  const rows: string[][] = [];
  const sqs = await measured(() => sqsAlone(count));
  rows.push([
    "anchor: fauxqs alone (send, receive, delete)",
    `${rate(sqs.result.operations, sqs.result.wallMs)} msg/s`,
    "",
    "",
    cpuPerMessage(sqs.cpu, count),
    "",
    "",
  ]);
  const table = await measured(() => tableAlone(count));
  rows.push([
    "anchor: dynalite alone (conditional puts, 10 in flight)",
    `${rate(table.result.operations, table.result.wallMs)} puts/s`,
    "",
    "",
    cpuPerMessage(table.cpu, count),
    "",
    "",
  ]);
  const endToEnd: number[] = [];
  for (const pipelineCase of CASES) {
    const { result: run, cpu } = await measured(() => runCase(pipelineCase, count));
    rows.push(pipelineRow(pipelineCase.name, run, cpu));
    endToEnd.push(endToEndRate(run));
  }
  const { load, loadCpu, goals } = await runReliabilityBench(count, faultCount, report);
  rows.push(pipelineRow("pipeline, dev stack, 5% poison + 5% transient (the suite's load)", load, loadCpu));
  endToEnd.push(endToEndRate(load));

  const best = Math.max(...endToEnd);
  const throughput: Goal = {
    name: `pipeline >= ${GOAL_MESSAGES_PER_SECOND.toLocaleString("en-US")} msg/s end to end`,
    met: best >= GOAL_MESSAGES_PER_SECOND,
    detail: `${Math.round(best).toLocaleString("en-US")} >= ${GOAL_MESSAGES_PER_SECOND.toLocaleString("en-US")} msg/s at best`,
  };
  report.text(
    `The whole local pipeline at ${count.toLocaleString("en-US")} orders, beside what each local server does alone. ` +
      '"First pass": until every message had been through the function once; "end to end" also waits out the ' +
      'retries\' backoff (5 s, doubling). "CPU ms per message" x msg/s shows how close a run is to using every core.',
  );
  report.table(
    [
      "run",
      "msg/s: first pass / end to end",
      "batch ms p50 / p90 / p99 / max",
      "invocations",
      "CPU ms per message (this process + children)",
      "lost / dup. effects / DLQ'd",
      "reconciled",
    ],
    rows,
  );
  report.text(
    `Goal: at least ${GOAL_MESSAGES_PER_SECOND.toLocaleString("en-US")} msg/s end to end: ${goalCell(throughput)}.`,
  );
  if (options.write) writeReadmeBlocks({ pipeline: report.markdown });
  return [...goals, throughput];
}

/** Messages that reached the queue per second of the whole run, retries included. */
function endToEndRate(run: RunReport): number {
  return ((run.messages - run.sendFailures) * 1000) / run.wallMs;
}

function pipelineRow(name: string, report: RunReport, cpu: CpuTime | undefined): string[] {
  const r = report.reconciliation;
  const sent = report.messages - report.sendFailures;
  return [
    name,
    `${report.firstPassMs !== undefined ? rate(sent, report.firstPassMs) : "n/a"} / ${rate(sent, report.wallMs)}`,
    `${ms(report.batchMs.p50)} / ${ms(report.batchMs.p90)} / ${ms(report.batchMs.p99)} / ${ms(report.batchMs.max)}`,
    String(report.invocations),
    cpuPerMessage(cpu, report.messages),
    `${r.lost} / ${r.duplicatedEffects} / ${r.deadLettered}`,
    r.ok ? "ok" : "NOT OK",
  ];
}

async function runCase(pipelineCase: PipelineCase, count: number): Promise<RunReport> {
  const run = await runLocal({
    environment: "dev",
    count,
    poisonShare: pipelineCase.poisonShare,
    transientShare: pipelineCase.transientShare,
    seed: 7,
    ...(pipelineCase.overrides ? { overrides: pipelineCase.overrides } : {}),
  });
  await run.close();
  return run.report;
}

async function measured<T>(work: () => Promise<T>): Promise<{ result: T; cpu: CpuTime | undefined }> {
  const before = cpuTime();
  const result = await work();
  const after = cpuTime();
  return {
    result,
    cpu: before && after ? { own: after.own - before.own, children: after.children - before.children } : undefined,
  };
}

function rate(operations: number, wallMs: number): string {
  return Math.round((operations * 1000) / wallMs).toLocaleString("en-US");
}

function ms(value: number): string {
  return value.toFixed(0);
}

function cpuPerMessage(cpu: CpuTime | undefined, messages: number): string {
  if (!cpu) return "n/a";
  return `${((cpu.own + cpu.children) / messages).toFixed(2)} (${(cpu.own / messages).toFixed(2)} + ${(cpu.children / messages).toFixed(2)})`;
}

if (isMain(import.meta.url)) {
  await runPipelineBench(numberOption("count", 10_000), numberOption("fault-count", 2000), { write: writesReadme() });
}
