/**
 * `npm run lock [-- <terraform providers lock options>]`: writes each orders stack's provider lock,
 * config/terraform-locks/<stack>.terraform.lock.hcl, with `terraform providers lock` run in the stack as
 * synth writes it.
 *
 * Without options it locks from the provider mirror (TERRAFORM_PROVIDER_MIRROR or a well-known folder,
 * see review/terraform.ts) for linux_amd64, offline; with no mirror, from the registry. Options replace
 * that: `npm run lock -- -platform=linux_amd64 -platform=darwin_arm64` asks the registry for more
 * platforms. A lock that still fits its stack is the starting point, so its version is kept and
 * hashes are only added; delete a lock file to let Terraform choose the newest allowed version.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "cdktf";
import { addOrdersStacks, ORDERS_STACKS } from "../config/orders-app.js";
import { LOCK_FILE_NAME, lockFileOf, lockProblems, requiredProviders } from "../config/provider-locks.js";
import { providerMirror } from "../review/terraform.js";

function lockArguments(given: readonly string[]): string[] {
  if (given.length > 0) return [...given];
  const mirror = providerMirror();
  return [...(mirror ? [`-fs-mirror=${mirror}`] : []), "-platform=linux_amd64"];
}

function lockStack(stack: string, stackDir: string, args: readonly string[]): void {
  const committed = lockFileOf(stack);
  const written = path.join(stackDir, LOCK_FILE_NAME);
  const required = requiredProviders(stackDir);
  if (existsSync(committed)) {
    const problems = lockProblems(readFileSync(committed, "utf8"), required);
    if (problems.length === 0) copyFileSync(committed, written);
    else console.log(`${committed} no longer fits the stack (${problems.join("; ")}): locking afresh`);
  }
  console.log(`\n${stack}: terraform providers lock ${args.join(" ")}`);
  execFileSync("terraform", ["providers", "lock", "-no-color", ...args], {
    cwd: stackDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  const problems = lockProblems(readFileSync(written, "utf8"), required);
  if (problems.length > 0)
    throw new Error(`terraform wrote a lock for ${stack} that does not fit it: ${problems.join("; ")}`);
  mkdirSync(path.dirname(committed), { recursive: true });
  copyFileSync(written, committed);
  console.log(`${stack}: wrote ${committed}`);
}

function main(): void {
  const args = lockArguments(process.argv.slice(2));
  const outdir = mkdtempSync(path.join(tmpdir(), "qp-lock-"));
  try {
    const app = new App({ outdir, stackTraces: false });
    addOrdersStacks(app);
    app.synth();
    for (const stack of ORDERS_STACKS) lockStack(stack, path.join(outdir, "stacks", stack), args);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main();
