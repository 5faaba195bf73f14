/**
 * The policy checks on a large plan: a for_each'd pipeline (queue, DLQ, redrive, queue policy, function,
 * log group, mapping, two alarms per key) planned by real terraform for one key, then copied to 1,000,
 * 4,200 and 10,000 resources. Each plan is checked in a fresh process: time and peak memory.
 *
 *   npm run bench:policy [-- --resources 10000] [-- --runs 3] [-- --no-write]
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deterministicZip } from "../../functions/runtime/bundle/zip.js";
import { providerMirror, terraform } from "../../review/terraform.js";
import { type Goal, goalCell } from "../support/goal.js";
import { runHeader } from "../support/machine.js";
import { isMain, numberOption, writesReadme } from "../support/options.js";
import { writeReadmeBlocks } from "../support/readme.js";
import { Report } from "../support/report.js";
import { median } from "../support/stats.js";
import { scalePlan, withUnknownQueueKeys } from "./scale.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORK = path.join(HERE, "..", ".work", "policy");
const GOAL_SECONDS = 5;
const GOAL_PEAK_MIB = 1024;
/** The plan size the issue reported (84 s, then out of memory, before per-instance linking). */
const ISSUE_RESOURCES = 4200;
const MIB = 1024 * 1024;

interface Measurement {
  readonly parseSeconds: number;
  readonly checkSeconds: number;
  readonly findings: number;
  readonly blocking: number;
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
}

interface Row {
  readonly label: string;
  readonly resources: number;
  readonly keys: number;
  readonly bytes: number;
  readonly runs: readonly Measurement[];
}

/** `terraform show -json` of the template, planned offline in a scratch copy. */
async function planTemplate(): Promise<string> {
  const dir = path.join(WORK, "template");
  cpSync(path.join(HERE, "template"), dir, { recursive: true });
  writeFileSync(
    path.join(dir, "handler.zip"),
    deterministicZip({ "index.js": new TextEncoder().encode("exports.handler = async () => ({});\n") }),
  );
  const mirror = providerMirror();
  await terraform(dir, ["init", "-input=false", "-no-color", ...(mirror ? [`-plugin-dir=${mirror}`] : [])]);
  await terraform(dir, ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"]);
  return terraform(dir, ["show", "-json", "plan.bin"]);
}

function measure(file: string): Measurement {
  const out = execFileSync(process.execPath, ["--import", "tsx", path.join(HERE, "measure.ts"), file], {
    encoding: "utf8",
    maxBuffer: 16 * MIB,
  });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "") as Measurement;
}

function measureRow(label: string, plan: unknown, keys: number, runs: number): Row {
  const file = path.join(WORK, `${label.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.json`);
  writeFileSync(file, JSON.stringify(plan));
  const resources = (plan as { resource_changes: unknown[] }).resource_changes.length;
  const measured = Array.from({ length: runs }, () => measure(file));
  return { label, resources, keys, bytes: statSync(file).size, runs: measured };
}

export async function runPolicyBench(resources: number, runs: number, options: { write: boolean }): Promise<Goal[]> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  try {
    const template = await planTemplate();
    const sizes = [...new Set([1000, ISSUE_RESOURCES, resources])]
      .filter((size) => size <= resources)
      .sort((a, b) => a - b);
    const rows = sizes.map((size) => {
      const { plan, keys } = scalePlan(template, size);
      return measureRow(`${size.toLocaleString("en-US")} resources`, plan, keys, runs);
    });
    const { plan, keys } = scalePlan(template, resources);
    const worst = measureRow(
      `${resources.toLocaleString("en-US")} resources, every mapping's queue key unknown`,
      withUnknownQueueKeys(plan),
      keys,
      runs,
    );

    const main = rows.at(-1);
    if (main === undefined) throw new Error("no plan size was measured");
    const seconds = median(main.runs.map((run) => run.checkSeconds));
    const peakMib = Math.max(...main.runs.map((run) => run.peakRssBytes)) / MIB;
    const fast: Goal = {
      name: `policy checks of ${main.resources.toLocaleString("en-US")} resources <= ${GOAL_SECONDS} s`,
      met: seconds <= GOAL_SECONDS,
      detail: `${seconds.toFixed(2)} <= ${GOAL_SECONDS} s`,
    };
    const small: Goal = {
      name: `policy checks of ${main.resources.toLocaleString("en-US")} resources peak RSS <= ${GOAL_PEAK_MIB} MiB`,
      met: peakMib <= GOAL_PEAK_MIB,
      detail: `${peakMib.toFixed(0)} <= ${GOAL_PEAK_MIB.toLocaleString("en-US")} MiB`,
    };

    const report = new Report();
    report.text(runHeader(`\`--resources ${resources} --runs ${runs}\``));
    report.text(
      `\`checkPlan\` on a for_each'd pipeline (${keys.toLocaleString("en-US")} keys x queue, DLQ, redrive, queue policy, function, log group, mapping, 2 alarms; ` +
        `one IAM role and policy), planned by terraform for one key and copied: each plan checked in a fresh process, ${runs} runs. ` +
        `Seconds: median (min-max); peak RSS: the process's highest resident memory (node and tsx included: the baseline column), MiB. ` +
        `Goals: at most ${GOAL_SECONDS} s and ${GOAL_PEAK_MIB.toLocaleString("en-US")} MiB at ${resources.toLocaleString("en-US")} resources.`,
    );
    const cells = (row: Row, goal: string) => {
      const checks = row.runs.map((run) => run.checkSeconds);
      const check = median(checks);
      const first = row.runs[0];
      return [
        row.label,
        (row.bytes / MIB).toFixed(1),
        median(row.runs.map((run) => run.parseSeconds)).toFixed(2),
        `${check.toFixed(2)} (${Math.min(...checks).toFixed(2)}-${Math.max(...checks).toFixed(2)})`,
        ((check / row.resources) * 1e6).toFixed(0),
        (Math.max(...row.runs.map((run) => run.peakRssBytes)) / MIB).toFixed(0),
        ((first?.baselineRssBytes ?? 0) / MIB).toFixed(0),
        `${first?.findings ?? 0} (${first?.blocking ?? 0} blocking)`,
        goal,
      ];
    };
    report.table(
      [
        "plan",
        "plan JSON MiB",
        "parse s",
        "checkPlan s",
        "µs per resource",
        "peak RSS MiB",
        "baseline RSS MiB",
        "findings",
        "goal",
      ],
      [
        ...rows.map((row) => cells(row, row === main ? `${goalCell(fast)}; ${goalCell(small)}` : "")),
        cells(worst, "(for reference)"),
      ],
    );
    if (options.write) writeReadmeBlocks({ policy: report.markdown });
    return [fast, small];
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  await runPolicyBench(numberOption("resources", 10_000), numberOption("runs", 3), { write: writesReadme() });
}
