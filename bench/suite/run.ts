/**
 * The wall time of the whole `npm test` (tsc, then vitest), the median of a few runs, with the slowest
 * test files by vitest's own durations, and what each run left in the system temp folder.
 *
 *   npm run bench:suite [-- --runs 3] [-- --command "npx vitest run test/functions/runtime"] [-- --no-write]
 *
 * `--command` replaces the measured command (to try the benchmark on a part of the suite); vitest's
 * JSON reporter flags are appended to it (after `--` for an npm script). The time goal is judged only
 * on `npm test` itself.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { type Goal, goalCell } from "../support/goal.js";
import { runHeader } from "../support/machine.js";
import { isMain, numberOption, stringOption, writesReadme } from "../support/options.js";
import { writeReadmeBlocks } from "../support/readme.js";
import { Report } from "../support/report.js";
import { spread } from "../support/stats.js";
import { describeLeftovers, watchTemp } from "./temp-entries.js";
import { type FileDuration, readVitestJson } from "./vitest-json.js";

const SUITE_COMMAND = "npm test";
const GOAL_SECONDS = 180;
/** Issue #9's figures before the suite was reworked, measured from a fresh clone on this machine. */
const BEFORE = { seconds: 352, files: 45, tempEntries: "47 (42 `cdktf.outdir.*`, 5 `qp-reliability-synth-*`)" };
const SLOWEST = 10;

interface SuiteRun {
  readonly seconds: number;
  readonly tests: number;
  readonly files: readonly FileDuration[];
  /** New entries in the system temp folder after the run. */
  readonly leftovers: readonly string[];
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** One run of the command with vitest's JSON report written into the work folder, then removed. */
function runOnce(command: string, project: string, workDir: string, index: number): SuiteRun {
  const jsonFile = path.join(workDir, `vitest-${index}.json`);
  const logFile = path.join(workDir, `run-${index}.log`);
  const flags = `--reporter=json --outputFile=${shellQuote(jsonFile)}`;
  const invocation = /^npm (run )?[\w:-]+$/.test(command) ? `${command} -- ${flags}` : `${command} ${flags}`;
  const temp = watchTemp();
  const log = openSync(logFile, "w");
  const start = performance.now();
  const run = spawnSync(invocation, { cwd: project, shell: true, stdio: ["ignore", log, log] });
  const seconds = (performance.now() - start) / 1000;
  closeSync(log);
  const leftovers = temp.finish();
  try {
    if (run.error) throw run.error;
    if (run.status !== 0) {
      throw new Error(
        `\`${invocation}\` failed (exit ${run.status ?? run.signal}); the end of its output:\n` +
          readFileSync(logFile, "utf8").slice(-4000),
      );
    }
    const report = readVitestJson(jsonFile, project);
    if (!report.success) throw new Error(`\`${invocation}\` exited 0 but vitest's report says it did not succeed`);
    return { seconds, tests: report.tests, files: report.files, leftovers };
  } finally {
    rmSync(jsonFile, { force: true });
    rmSync(logFile, { force: true });
  }
}

/** The files with the longest median duration over the runs. */
function slowestFiles(runs: readonly SuiteRun[]): { file: string; tests: number; ms: number[] }[] {
  const byFile = new Map<string, { file: string; tests: number; ms: number[] }>();
  for (const run of runs) {
    for (const { file, tests, ms } of run.files) {
      const entry = byFile.get(file) ?? { file, tests, ms: [] };
      entry.ms.push(ms);
      byFile.set(file, entry);
    }
  }
  return [...byFile.values()]
    .sort((a, b) => spread(b.ms).median - spread(a.ms).median || a.file.localeCompare(b.file))
    .slice(0, SLOWEST);
}

export function runSuiteBench(runs: number, options: { write: boolean; command?: string }): Goal[] {
  const project = process.cwd();
  const command = options.command ?? SUITE_COMMAND;
  const standIn = command !== SUITE_COMMAND;
  const workDir = path.join(project, "bench", ".work", "suite");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  try {
    const report = new Report();
    report.text(runHeader(`\`--runs ${runs}\`${standIn ? `, \`--command "${command}"\` (a stand-in)` : ""}`));
    const results: SuiteRun[] = [];
    for (let index = 0; index < runs; index++) {
      const result = runOnce(command, project, workDir, index);
      console.log(
        `run ${index + 1}/${runs}: ${result.seconds.toFixed(1)} s, ${result.files.length} files, ${result.tests} tests, ` +
          `${result.leftovers.length} new entries in the temp folder`,
      );
      results.push(result);
    }

    const wall = spread(results.map((result) => result.seconds));
    const left = spread(results.map((result) => result.leftovers.length));
    const fast: Goal = {
      name: `\`${SUITE_COMMAND}\` at most ${GOAL_SECONDS} s`,
      met: wall.median <= GOAL_SECONDS,
      detail: `${wall.median.toFixed(1)} <= ${GOAL_SECONDS} s`,
    };
    const clean: Goal = {
      name: "no new entries in the system temp folder after a run",
      met: left.max === 0,
      detail: `${left.max} after the worst run`,
    };
    const last = results.at(-1);
    report.text(
      `\`${command}\` (${last?.files.length ?? 0} files, ${last?.tests ?? 0} tests), ${runs} runs one after another. ` +
        "Temp entries: names in `os.tmpdir()` after a run that were not there before it, Node's compile cache " +
        "aside; another process writing there meanwhile counts too.",
    );
    report.table(
      ["measure", "median", "min", "max", `before (issue #9, ${BEFORE.files} files)`, "goal"],
      [
        [
          `\`${command}\` wall time, s`,
          wall.median.toFixed(1),
          wall.min.toFixed(1),
          wall.max.toFixed(1),
          standIn ? "" : `${BEFORE.seconds} s`,
          standIn ? `not judged: a stand-in, not \`${SUITE_COMMAND}\`` : goalCell(fast),
        ],
        [
          "new entries in the system temp folder",
          String(left.median),
          String(left.min),
          String(left.max),
          standIn ? "" : BEFORE.tempEntries,
          goalCell(clean),
        ],
      ],
    );
    const leftovers = results.flatMap((result) => result.leftovers);
    if (leftovers.length > 0)
      report.text(`New in the temp folder over the ${runs} runs: ${describeLeftovers(leftovers)}.`);
    report.text(`The ${SLOWEST} slowest files by vitest's own duration (tests and hooks of the file), s:`);
    report.table(
      ["file", "tests", "median", "min", "max"],
      slowestFiles(results).map(({ file, tests, ms }) => {
        const seconds = spread(ms.map((value) => value / 1000));
        return [file, String(tests), seconds.median.toFixed(1), seconds.min.toFixed(1), seconds.max.toFixed(1)];
      }),
    );
    if (options.write) writeReadmeBlocks({ suite: report.markdown });
    return standIn ? [clean] : [fast, clean];
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const command = stringOption("command");
  runSuiteBench(numberOption("runs", 3), { write: writesReadme(), ...(command ? { command } : {}) });
}
