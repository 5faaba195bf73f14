/**
 * What a saved plan was made from: the sha256 of every file of the synthesized stack folder (cdk.tf.json,
 * the asset zips, the provider lock file), of the plan file itself, and the commit. `terraform apply
 * <plan>` takes the configuration from the plan file, but the provider reads the asset zips from the
 * folder when it applies: a zip that changed since the plan would ship code nobody reviewed under the
 * reviewed hash. The apply compares this record with the stack it is about to apply in
 * (see apply-saved-plan.ts).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runChild } from "./child-processes.js";

/** The files of a saved plan, next to each other (the stack folder, or a downloaded artifact). */
export const SAVED_PLAN_FILES = {
  plan: "plan.bin",
  fingerprint: "plan.fingerprint.json",
  lock: ".terraform.lock.hcl",
} as const;

export const FINGERPRINT_FORMAT = "queue-processor saved plan v1";

export interface PlanFingerprint {
  readonly format: typeof FINGERPRINT_FORMAT;
  readonly environment: string;
  /** The commit the stack was synthesized at (`git rev-parse HEAD`), null outside a git checkout. */
  readonly commit: string | null;
  /** An offline plan (dummy keys, empty state) reviews the configuration; it is never applied. */
  readonly offline: boolean;
  /** sha256 of the plan file. */
  readonly plan: string;
  /** sha256 of each file of the stack folder, by its path relative to the folder (with `/`), sorted. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * What terraform and `npm run plan` write into the stack folder, which are not what the plan was made
 * from: the plan's own files, terraform's working folder, and a local backend's state.
 */
const NOT_THE_STACK = new Set([
  "plan.bin",
  "plan.json",
  "plan.txt",
  SAVED_PLAN_FILES.fingerprint,
  ".terraform",
  "terraform.tfstate",
  "terraform.tfstate.backup",
  ".terraform.tfstate.lock.info",
]);

export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** sha256 of every file of the stack folder but those in NOT_THE_STACK, sorted by path. */
export function stackFiles(stackDir: string): Record<string, string> {
  const found: [string, string][] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(stackDir, relative), { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (relative === "" && NOT_THE_STACK.has(entry.name)) continue;
      if (entry.isDirectory()) walk(name);
      else found.push([name, sha256(readFileSync(path.join(stackDir, name)))]);
    }
  };
  walk("");
  found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(found);
}

/** The commit checked out in `cwd`, or null when it is no git checkout. */
export async function currentCommit(cwd: string): Promise<string | null> {
  try {
    return (await runChild("git", ["rev-parse", "HEAD"], { cwd })).trim();
  } catch {
    return null;
  }
}

export function fingerprintOf(
  stackDir: string,
  made: { readonly environment: string; readonly commit: string | null; readonly offline: boolean },
): PlanFingerprint {
  return {
    format: FINGERPRINT_FORMAT,
    environment: made.environment,
    commit: made.commit,
    offline: made.offline,
    plan: sha256(readFileSync(path.join(stackDir, SAVED_PLAN_FILES.plan))),
    files: stackFiles(stackDir),
  };
}

/** Writes the fingerprint of the plan in `stackDir` next to it; the same stack gives the same bytes. */
export function writeFingerprint(stackDir: string, fingerprint: PlanFingerprint): string {
  const file = path.join(stackDir, SAVED_PLAN_FILES.fingerprint);
  writeFileSync(file, `${JSON.stringify(fingerprint, null, 2)}\n`);
  return file;
}

/**
 * How the stack about to be applied differs from the one the plan was made from, one line per file
 * (changed, added, removed) and for the commit; empty when they are the same.
 */
export function stackChanges(
  reviewed: PlanFingerprint,
  now: { readonly commit: string | null; readonly files: Readonly<Record<string, string>> },
): string[] {
  const changes: string[] = [];
  if (reviewed.commit !== now.commit)
    changes.push(
      `commit: the plan was made at ${reviewed.commit ?? "no commit"}, this is ${now.commit ?? "no commit"}`,
    );
  const names = [...new Set([...Object.keys(reviewed.files), ...Object.keys(now.files)])].sort();
  for (const name of names) {
    const before = reviewed.files[name];
    const after = now.files[name];
    if (before === after) continue;
    if (before === undefined) changes.push(`${name}: added since the plan`);
    else if (after === undefined) changes.push(`${name}: removed since the plan`);
    else changes.push(`${name}: changed since the plan (sha256 ${before.slice(0, 12)} -> ${after.slice(0, 12)})`);
  }
  return changes;
}
