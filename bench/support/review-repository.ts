import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withoutAwsCredentials } from "../../review/credentials.js";

const PROJECT = process.cwd();
const FIXTURE = path.join(PROJECT, "test", "fixtures", "review-repo");

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export function commitAll(repo: string, message: string): void {
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", message);
}

function editStack(
  repo: string,
  environment: string,
  edit: (stack: { resource: Record<string, Record<string, Record<string, unknown>>> }) => void,
) {
  const file = path.join(repo, "stacks", environment, "cdk.tf.json");
  const stack = JSON.parse(readFileSync(file, "utf8"));
  edit(stack);
  writeFileSync(file, JSON.stringify(stack, null, 2));
}

/** What the stack's metadata says a QueueProcessor derived. */
type Derived = { derived: Record<string, { value: number }> };

/**
 * A team's repository with two commits: the base, and the change under review (dev: batch size,
 * timeout, a new alarm, the DLQ removed; prod: the table renamed). With `staging`, the base also has a
 * staging stack (dev's, renamed) that the change leaves as it is: three environments.
 */
export function repositoryWithChange(parent: string, options: { readonly staging?: boolean } = {}): string {
  const repo = fixtureRepository(parent);
  if (options.staging) addStagingStack(repo);

  editStack(repo, "dev", (stack) => {
    stack.resource.aws_lambda_event_source_mapping!.worker!.batch_size = 25;
    stack.resource.aws_lambda_event_source_mapping!.worker!.maximum_batching_window_in_seconds = 1;
    stack.resource.aws_cloudwatch_metric_alarm!.queue_depth = {
      alarm_name: "fixture-dev-queue-depth",
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "${aws_sqs_queue.work.name}" },
      statistic: "Average",
      period: 300,
      evaluation_periods: 2,
      threshold: 100,
      comparison_operator: "GreaterThanThreshold",
    };
    // The function timeout doubles, and with it the derived visibility timeout.
    stack.resource.aws_lambda_function!.worker!.timeout = 60;
    stack.resource.aws_sqs_queue!.work!.visibility_timeout_seconds = 361;
    const metadata = (stack as unknown as { "//": { queue_processors: Record<string, Derived> } })["//"];
    metadata.queue_processors["fixture-dev"]!.derived["queue.visibilityTimeoutSeconds"]!.value = 361;
    // The DLQ goes, with its redrive and its alarm.
    delete stack.resource.aws_sqs_queue!.dlq;
    delete stack.resource.aws_sqs_queue_redrive_policy;
    delete stack.resource.aws_cloudwatch_metric_alarm!.dlq_not_empty;
  });
  editStack(repo, "prod", (stack) => {
    stack.resource.aws_dynamodb_table!.orders!.name = "fixture-orders-v2";
  });
  commitAll(repo, "change under review");
  return repo;
}

/** Adds a staging stack, dev's with its names renamed, to the base commit. */
function addStagingStack(repo: string): void {
  const dev = readFileSync(path.join(repo, "stacks", "dev", "cdk.tf.json"), "utf8");
  mkdirSync(path.join(repo, "stacks", "staging"));
  writeFileSync(path.join(repo, "stacks", "staging", "cdk.tf.json"), dev.replaceAll("fixture-dev", "fixture-staging"));
  git(repo, "add", "stacks/staging");
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--amend", "--no-edit");
}

/**
 * A team's repository (test/fixtures/review-repo) with one commit, the base, in `parent` (a temporary
 * folder the caller removes: the tests' tempDir, the bench's work folder).
 */
export function fixtureRepository(parent: string): string {
  const repo = path.join(parent, "team-stacks");
  cpSync(FIXTURE, repo, { recursive: true });
  // The review runs from the team's repository with this project's tools, found through node_modules.
  execFileSync("ln", ["-s", path.join(PROJECT, "node_modules"), path.join(repo, "node_modules")]);
  git(repo, "init", "-q", "-b", "main");
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", "package.json", "synth.mjs", "stacks");
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base");
  return repo;
}

