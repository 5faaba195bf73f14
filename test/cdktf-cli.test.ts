/**
 * The README's deploy commands, run with the real cdktf CLI (cdktf-cli of the pinned cdktf version, see
 * support/cdktf-cli.ts) on a copy of the project: `cdktf synth`, and `cdktf diff dev` offline from the
 * provider mirror with no AWS credentials, which must get as far as Terraform asking for credentials.
 */
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lockFileOf } from "../config/provider-locks.js";
import { ChildFailure, runChild } from "../review/child-processes.js";
import { withoutAwsCredentials } from "../review/credentials.js";
import { installedCdktfCli } from "./support/cdktf-cli.js";
import { tempDir } from "./support/temp-dirs.js";
import { providerMirror, TERRAFORM_HOOK_TIMEOUT_MS, terraformVersion } from "./support/terraform.js";

const PROJECT = process.cwd();
/** What the app needs to synthesize (as test/determinism.test.ts copies it). */
const SOURCES = [
  "main.ts",
  ".npmrc",
  "config",
  "stacks",
  "modules",
  "functions",
  "scripts",
  "package.json",
  "tsconfig.json",
  "cdktf.json",
];
/** Installing the CLI takes ~50 s on a quiet machine; a busy one, several times that. */
const INSTALL_TIMEOUT_MS = 600_000;

interface CliRun {
  readonly status: number | null;
  readonly output: string;
}

interface Annotation {
  readonly constructPath: string;
  readonly message: string;
}

/**
 * The environment that keeps the CLI and terraform offline and out of the home folder: providers only
 * from the mirror, no telemetry or version checks (CHECKPOINT_DISABLE also stops cdktf's own
 * telemetry), no plugin cache the CLI would create under ~/.terraform.d, no credentials of any kind.
 */
function offlineEnvironment(cliConfig: string): NodeJS.ProcessEnv {
  return {
    ...withoutAwsCredentials(process.env),
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: "1",
    DISABLE_VERSION_CHECK: "1",
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    FORCE_COLOR: "0",
  };
}

function lineCount(output: string, annotation: Annotation): number {
  return output
    .split("\n")
    .filter((line) => line.includes(`[${annotation.constructPath}]`) && line.includes(annotation.message)).length;
}

describe("the cdktf CLI on this project, offline", () => {
  let cdktf: string;
  let project: string;
  let environment: NodeJS.ProcessEnv;

  async function run(...args: string[]): Promise<CliRun> {
    try {
      const stdout = await runChild(cdktf, args, { cwd: project, env: environment });
      return { status: 0, output: stdout };
    } catch (error) {
      if (!(error instanceof ChildFailure)) throw error;
      return { status: error.exitCode, output: `${error.stdout}\n${error.stderr}` };
    }
  }

  function annotations(): Annotation[] {
    const manifest = JSON.parse(readFileSync(path.join(project, "cdktf.out", "manifest.json"), "utf8")) as {
      stacks: Record<string, { annotations: Annotation[] }>;
    };
    return Object.values(manifest.stacks).flatMap((stack) => stack.annotations);
  }

  beforeAll(() => {
    terraformVersion();
    const mirror = providerMirror();
    if (!mirror) throw new Error("no provider mirror found; set TERRAFORM_PROVIDER_MIRROR");
    const started = Date.now();
    const { binary, installed } = installedCdktfCli();
    console.log(`cdktf CLI ${installed ? "installed" : "found in the cache"} in ${Date.now() - started} ms: ${binary}`);
    cdktf = binary;
    const scratch = tempDir("cdktf-cli");
    // A copy, so that cdktf.out, .terraform and the local state stay in the temp folder.
    project = path.join(scratch, "queue-processor");
    for (const source of SOURCES) cpSync(path.join(PROJECT, source), path.join(project, source), { recursive: true });
    symlinkSync(path.join(PROJECT, "node_modules"), path.join(project, "node_modules"));
    const cliConfig = path.join(scratch, "terraform.rc");
    writeFileSync(
      cliConfig,
      `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
    );
    environment = offlineEnvironment(cliConfig);
  }, INSTALL_TIMEOUT_MS);

  it(
    "cdktf synth writes every stack with its committed provider lock, and prints each warning once",
    async () => {
      const { status, output } = await run("synth");
      expect(status, output).toBe(0);
      const warnings = annotations();
      expect(warnings.length).toBeGreaterThan(0);
      for (const warning of warnings) expect(lineCount(output, warning), `${warning.message}\n${output}`).toBe(1);
      for (const stack of ["dev", "staging", "prod"]) {
        const placed = readFileSync(path.join(project, "cdktf.out", "stacks", stack, ".terraform.lock.hcl"));
        expect(placed.equals(readFileSync(lockFileOf(stack)))).toBe(true);
      }
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it(
    "cdktf diff dev inits from the mirror with the lock, skips providers lock, and stops only at the missing credentials",
    async () => {
      const { status, output } = await run("diff", "dev");
      expect(status, output).not.toBe(0);
      expect(output).toContain("Reusing previous version of hashicorp/aws from the dependency lock file");
      expect(output).toContain("Terraform has been successfully initialized!");
      expect(output).not.toContain("Could not retrieve providers for locking");
      expect(output).toContain("No valid credential sources found");
      for (const warning of annotations()) expect(lineCount(output, warning), `${warning.message}\n${output}`).toBe(1);
      const lock = readFileSync(path.join(project, "cdktf.out", "stacks", "dev", ".terraform.lock.hcl"));
      expect(lock.equals(readFileSync(lockFileOf("dev"))), "terraform init changed the lock").toBe(true);
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );
});
