import { type ChildProcess, execFileSync } from "node:child_process";
import { once } from "node:events";
import { cpSync } from "node:fs";
import path from "node:path";
import { tempDir } from "../support/temp-dirs.js";

const PROJECT = process.cwd();
const FIXTURE = path.join(PROJECT, "test", "fixtures", "review-repo");

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export function commitAll(repo: string, message: string): void {
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", message);
}

/** A team's repository (test/fixtures/review-repo) with one commit, the base, in a temporary folder. */
export function fixtureRepository(): string {
  const repo = path.join(tempDir("review-repo"), "team-stacks");
  cpSync(FIXTURE, repo, { recursive: true });
  // The review runs from the team's repository with this project's tools, found through node_modules.
  execFileSync("ln", ["-s", path.join(PROJECT, "node_modules"), path.join(repo, "node_modules")]);
  git(repo, "init", "-q", "-b", "main");
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "add", "package.json", "synth.mjs", "stacks");
  git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base");
  return repo;
}

/** The paths `git worktree list` shows for `repo`, the main one first. */
export function worktrees(repo: string): string[] {
  return git(repo, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
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
