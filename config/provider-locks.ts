/**
 * Each orders stack's provider lock, kept in the repository as
 * `config/terraform-locks/<stack>.terraform.lock.hcl` and copied by synth into the stack's folder as
 * `.terraform.lock.hcl`. With it, `terraform init` (plain, or run by `cdktf diff/deploy`) installs the
 * locked version and checks its hashes on every checkout; and cdktf-cli skips its
 * `terraform providers lock`, which ignores a filesystem mirror and fails offline: it runs that only
 * when the stack's folder has no lock file, or the lock's `constraints` do not match the stack's.
 *
 * A stack without a lock, or with a lock that does not pin what the stack requires, fails synth:
 * a deploy would otherwise pick whatever provider version the machine finds.
 */
import { copyFileSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { LockFileError, parseLockFile } from "./terraform-lock-file.js";
import { satisfiesConstraint, VersionConstraintError } from "./version-constraint.js";

/** Where the locks live, relative to the project root (the working directory of synth). */
const PROVIDER_LOCKS_DIR = path.join("config", "terraform-locks");

/** The name Terraform reads a lock from, in the folder it runs in. */
export const LOCK_FILE_NAME = ".terraform.lock.hcl";

const REFRESH_ADVICE =
  "`npm run lock` writes the locks from the synthesized stacks (README: Deploy with the cdktf CLI)";

export function lockFileOf(stack: string, locksDir: string = PROVIDER_LOCKS_DIR): string {
  return path.join(locksDir, `${stack}${LOCK_FILE_NAME}`);
}

/** A provider source as Terraform reads it: `aws` and `hashicorp/aws` are `registry.terraform.io/hashicorp/aws`. */
function fullAddress(source: string): string {
  const parts = source.split("/");
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${source}`;
  if (parts.length === 2) return `registry.terraform.io/${source}`;
  return source;
}

/** The providers a synthesized stack requires, by full address, with their version constraints. */
export function requiredProviders(stackDir: string): Record<string, string | undefined> {
  const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as {
    terraform?: { required_providers?: Record<string, { source?: string; version?: string }> };
  };
  const required: Record<string, string | undefined> = {};
  for (const [name, requirement] of Object.entries(json.terraform?.required_providers ?? {})) {
    required[fullAddress(requirement.source ?? name)] = requirement.version;
  }
  return required;
}

/** Why `lockText` does not pin exactly the `required` providers; empty when it does. */
export function lockProblems(lockText: string, required: Record<string, string | undefined>): string[] {
  let locked: ReturnType<typeof parseLockFile>;
  try {
    locked = parseLockFile(lockText);
  } catch (error) {
    if (error instanceof LockFileError) return [`it is not a lock file Terraform writes: ${error.message}`];
    throw error;
  }
  const problems: string[] = [];
  for (const [address, constraint] of Object.entries(required)) {
    const lock = locked[address];
    if (!lock) {
      problems.push(`${address} is required by the stack but not locked`);
      continue;
    }
    if ((lock.constraints ?? "") !== (constraint ?? "")) {
      problems.push(
        `${address} was locked for the constraint "${lock.constraints ?? ""}", but the stack requires "${constraint ?? ""}"`,
      );
    }
    try {
      if (constraint && !satisfiesConstraint(lock.version, constraint)) {
        problems.push(
          `${address} is locked at ${lock.version}, which the stack's constraint "${constraint}" does not allow`,
        );
      }
    } catch (error) {
      if (!(error instanceof VersionConstraintError)) throw error;
      problems.push(`${address}: ${error.message}`);
    }
    if (lock.hashes.length === 0) problems.push(`${address} is locked with no hashes`);
  }
  for (const address of Object.keys(locked)) {
    if (!(address in required)) problems.push(`${address} is locked but the stack does not require it`);
  }
  return problems;
}

/**
 * Copies each stack's lock into its synthesized folder in `outdir`. Returns 0, or 1 after logging
 * every stack whose lock is missing or wrong; such a stack's folder is left without a lock, so that
 * nothing runs with a stale one.
 */
export function placeProviderLocks(
  outdir: string,
  stacks: readonly string[],
  options: { readonly locksDir?: string; readonly log?: (line: string) => void } = {},
): number {
  const log = options.log ?? console.error;
  let failed = false;
  for (const stack of stacks) {
    const stackDir = path.join(outdir, "stacks", stack);
    const target = path.join(stackDir, LOCK_FILE_NAME);
    const source = lockFileOf(stack, options.locksDir);
    rmSync(target, { force: true });
    const problems = existsSync(source)
      ? lockProblems(readFileSync(source, "utf8"), requiredProviders(stackDir))
      : ["the file does not exist"];
    if (problems.length > 0) {
      failed = true;
      const list = problems.map((problem) => `  - ${problem}`).join("\n");
      log(`Provider lock of stack "${stack}" (${source}):\n${list}\n  ${REFRESH_ADVICE}.`);
      continue;
    }
    copyFileSync(source, target);
  }
  return failed ? 1 : 0;
}
