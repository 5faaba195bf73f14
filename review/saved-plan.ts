/**
 * A saved plan as the apply receives it: the plan file, its fingerprint and the provider lock file it
 * was made with, side by side (the stack folder after `npm run plan`, or the deploy's downloaded
 * artifact). Read whole and checked before anything else runs, so that a synth meanwhile cannot change
 * what is applied.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "./command.js";
import { FINGERPRINT_FORMAT, type PlanFingerprint, SAVED_PLAN_FILES, sha256 } from "./plan-fingerprint.js";

/** The apply will not run what it was given: it is not what was reviewed, or no longer applies (exit 1). */
export class ApplyRefused extends Error {
  override readonly name = "ApplyRefused";
}

export interface SavedPlan {
  readonly planFile: string;
  readonly plan: Buffer;
  readonly fingerprint: PlanFingerprint;
  /** The provider lock file the plan was made with, when the stack had one. */
  readonly lock: Buffer | undefined;
}

const SHA256 = /^[0-9a-f]{64}$/;

function parseFingerprint(file: string, text: string): PlanFingerprint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file} is not JSON (${(error as Error).message})`);
  }
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const wrong = (field: string, got: unknown, allowed: string) =>
    new InputError(`${file}: ${field} must be ${allowed} (got ${JSON.stringify(got) ?? "nothing"})`);
  if (record.format !== FINGERPRINT_FORMAT) throw wrong("format", record.format, JSON.stringify(FINGERPRINT_FORMAT));
  if (typeof record.environment !== "string") throw wrong("environment", record.environment, "a string");
  if (record.commit !== null && typeof record.commit !== "string")
    throw wrong("commit", record.commit, "a commit SHA or null");
  if (typeof record.offline !== "boolean") throw wrong("offline", record.offline, "true or false");
  if (typeof record.plan !== "string" || !SHA256.test(record.plan))
    throw wrong("plan", record.plan, "a sha256 (64 hex digits)");
  const files = record.files;
  if (typeof files !== "object" || files === null || Array.isArray(files))
    throw wrong("files", files, "an object of sha256 by path");
  for (const [name, hash] of Object.entries(files)) {
    if (typeof hash !== "string" || !SHA256.test(hash))
      throw wrong(`files[${JSON.stringify(name)}]`, hash, "a sha256 (64 hex digits)");
  }
  return record as unknown as PlanFingerprint;
}

function readInput(file: string, what: string): Buffer {
  if (!existsSync(file)) throw new InputError(`${what} ${file} does not exist`);
  if (statSync(file).isDirectory()) throw new InputError(`${what} ${file} is a folder, not a file`);
  return readFileSync(file);
}

/**
 * Reads the saved plan at `planFile` for `environment`. Bad input (a missing file, a fingerprint that
 * is malformed, of another environment or of an offline plan) is an InputError (exit 2); a plan file or
 * lock file that is not the one the fingerprint names is refused (exit 1).
 */
export function readSavedPlan(planFile: string, environment: string): SavedPlan {
  const absolute = path.resolve(planFile);
  const plan = readInput(absolute, "the plan file");
  const folder = path.dirname(absolute);
  const fingerprintFile = path.join(folder, SAVED_PLAN_FILES.fingerprint);
  if (!existsSync(fingerprintFile)) {
    throw new InputError(
      `no ${SAVED_PLAN_FILES.fingerprint} next to ${planFile}: without it nothing says what the plan was made from; ` +
        `make the plan with npm run plan -- ${environment}`,
    );
  }
  const fingerprint = parseFingerprint(fingerprintFile, readInput(fingerprintFile, "the fingerprint").toString("utf8"));
  if (fingerprint.environment !== environment) {
    throw new InputError(
      `${planFile} is a plan of ${fingerprint.environment}, not of ${environment}: apply it to ${fingerprint.environment}, or plan ${environment}`,
    );
  }
  if (fingerprint.offline) {
    throw new InputError(
      `${planFile} is an offline plan (dummy keys, an empty state): it reviews the configuration and is never applied; ` +
        `plan with AWS credentials`,
    );
  }
  if (sha256(plan) !== fingerprint.plan) {
    throw new ApplyRefused(
      `${planFile} is not the plan its fingerprint was made with (sha256 ${sha256(plan).slice(0, 12)}, ` +
        `the fingerprint says ${fingerprint.plan.slice(0, 12)}): nothing says this plan was reviewed`,
    );
  }
  const lockHash = fingerprint.files[SAVED_PLAN_FILES.lock];
  if (lockHash === undefined) return { planFile: absolute, plan, fingerprint, lock: undefined };
  const lock = readInput(path.join(folder, SAVED_PLAN_FILES.lock), "the provider lock file");
  if (sha256(lock) !== lockHash) {
    throw new ApplyRefused(
      `${path.join(folder, SAVED_PLAN_FILES.lock)} is not the lock file the plan was made with: the providers would differ`,
    );
  }
  return { planFile: absolute, plan, fingerprint, lock };
}
