/**
 * `npm run review -- --base <git-ref> [--out report.md]`: what a reviewer needs in one Markdown report,
 * with no AWS credentials: per environment, what the working tree adds, changes, replaces and destroys
 * compared with the base ref (attribute by attribute, as Terraform itself plans it) and the policy
 * findings. Exits 0 without a blocking finding, 1 with one, 2 when it cannot review what it was given
 * (bad usage, a ref that is not a commit, a synth or terraform that fails, a plan it cannot read), 3 on
 * an internal error (review/command.ts); 130, 143 or 129 when stopped by SIGINT, SIGTERM or SIGHUP.
 * However it ends, it leaves no scratch folder, worktree or terraform behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runChild, stopOnSignals } from "./child-processes.js";
import { EXIT, InputError, runCommand } from "./command.js";
import { reviewEnvironment } from "./review-environment.js";
import { renderReview } from "./review-report.js";
import { createReviewScratch, removeStaleScratch } from "./review-scratch.js";

/** An option's value; one given without a value (last, or followed by another option) is a usage error. */
function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith("--")) {
    throw new InputError(`${name} needs a value (got ${value === undefined ? "nothing" : JSON.stringify(value)})`);
  }
  return value;
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The project's own synth, into `outdir`: works for any project whose `npm run synth` writes cdktf.out. */
async function synth(projectDir: string, outdir: string, what: string): Promise<void> {
  await runChild("npm", ["run", "--silent", "synth"], {
    cwd: projectDir,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    stderr: "inherit",
  }).catch((error: unknown) => {
    throw new InputError(`npm run synth of ${what} failed (${(error as Error).message}); its errors are above`);
  });
}

/**
 * The project's node_modules in the base worktree. A real folder (hard links: instant), not a symlink:
 * esbuild bundles differently through a link, and every function would show as changed.
 */
async function linkNodeModules(project: string, baseTree: string): Promise<void> {
  const from = path.join(project, "node_modules");
  if (!existsSync(from)) return;
  const to = path.join(baseTree, "node_modules");
  // Hard links cannot cross file systems (a temp folder on tmpfs): then a plain copy.
  await runChild("cp", ["-al", from, to], { cwd: project }).catch(async () => {
    await runChild("rm", ["-rf", to], { cwd: project });
    await runChild("cp", ["-a", from, to], { cwd: project }).catch((error: unknown) => {
      throw new InputError(`cannot copy node_modules into the base worktree: ${(error as Error).message}`);
    });
  });
}

function stacksIn(outdir: string): string[] {
  const dir = path.join(outdir, "stacks");
  return existsSync(dir) ? readdirSync(dir).filter((name) => existsSync(path.join(dir, name, "cdk.tf.json"))) : [];
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const known = ["--base", "--out"];
  const unknown = args.filter(
    (arg, index) => arg.startsWith("--") && !known.includes(arg) && !known.includes(args[index - 1] ?? ""),
  );
  const baseRef = option(args, "--base");
  const out = option(args, "--out");
  if (!baseRef || unknown.length > 0) {
    throw new InputError(
      `usage: npm run review -- --base <git-ref> [--out report.md]${unknown.length > 0 ? ` (unknown option ${unknown.join(", ")})` : ""}`,
    );
  }
  // git would read a ref starting with "-" as one of its own options.
  if (baseRef.startsWith("-")) {
    throw new InputError(`--base must name a commit, not an option (got ${JSON.stringify(baseRef)})`);
  }
  const project = process.cwd();
  let baseCommit: string;
  try {
    baseCommit = git(project, ["rev-parse", "--verify", "--end-of-options", `${baseRef}^{commit}`]);
  } catch {
    throw new InputError(`--base ${JSON.stringify(baseRef)} is not a commit of this repository`);
  }

  for (const stale of removeStaleScratch(project)) {
    process.stderr.write(`npm run review: removed what an earlier review left when it was killed: ${stale}\n`);
  }
  stopOnSignals("npm run review", "the scratch folder and the base worktree are removed");
  const scratch = await createReviewScratch(project, baseCommit);
  // Whatever the children (synths, terraform and its providers) leave in the temp folder goes with the scratch folder.
  process.env.TMPDIR = scratch.tmp;
  const { baseTree } = scratch;
  const baseOut = path.join(scratch.dir, "base-out");
  const headOut = path.join(scratch.dir, "head-out");
  // The two synths are independent: side by side, each has a core. Both end before either failure is
  // reported, the base's first, so that the same failure always gives the same message.
  const synths = await Promise.allSettled([
    linkNodeModules(project, baseTree).then(() => synth(baseTree, baseOut, `the base ${baseRef}`)),
    synth(project, headOut, "the working tree"),
  ]);
  for (const result of synths) if (result.status === "rejected") throw result.reason;

  const headStacks = stacksIn(headOut);
  const environments = [...headStacks, ...stacksIn(baseOut).filter((name) => !headStacks.includes(name))];
  const reviews = await Promise.all(
    environments.map((environment) =>
      reviewEnvironment(
        environment,
        path.join(baseOut, "stacks", environment),
        path.join(headOut, "stacks", environment),
        path.join(scratch.dir, "plans", environment),
        { pluginCache: path.join(scratch.dir, "plugin-cache"), dataRoot: path.join(scratch.dir, "terraform-data") },
      ),
    ),
  );
  const { markdown, blocking } = renderReview({ baseRef, baseCommit: baseCommit.slice(0, 12), reviews });
  if (out) {
    try {
      writeFileSync(out, markdown);
    } catch (error) {
      throw new InputError(`cannot write --out ${JSON.stringify(out)}: ${(error as Error).message}`);
    }
  }
  process.stdout.write(markdown);
  // On an error, the exit that follows removes it, once every child is killed (see child-processes.ts).
  scratch.remove();
  return blocking > 0 ? EXIT.blocking : EXIT.pass;
}

runCommand("review", main);
