import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasAwsCredentials, withoutAwsCredentials } from "../../review/credentials.js";
import { planArguments, terraform } from "../../review/terraform.js";
import { tempDir } from "../support/temp-dirs.js";

function plan(args: string[], outdir: string) {
  return spawnSync("npm", ["run", "--silent", "plan", "--", ...args], {
    env: { ...withoutAwsCredentials(process.env), CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
}

describe("npm run plan", () => {
  it("plans dev offline without credentials: 19 creates, plan files next to the stack, clearly labelled", () => {
    const outdir = tempDir("plan");
    const result = plan(["dev"], outdir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("OFFLINE PLAN: no AWS credentials were found");
    expect(result.stdout).toContain("[offline] dev: Plan: 19 to add, 0 to change, 0 to destroy.");

    const stackDir = path.join(outdir, "stacks", "dev");
    for (const file of ["plan.bin", "plan.json", "plan.txt"])
      expect(existsSync(path.join(stackDir, file)), file).toBe(true);
    const json = JSON.parse(readFileSync(path.join(stackDir, "plan.json"), "utf8")) as {
      resource_changes: { mode: string; change: { actions: string[] } }[];
    };
    const creates = json.resource_changes.filter(
      (change) => change.mode === "managed" && change.change.actions.join() === "create",
    );
    expect(creates).toHaveLength(19);
    expect(readFileSync(path.join(stackDir, "plan.txt"), "utf8")).toMatch(
      /^OFFLINE PLAN: .*\n\n[\s\S]*Plan: 19 to add/,
    );
    // What the plan was made from, marked offline: npm run apply refuses to apply it.
    const fingerprint = JSON.parse(readFileSync(path.join(stackDir, "plan.fingerprint.json"), "utf8")) as {
      environment: string;
      offline: boolean;
      files: Record<string, string>;
    };
    expect(fingerprint).toMatchObject({ environment: "dev", offline: true });
    expect(Object.keys(fingerprint.files)).toContain("cdk.tf.json");
    // The dummy keys live in the scratch copy only, never in the stack a real deploy uses.
    expect(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).not.toContain("offline-plan-dummy");
  });

  it("names the allowed environments when given another", () => {
    const result = plan(["qa"], tempDir("plan-bad"));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('environment must be one of dev, staging, prod (got "qa")');
  });

  it("refuses an unknown option rather than ignore it", () => {
    const result = plan(["dev", "--ofline"], tempDir("plan-flag"));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option --ofline");
  });

  it("takes --no-lock, and refuses its misspellings rather than plan with the lock", () => {
    const accepted = plan(["qa", "--no-lock", "--offline"], tempDir("plan-no-lock"));
    expect(accepted.status).toBe(2);
    expect(accepted.stderr).toContain("usage: npm run plan -- <environment> [--offline] [--no-lock]");
    expect(accepted.stderr).not.toContain("unknown option");
    for (const misspelled of ["--nolock", "--no-lock=true", "--lock=false", "--no-locks"]) {
      const result = plan(["dev", misspelled], tempDir("plan-lock-flag"));
      expect(result.status, misspelled).toBe(2);
      expect(result.stderr, misspelled).toContain(`unknown option ${misspelled}`);
    }
  });
});

describe("planArguments", () => {
  /** A stack of terraform's built-in terraform_data only: no provider, so init and plan take milliseconds. */
  async function appliedStack(): Promise<string> {
    const dir = tempDir("plan-lock");
    writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({ resource: { terraform_data: { x: { input: "a" } } } }),
    );
    await terraform(dir, ["init", "-input=false", "-no-color"]);
    await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
    return dir;
  }

  /** `terraform console` holds the state lock for as long as its input stays open. */
  async function holdStateLock(dir: string): Promise<() => Promise<void>> {
    const console = spawn("terraform", ["console", "-no-color"], { cwd: dir, stdio: ["pipe", "ignore", "ignore"] });
    const ended = new Promise<void>((resolve) => console.once("close", () => resolve()));
    const lockInfo = path.join(dir, ".terraform.tfstate.lock.info"); // the local backend's record of the holder
    const deadline = Date.now() + 20_000;
    while (!existsSync(lockInfo)) {
      if (Date.now() > deadline) throw new Error(`terraform console took no state lock in ${dir} within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return async () => {
      console.stdin.end();
      await ended;
    };
  }

  it("plans without the lock when told to: a read-only plan runs while another holds the lock (real terraform)", async () => {
    const dir = await appliedStack();
    const release = await holdStateLock(dir);
    try {
      await expect(terraform(dir, planArguments({ lock: true }))).rejects.toThrow(/Error acquiring the state lock/);
      await terraform(dir, planArguments({ lock: false }));
      expect(existsSync(path.join(dir, "plan.bin"))).toBe(true);
    } finally {
      await release();
    }
  });

  it("keeps the lock by default for plans that are applied, and never adds a lock timeout", () => {
    expect(planArguments({ lock: true }).filter((arg) => arg.startsWith("-lock"))).toEqual([]);
    expect(planArguments({ lock: false }).filter((arg) => arg.startsWith("-lock"))).toEqual(["-lock=false"]);
    expect(planArguments({ lock: false })).toContain("-out=plan.bin");
  });
});

describe("hasAwsCredentials", () => {
  it("sees keys, a profile, web identity (OIDC in CI) or container credentials", () => {
    expect(hasAwsCredentials({})).toBe(false);
    expect(hasAwsCredentials({ AWS_ACCESS_KEY_ID: "AKIA" })).toBe(true);
    expect(hasAwsCredentials({ AWS_PROFILE: "prod" })).toBe(true);
    expect(hasAwsCredentials({ AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/token" })).toBe(true);
  });
});
