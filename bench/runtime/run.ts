/**
 * The runtime library (functions/runtime) beside Powertools for AWS Lambda 2.35 and the seeds' hand-written
 * loop: batch time with I/O (standard and FIFO), CPU per record, bundle size, cold `require` time and
 * bounded concurrency, one table each with its goal, each written into its block of bench/README.md.
 *
 *   npm run bench:runtime [-- --runs 5] [-- --no-write]
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { type Goal, goalsSummary } from "../support/goal.js";
import { runHeader } from "../support/machine.js";
import { isMain, numberOption, writesReadme } from "../support/options.js";
import { writeReadmeBlocks } from "../support/readme.js";
import { Report } from "../support/report.js";
import { bundleSizeBench } from "./bundle-size.js";
import { bundleHandlers, loadImplementations, SDK_PACKAGINGS, type Workspace } from "./bundles.js";
import { coldRequireBench } from "./cold-require.js";
import { concurrencyCapBench } from "./concurrency-cap.js";
import { cpuPerRecordBench } from "./cpu-per-record.js";
import { lambdaContext } from "./events.js";
import { ioLatencyBench } from "./io-latency.js";

export async function runRuntimeBench(runs: number, options: { write: boolean }): Promise<Goal[]> {
  const project = process.cwd();
  const workspace: Workspace = { project, dir: path.join(project, "bench", ".work", "runtime") };
  rmSync(workspace.dir, { recursive: true, force: true });
  mkdirSync(workspace.dir, { recursive: true });
  try {
    const context = lambdaContext();
    const header = new Report();
    header.text(runHeader(`\`--runs ${runs}\``));
    const implementations = loadImplementations(workspace);

    const io = new Report();
    const cpu = new Report();
    const size = new Report();
    const cold = new Report();
    const concurrency = new Report();
    const goals: Goal[] = [];
    goals.push(...(await ioLatencyBench(implementations, runs * 4, context, io)));
    goals.push(...(await cpuPerRecordBench(implementations, Math.max(5, runs * 2), context, cpu)));
    const packagings = SDK_PACKAGINGS.map((packaging) => ({
      packaging,
      handlers: bundleHandlers(workspace, packaging),
    }));
    goals.push(...bundleSizeBench(packagings, size));
    goals.push(...coldRequireBench(packagings, runs * 6, workspace.dir, cold));
    goals.push(...(await concurrencyCapBench(implementations, Math.max(3, Math.ceil(runs / 2)), context, concurrency)));
    console.log(`\nbench/runtime: ${goalsSummary(goals)}`);

    if (options.write) {
      writeReadmeBlocks({
        runtime: header.markdown,
        "runtime-io": io.markdown,
        "runtime-cpu": cpu.markdown,
        "runtime-size": size.markdown,
        "runtime-require": cold.markdown,
        "runtime-concurrency": concurrency.markdown,
      });
    }
    return goals;
  } finally {
    rmSync(workspace.dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  await runRuntimeBench(numberOption("runs", 5), { write: writesReadme() });
}