/** What this project's `npm run synth` reads: the app, its configuration, the construct and the functions. */
const SYNTH_SOURCES = [
  "main.ts",
  ".npmrc",
  "config",
  "stacks",
  "modules",
  "functions",
  "scripts",
  "package.json",
  "tsconfig.json",
  "cdktf.json",
];

/**
 * This project's own stacks as a team's repository, with one commit, the base: its committed sources in
 * a temporary folder (or `parent`), whose `npm run synth` is ours, keeping only `environment`'s stack
 * (the review plans every stack the synth writes, with terraform several times each), or all three.
 */
export function ownStacksRepository(environment: string, parent: string): string {
  const repo = path.join(parent, "queue-processor");
  const files = git(PROJECT, "ls-files", "-z", "--", ...SYNTH_SOURCES)
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    cpSync(path.join(PROJECT, file), path.join(repo, file));
  }
  execFileSync("ln", ["-s", path.join(PROJECT, "node_modules"), path.join(repo, "node_modules")]);
  const manifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  manifest.scripts = {
    synth:
      environment === "all"
        ? `${manifest.scripts.synth}`
        : `${manifest.scripts.synth} && node keep-one-stack.mjs ${environment}`,
  };
  writeFileSync(path.join(repo, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    path.join(repo, "keep-one-stack.mjs"),
    [
      'import { readdirSync, rmSync } from "node:fs";',
      'import path from "node:path";',
      'const stacks = path.join(path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out"), "stacks");',
      "for (const name of readdirSync(stacks))",
      "  if (name !== process.argv[2]) rmSync(path.join(stacks, name), { recursive: true });",
      "",
    ].join("\n"),
  );
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "--", ...SYNTH_SOURCES, "keep-one-stack.mjs");
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base");
  return repo;
}

/** The change under review in an own-stacks repository: prod's batch size from 10 to 20, committed. */
export function changeProdBatchSize(repo: string): void {
  const config = path.join(repo, "config", "environments.ts");
  const text = readFileSync(config, "utf8");
  const prod = text.indexOf('name: "prod"');
  const batch = text.indexOf("batchSize: 10,", prod);
  if (prod === -1 || batch === -1) throw new Error("config/environments.ts has no prod batchSize: 10 to change");
  writeFileSync(config, `${text.slice(0, batch)}batchSize: 20,${text.slice(batch + "batchSize: 10,".length)}`);
  commitAll(repo, "prod: batch size 20");
}

/** The paths `git worktree list` shows for `repo`, the main one first. */
export function worktrees(repo: string): string[] {
  return git(repo, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

/**
 * `npm run review -- --base HEAD~1` in `repo`, with no AWS credentials (and `env` on top): the child at once (so that a
 * test can stop it after a hook timeout) and, when it ends, its status and report. Not spawnSync: the
 * worker's event loop stays free for that. Rejects when no report was written, with its stderr.
 */
export function startReview(
  repo: string,
  env: NodeJS.ProcessEnv = {},
): {
  child: ChildProcess;
  finished: Promise<{ status: number | null; report: string }>;
} {
  const child = spawn(
    process.execPath,
    [path.join(PROJECT, "scripts", "run-ts.mjs"), path.join(PROJECT, "review", "review.ts"), "--base", "HEAD~1"],
    {
      cwd: repo,
      env: { ...withoutAwsCredentials(process.env), ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const output = { stdout: "", stderr: "" };
  child.stdout?.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const finished = once(child, "close").then(([status]) => {
    if (!output.stdout.startsWith("# Terraform review"))
      throw new Error(`review failed (${status}): ${output.stderr.slice(-3000)}`);
    return { status: status as number | null, report: output.stdout };
  });
  return { child, finished };
}

/**
 * Ends a review a test started (in its own process group) that is still running: SIGTERM first, so that
 * it stops its terraform processes (each in a group of its own) and removes its scratch folder; SIGKILL
 * to its group if it has not ended within 15 s.
 */
export async function stopReview(review: ChildProcess): Promise<void> {
  const ended = once(review, "exit");
  process.kill(review.pid!, "SIGTERM");
  const timer = setTimeout(() => process.kill(-review.pid!, "SIGKILL"), 15_000);
  await ended;
  clearTimeout(timer);
}
