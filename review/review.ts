/**
 * `npm run review -- --base <git-ref> [--out report.md]`: what a reviewer needs in one Markdown report,
 * with no AWS credentials: per environment, what the working tree adds, changes, replaces and destroys
 * compared with the base ref (attribute by attribute, as Terraform itself plans it) and the policy
 * findings. Exits 1 when a finding is blocking, 2 on bad usage; 130, 143 or 129 when stopped by
 * SIGINT, SIGTERM or SIGHUP. However it ends, it leaves no scratch folder, worktree or terraform behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isStopping, runChild, stopOnSignals } from "./child-processes.js";
import { reviewEnvironment } from "./review-environment.js";
import { renderReview } from "./review-report.js";
import { createReviewScratch, removeStaleScratch } from "./review-scratch.js";

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The project's own synth, into `outdir`: works for any project whose `npm run synth` writes cdktf.out. */
async function synth(projectDir: string, outdir: string): Promise<void> {
  await runChild("npm", ["run", "--silent", "synth"], {
    cwd: projectDir,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    stderr: "inherit",
  }).catch((error: unknown) => {
    throw new Error(`npm run synth in ${projectDir} failed: ${(error as Error).message}`);
  });
}

function stacksIn(outdir: string): string[] {
  const dir = path.join(outdir, "stacks");
  return existsSync(dir) ? readdirSync(dir).filter((name) => existsSync(path.join(dir, name, "cdk.tf.json"))) : [];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const known = ["--base", "--out"];
  const unknown = args.filter(
    (arg, index) => arg.startsWith("--") && !known.includes(arg) && !known.includes(args[index - 1] ?? ""),
  );
  const baseRef = option(args, "--base");
  if (!baseRef || unknown.length > 0) {
    fail(
      `usage: npm run review -- --base <git-ref> [--out report.md]${unknown.length > 0 ? ` (unknown option ${unknown.join(", ")})` : ""}`,
    );
  }
  const project = process.cwd();
  let baseCommit: string;
  try {
    baseCommit = git(project, ["rev-parse", "--verify", `${baseRef}^{commit}`]);
  } catch {
    fail(`--base ${JSON.stringify(baseRef)} is not a commit of this repository`);
  }

  for (const stale of removeStaleScratch(project)) {
    process.stderr.write(`npm run review: removed what an earlier review left when it was killed: ${stale}\n`);
  }
  stopOnSignals("npm run review", "the scratch folder and the base worktree are removed");
  const scratch = await createReviewScratch(project, baseCommit);
  // Whatever the children (synths, terraform and its providers) leave in the temp folder goes with the scratch folder.
  process.env.TMPDIR = scratch.tmp;
  const { baseTree } = scratch;
  // A real folder (hard links: instant), not a symlink: esbuild bundles differently through a link,
  // and every function would show as changed.
  if (existsSync(path.join(project, "node_modules"))) {
    await runChild("cp", ["-al", path.join(project, "node_modules"), path.join(baseTree, "node_modules")], {
      cwd: project,
    });
  }
  const baseOut = path.join(scratch.dir, "base-out");
  const headOut = path.join(scratch.dir, "head-out");
  await synth(baseTree, baseOut);
  await synth(project, headOut);

  const headStacks = stacksIn(headOut);
  const environments = [...headStacks, ...stacksIn(baseOut).filter((name) => !headStacks.includes(name))];
  const reviews = await Promise.all(
    environments.map((environment) =>
      reviewEnvironment(
        environment,
        path.join(baseOut, "stacks", environment),
        path.join(headOut, "stacks", environment),
        path.join(scratch.dir, "plans", environment),
      ),
    ),
  );
  const { markdown, blocking } = renderReview({ baseRef, baseCommit: baseCommit.slice(0, 12), reviews });
  const out = option(args, "--out");
  if (out) writeFileSync(out, markdown);
  process.stdout.write(markdown);
  process.exitCode = blocking > 0 ? 1 : 0;
  // On an error, the exit that follows removes it, once every child is killed (see child-processes.ts).
  scratch.remove();
}

main().catch((error: unknown) => {
  // Stopped by a signal: the children failed because they were told to stop; the signal's handler exits.
  if (!isStopping()) fail((error as Error).message, 1);
});
