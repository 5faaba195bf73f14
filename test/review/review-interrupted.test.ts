/**
 * `npm run review` stopped half-way, by each way a run is stopped: a signal to its process group (a
 * terminal's Ctrl-C), a signal to it alone (`kill`, a CI runner), a terraform child killed under it, and
 * SIGKILL, which no process can catch: the next run then removes what it left. Each run has a private
 * temp folder, which must end empty, and the repository must list no worktree but its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitAll, fixtureRepository, stopReview, worktrees } from "../../bench/support/review-repository.js";
import { withoutAwsCredentials } from "../../review/credentials.js";
import { tempDir } from "../support/temp-dirs.js";

const PROJECT = process.cwd();
/** Each run stops early; this bounds a hang, not a slow machine's terraform init. */
const RUN_TIMEOUT_MS = 120_000;

interface Review {
  readonly child: ChildProcess;
  readonly tmp: string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Review[] = [];

function startReview(repo: string): Review {
  const tmp = tempDir("review-tmp");
  const child = spawn(
    process.execPath,
    [path.join(PROJECT, "scripts", "run-ts.mjs"), path.join(PROJECT, "review", "review.ts"), "--base", "HEAD~1"],
    // Its own process group: as a terminal's foreground job, and so that a failed test can end it.
    {
      cwd: repo,
      env: { ...withoutAwsCredentials(process.env), TMPDIR: tmp },
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const review = { child, tmp, stderr: () => stderr, exit };
  started.push(review);
  return review;
}

/** Polls `check` until it returns a value: what the review makes appears on its own schedule. */
async function until<T>(what: string, review: Review, check: () => T | undefined): Promise<T> {
  let exited = false;
  void review.exit.then(() => (exited = true));
  for (const deadline = Date.now() + RUN_TIMEOUT_MS; Date.now() < deadline; await sleep(50)) {
    const value = check();
    if (value !== undefined) return value;
    if (exited) throw new Error(`the review exited before ${what}:\n${review.stderr()}`);
  }
  throw new Error(`no ${what} within ${RUN_TIMEOUT_MS / 1000} s:\n${review.stderr()}`);
}

/** The review's scratch folder once it and its base worktree exist. */
function scratchWithWorktree(repo: string, review: Review): Promise<string> {
  return until("scratch folder with its worktree", review, () => {
    const name = readdirSync(review.tmp).find((entry) => entry.startsWith(`qp-review-${review.child.pid}-`));
    const scratch = name && path.join(realpathSync(review.tmp), name);
    return scratch && worktrees(repo).includes(path.join(scratch, "base-tree")) ? scratch : undefined;
  });
}

/** Processes whose working directory is inside `dir`, with their command (terraform, its providers, npm). */
function processesIn(dir: string): { pid: number; command: string }[] {
  if (!existsSync("/proc/self/cwd")) return [];
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) {
        found.push({ pid: Number(entry), command: readlinkSync(`/proc/${entry}/exe`) });
      }
    } catch {
      // Gone meanwhile, or a zombie.
    }
  }
  return found;
}

/** Nothing of the review is left: no process, no file in its temp folder, no worktree but the repository's own. */
async function expectNothingLeft(repo: string, review: Review): Promise<void> {
  const tmp = realpathSync(review.tmp);
  // A killed process takes a moment to go: poll, but not for long.
  for (const deadline = Date.now() + 5000; processesIn(tmp).length > 0 && Date.now() < deadline; ) await sleep(50);
  expect(processesIn(tmp)).toEqual([]);
  expect(readdirSync(tmp)).toEqual([]);
  expect(worktrees(repo)).toEqual([realpathSync(repo)]);
}

