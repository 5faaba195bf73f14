import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir, totalmem } from "node:os";
import path from "node:path";
import { ChildFailure, runChild } from "./child-processes.js";

/** Environment variable naming a filesystem mirror of providers (the folder holding registry.terraform.io). */
const MIRROR_VARIABLE = "TERRAFORM_PROVIDER_MIRROR";

const WELL_KNOWN_MIRRORS = [
  "/opt/tf-plugins",
  path.join(homedir(), ".terraform.d", "plugins"),
  "/usr/local/share/terraform/plugins",
  "/usr/share/terraform/plugins",
];

/** The provider mirror to init from offline, or undefined to use the public registry. */
export function providerMirror(): string | undefined {
  const configured = process.env[MIRROR_VARIABLE];
  if (configured) return configured;
  return WELL_KNOWN_MIRRORS.find((dir) => existsSync(path.join(dir, "registry.terraform.io", "hashicorp", "aws")));
}

/** Terraform's version, or a clear failure: these tests must fail, not skip, without terraform. */
let knownVersion: string | undefined;
export function terraformVersion(): string {
  knownVersion ??= askTerraformVersion();
  return knownVersion;
}

function askTerraformVersion(): string {
  try {
    const out = execFileSync("terraform", ["version", "-json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return (JSON.parse(out) as { terraform_version: string }).terraform_version;
  } catch (error) {
    throw new Error(
      `terraform is not on PATH (${(error as Error).message}). Install Terraform >= 1.5; the real-Terraform ` +
        `tests cannot run without it.`,
    );
  }
}

/**
 * Overrides that let `terraform plan` run with no AWS account: dummy keys, no credential or account
 * look-ups, and state in the scratch folder. They go into a scratch copy only, never the synthesized
 * stack a real deploy uses.
 */
const OFFLINE_OVERRIDE = {
  provider: {
    aws: {
      access_key: "offline-plan-dummy-key",
      secret_key: "offline-plan-dummy-secret",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    },
  },
  terraform: { backend: { local: { path: "terraform.tfstate" } } },
};

export interface OfflinePlan {
  readonly validate: { valid: boolean; error_count: number; warning_count: number; diagnostics: unknown[] };
  readonly plan: {
    resource_changes: { mode: "managed" | "data"; type: string; address: string; change: { actions: string[] } }[];
  };
}

/**
 * Go's garbage collector, run only near a memory limit: every terraform command starts the AWS
 * provider, and both build its whole schema (some hundred MB) and drop it when the command ends. With
 * Go's default (GOGC=100) a quarter of that CPU goes to collections, with GOGC=400 a tenth; with
 * collections only past a limit per process (GOMEMLIMIT), almost none, and each process peaks near
 * 750 MB. The limit is 1 GiB, less on a machine with under 24 GiB: a review runs up to twelve
 * processes at once (per environment, a terraform and the provider kept running for each of base and
 * head, see provider-server.ts), measured at 5 to 10 GB together, so each gets a 24th of the memory,
 * never under 256 MiB. A user's own GOGC or GOMEMLIMIT wins.
 */
function garbageCollection(): NodeJS.ProcessEnv {
  if (process.env.GOGC !== undefined || process.env.GOMEMLIMIT !== undefined) return {};
  const mebibytes = Math.max(256, Math.min(1024, Math.floor(totalmem() / 24 / 2 ** 20)));
  return { GOGC: "off", GOMEMLIMIT: `${mebibytes}MiB` };
}

/** The environment terraform and its providers run in. */
export function terraformEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", ...garbageCollection() };
}

/**
 * Runs terraform in `cwd` and resolves with its stdout; rejects with its stderr and stdout. Terraform
 * and its providers are killed if this process ends first (see child-processes.ts).
 */
export async function terraform(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    return await runChild("terraform", args, { cwd, env: { ...terraformEnvironment(), ...env } });
  } catch (error) {
    throw failed(cwd, args, error);
  }
}

/**
 * `terraform plan -detailed-exitcode` with `args`: resolves true when the plan holds changes (exit 2),
 * false when it holds none (exit 0); rejects on an error (exit 1).
 */
export async function planHasChanges(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<boolean> {
  const all = ["plan", "-detailed-exitcode", ...args];
  try {
    await runChild("terraform", all, { cwd, env: { ...terraformEnvironment(), ...env } });
    return false;
  } catch (error) {
    if (error instanceof ChildFailure && error.exitCode === 2) return true;
    throw failed(cwd, all, error);
  }
}

/** Terraform refused or failed: the project under review, not this tool (exit 2, see command.ts). */
export class TerraformError extends Error {
  override readonly name = "TerraformError";
}

function failed(cwd: string, args: string[], error: unknown): Error {
  if (!(error instanceof ChildFailure)) return error as Error;
  // Terraform explains a failure itself; a kill or a failure to start, it cannot.
  const how = error.exitCode === 1 ? "" : ` (${error.message})`;
  return new TerraformError(`terraform ${args.join(" ")} failed in ${cwd}${how}:
${error.stderr}${error.stdout}`);
}

/** The file prepareOfflineCopy adds to a scratch copy. */
export const OFFLINE_OVERRIDE_FILE = "offline_override.tf.json";

/** A scratch copy of a synthesized stack that plans with no AWS account (see OFFLINE_OVERRIDE). */
export function prepareOfflineCopy(stackDir: string, scratch: string): void {
  cpSync(stackDir, scratch, { recursive: true });
  writeFileSync(path.join(scratch, OFFLINE_OVERRIDE_FILE), JSON.stringify(OFFLINE_OVERRIDE, null, 2));
}

/**
 * `terraform plan` writing plan.bin. Without the lock (`-lock=false`) it only reads the state: what a
 * read-only role can run, and what a scratch state needs.
 */
export function planArguments(options: { readonly lock: boolean }): string[] {
  return ["plan", "-input=false", "-no-color", ...(options.lock ? [] : ["-lock=false"]), "-out=plan.bin"];
}

/**
 * `terraform init`, from the provider mirror when there is one, else from the registry. With
 * `pluginCache` (a folder), a provider is installed there once and linked into each folder, instead of
 * copied into each (the AWS provider is some 700 MB). Terraform's cache is not safe for two inits at
 * once: the caller runs one at a time. The lock file a scratch folder gets then holds only this
 * platform's checksum, which is all a scratch folder needs.
 */
export async function init(
  dir: string,
  options: { readonly pluginCache?: string; readonly dataDir?: string } = {},
): Promise<void> {
  const mirror = providerMirror();
  // Terraform uses a cache folder only if it exists.
  if (options.pluginCache) mkdirSync(options.pluginCache, { recursive: true });
  const cache = options.pluginCache
    ? { TF_PLUGIN_CACHE_DIR: options.pluginCache, TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true" }
    : {};
  const data = options.dataDir ? { TF_DATA_DIR: options.dataDir } : {};
  await terraform(dir, ["init", "-input=false", "-no-color", ...(mirror ? [`-plugin-dir=${mirror}`] : [])], {
    ...cache,
    ...data,
  });
}

/** Copies a synthesized stack to `scratch`, then init (offline when a mirror exists), validate and plan. */
export async function planOffline(stackDir: string, scratch: string): Promise<OfflinePlan> {
  prepareOfflineCopy(stackDir, scratch);
  await init(scratch);
  const validate = JSON.parse(await terraform(scratch, ["validate", "-json", "-no-color"])) as OfflinePlan["validate"];
  await terraform(scratch, ["plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"]);
  const plan = JSON.parse(await terraform(scratch, ["show", "-json", "plan.bin"])) as OfflinePlan["plan"];
  return { validate, plan };
}
