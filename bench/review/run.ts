/**
 * `npm run review` of this project's own three environments (dev, staging, prod; prod's batch size
 * changed), timed end to end, and its terraform runs counted by a logging `terraform` first on PATH.
 *
 *   npm run bench:review [-- --runs 3] [-- --no-write]
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { countingTerraform, type TerraformInvocation } from "../support/counting-terraform.js";
import { type Goal, goalCell } from "../support/goal.js";
import { runHeader } from "../support/machine.js";
import { isMain, numberOption, writesReadme } from "../support/options.js";
import { writeReadmeBlocks } from "../support/readme.js";
import { Report } from "../support/report.js";
import { changeProdBatchSize, ownStacksRepository, startReview } from "../support/review-repository.js";
import { spread } from "../support/stats.js";

const WORK = path.join(process.cwd(), "bench", ".work", "review");
const ENVIRONMENTS = ["dev", "staging", "prod"];
/** What issue 11 measured before: about a minute, five plans per environment. */
const BASELINE = { seconds: 60, plansPerEnvironment: 5 };
const GOAL = { seconds: 25, plansPerEnvironment: 2 };

interface Run {
  readonly seconds: number;
  readonly status: number | null;
  readonly invocations: readonly TerraformInvocation[];
}

/** The environment of a run in the review's `<scratch>/plans/<environment>/{base,head}`, if any. */
function environmentOf(invocation: TerraformInvocation): string | undefined {
  const parts = invocation.dir.split(path.sep);
  return parts.at(-3) === "plans" ? parts.at(-2) : undefined;
}

/** The most runs of `command` any one environment had. */
function perEnvironment(run: Run, command: string): number {
  return Math.max(
    ...ENVIRONMENTS.map(
      (environment) =>
        run.invocations.filter((call) => environmentOf(call) === environment && call.command === command).length,
    ),
  );
}

async function reviewOnce(repo: string, index: number): Promise<Run> {
  const terraform = countingTerraform(path.join(WORK, `terraform-${index}`));
  const started = performance.now();
  const { status, report } = await startReview(repo, terraform.env).finished;
  const seconds = (performance.now() - started) / 1000;
  for (const environment of ENVIRONMENTS) {
    if (!report.includes(`## ${environment}: `)) throw new Error(`the review's report has no ${environment} section`);
  }
  return { seconds, status, invocations: terraform.invocations() };
}

export async function runReviewBench(runs: number, options: { write: boolean }): Promise<Goal[]> {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  try {
    const repo = ownStacksRepository("all", WORK);
    changeProdBatchSize(repo);
    const header = runHeader(`\`--runs ${runs}\``);
    const measured: Run[] = [];
    for (let index = 0; index < runs; index++) measured.push(await reviewOnce(repo, index));

    const seconds = spread(measured.map((run) => run.seconds));
    const plans = Math.max(...measured.map((run) => perEnvironment(run, "plan")));
    const shows = Math.max(...measured.map((run) => perEnvironment(run, "show")));
    const inits = Math.max(...measured.map((run) => perEnvironment(run, "init")));
    const fast: Goal = {
      name: `review of 3 environments <= ${GOAL.seconds} s`,
      met: seconds.median <= GOAL.seconds,
      detail: `${seconds.median.toFixed(1)} <= ${GOAL.seconds} s`,
    };
    const few: Goal = {
      name: `review of 3 environments <= ${GOAL.plansPerEnvironment} terraform plans per environment`,
      met: plans <= GOAL.plansPerEnvironment,
      detail: `${plans} <= ${GOAL.plansPerEnvironment}`,
    };

    const report = new Report();
    report.text(header);
    report.text(
      `\`npm run review -- --base HEAD~1\` of this project's stacks (dev, staging, prod; the change: prod's batch size 10 -> 20), ` +
        `no AWS credentials, ${runs} runs one after another. Terraform runs counted by a logging \`terraform\` first on PATH; ` +
        `per environment: the most any environment had. Exit status ${[...new Set(measured.map((run) => run.status))].join(", ")}.`,
    );
    report.table(
      [
        "",
        "seconds: median (min-max)",
        "terraform plan per env",
        "terraform show per env",
        "terraform init per env",
        "goal",
      ],
      [
        ["before (issue 11)", `~${BASELINE.seconds}`, String(BASELINE.plansPerEnvironment), "", "", ""],
        ["goal", `${GOAL.seconds}`, String(GOAL.plansPerEnvironment), "", "", ""],
        [
          "measured",
          `${seconds.median.toFixed(1)} (${seconds.min.toFixed(1)}-${seconds.max.toFixed(1)})`,
          String(plans),
          String(shows),
          String(inits),
          `${goalCell(fast)}; ${goalCell(few)}`,
        ],
      ],
    );
    if (options.write) writeReadmeBlocks({ review: report.markdown });
    return [fast, few];
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  await runReviewBench(numberOption("runs", 3), { write: writesReadme() });
}