describe("npm run review, interrupted", () => {
  let repo: string;

  beforeAll(() => {
    repo = fixtureRepository(tempDir("review-repo"));
    // A change under review, so that there is something to plan.
    const file = path.join(repo, "stacks", "dev", "cdk.tf.json");
    const stack = JSON.parse(readFileSync(file, "utf8"));
    stack.resource.aws_lambda_event_source_mapping.worker.batch_size = 20;
    writeFileSync(file, JSON.stringify(stack, null, 2));
    commitAll(repo, "change under review");
  });

  afterAll(async () => {
    for (const review of started.splice(0)) {
      if (review.child.exitCode === null && review.child.signalCode === null) await stopReview(review.child);
    }
  });

  it(
    "after a run killed outright (SIGKILL), the next run removes its worktree and scratch folder and says so; Ctrl-C to the process group then leaves nothing (exit 130)",
    async () => {
      const killed = startReview(repo);
      const leftover = await scratchWithWorktree(repo, killed);
      process.kill(-killed.child.pid!, "SIGKILL");
      expect(await killed.exit).toEqual({ code: null, signal: "SIGKILL" });
      // What a SIGKILL leaves: the debris the next run must deal with (a child in its own group may still finish).
      for (const deadline = Date.now() + 10_000; processesIn(leftover).length > 0 && Date.now() < deadline; )
        await sleep(50);
      expect(worktrees(repo)).toContain(path.join(leftover, "base-tree"));
      expect(existsSync(leftover)).toBe(true);

      // The next run shares no temp folder with the killed one: it finds the leftover through git.
      const next = startReview(repo);
      await scratchWithWorktree(repo, next);
      expect(next.stderr()).toContain(
        `npm run review: removed what an earlier review left when it was killed: ${leftover}`,
      );
      expect(existsSync(leftover)).toBe(false);
      process.kill(-next.child.pid!, "SIGINT");
      expect(await next.exit, next.stderr()).toEqual({ code: 130, signal: null });
      expect(next.stderr()).toContain("npm run review: SIGINT: stopping");
      await expectNothingLeft(repo, next);
      expect(readdirSync(killed.tmp)).toEqual([]);
    },
    RUN_TIMEOUT_MS * 2,
  );

  it(
    "SIGTERM to the review alone while terraform runs stops terraform and its providers, removes everything and exits 143",
    async () => {
      const review = startReview(repo);
      const scratch = await scratchWithWorktree(repo, review);
      await until("terraform running in the scratch folder", review, () =>
        processesIn(scratch).some((process) => path.basename(process.command) === "terraform") ? true : undefined,
      );
      process.kill(review.child.pid!, "SIGTERM");
      expect(await review.exit, review.stderr()).toEqual({ code: 143, signal: null });
      expect(review.stderr()).toContain(
        "npm run review: SIGTERM: stopping; the scratch folder and the base worktree are removed.",
      );
      // Terraform was told to stop, and failed: the signal's status wins, not a terraform error.
      expect(review.stderr()).not.toMatch(/^terraform .* failed/m);
      await expectNothingLeft(repo, review);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "SIGHUP (a closed terminal) as soon as the worktree exists removes everything and exits 129",
    async () => {
      const review = startReview(repo);
      await scratchWithWorktree(repo, review);
      process.kill(review.child.pid!, "SIGHUP");
      expect(await review.exit, review.stderr()).toEqual({ code: 129, signal: null });
      await expectNothingLeft(repo, review);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "a terraform child killed under it ends the review with exit 2 (no verdict), naming the kill, and leaves nothing, the other terraform runs included",
    async () => {
      const review = startReview(repo);
      const scratch = await scratchWithWorktree(repo, review);
      const terraform = await until("terraform running in the scratch folder", review, () =>
        processesIn(scratch).find((process) => path.basename(process.command) === "terraform"),
      );
      process.kill(terraform.pid, "SIGKILL");
      expect(await review.exit, review.stderr()).toEqual({ code: 2, signal: null });
      expect(review.stderr()).toMatch(/^review: terraform .* failed in .* \(terraform was killed by SIGKILL\)/m);
      await expectNothingLeft(repo, review);
    },
    RUN_TIMEOUT_MS,
  );
});
