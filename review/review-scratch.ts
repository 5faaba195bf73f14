import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isRunning, onExit } from "../scripts/exit-cleanup.js";
import { runChild } from "./child-processes.js";

/** Scratch folders are `qp-review-<pid of the review>-<random>`: the pid tells whether their run is still alive. */
const SCRATCH_NAME = /^qp-review-(\d+)-[A-Za-z0-9]+$/;
const BASE_TREE = "base-tree";

/**
 * The review's scratch folder (synths, terraform copies and plans: hundreds of MB) and, in it, a git
 * worktree of the base commit. Both go when the review ends, however it ends (see
 * scripts/exit-cleanup.ts); `remove()` is the normal path.
 */
export interface ReviewScratch {
  readonly dir: string;
  readonly baseTree: string;
  /** A temporary folder inside the scratch folder, for the children (terraform's plugin sockets, ...). */
  readonly tmp: string;
  remove(): void;
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Creates the scratch folder and checks out `commit` of `project` in it. */
export async function createReviewScratch(project: string, commit: string): Promise<ReviewScratch> {
  const dir = mkdtempSync(path.join(tmpdir(), `qp-review-${process.pid}-`));
  const baseTree = path.join(dir, BASE_TREE);
  const tmp = path.join(dir, "tmp");
  const remove = onExit(() => removeScratch(project, dir));
  mkdirSync(tmp);
  // A child like the others: a signal meanwhile stops it, and the review, cleanly.
  await runChild("git", ["worktree", "add", "--quiet", "--detach", baseTree, commit], { cwd: project });
  return { dir, baseTree, tmp, remove };
}

function removeScratch(project: string, dir: string): void {
  const baseTree = path.join(dir, BASE_TREE);
  try {
    // Twice forced: a worktree whose `git worktree add` was interrupted is still locked.
    git(project, ["worktree", "remove", "--force", "--force", baseTree]);
  } catch {
    // Not added yet, or half-added; the prune below tidies git's records once the folder is gone.
  }
  // A killed child may have been writing here until a moment ago.
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  try {
    git(project, ["worktree", "prune"]);
  } catch {
    // Not a repository any more: nothing to prune.
  }
}

/** The scratch folder a worktree path lies in, when it is a review's and its run is no longer alive. */
function staleScratchOf(folder: string): string | undefined {
  const match = SCRATCH_NAME.exec(path.basename(folder));
  return match && !isRunning(Number(match[1])) ? folder : undefined;
}

/**
 * What an earlier review left when it was killed (SIGKILL cannot be caught): its worktrees registered in
 * `project`, and its scratch folders in the temp folder. Removes them and returns their paths. A review
 * still running (its pid alive) is left alone.
 */
export function removeStaleScratch(project: string): string[] {
  const worktrees = git(project, ["worktree", "list", "--porcelain"])
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length))
    .filter((worktree) => path.basename(worktree) === BASE_TREE);
  const temp = tmpdir();
  const stale = new Set([
    ...worktrees.map((worktree) => staleScratchOf(path.dirname(worktree))),
    ...(existsSync(temp) ? readdirSync(temp).map((name) => staleScratchOf(path.join(temp, name))) : []),
  ]);
  stale.delete(undefined);
  const removed = [...stale] as string[];
  for (const dir of removed) removeScratch(project, dir);
  return removed;
}
