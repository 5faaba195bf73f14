import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hasAwsCredentials, withoutAwsCredentials } from "../../review/credentials.js";
import { tempDir } from "../support/temp-dirs.js";

function plan(args: string[], outdir: string) {
  return spawnSync("npm", ["run", "--silent", "plan", "--", ...args], {
    env: { ...withoutAwsCredentials(process.env), CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
}

describe("npm run plan", () => {
  it("plans dev offline without credentials: 18 creates, plan files next to the stack, clearly labelled", () => {
    const outdir = tempDir("plan");
    const result = plan(["dev"], outdir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("OFFLINE PLAN: no AWS credentials were found");
    expect(result.stdout).toContain("[offline] dev: Plan: 18 to add, 0 to change, 0 to destroy.");

    const stackDir = path.join(outdir, "stacks", "dev");
    for (const file of ["plan.bin", "plan.json", "plan.txt"])
      expect(existsSync(path.join(stackDir, file)), file).toBe(true);
    const json = JSON.parse(readFileSync(path.join(stackDir, "plan.json"), "utf8")) as {
      resource_changes: { mode: string; change: { actions: string[] } }[];
    };
    const creates = json.resource_changes.filter(
      (change) => change.mode === "managed" && change.change.actions.join() === "create",
    );
    expect(creates).toHaveLength(18);
    expect(readFileSync(path.join(stackDir, "plan.txt"), "utf8")).toMatch(
      /^OFFLINE PLAN: .*\n\n[\s\S]*Plan: 18 to add/,
    );
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
});

describe("hasAwsCredentials", () => {
  it("sees keys, a profile, web identity (OIDC in CI) or container credentials", () => {
    expect(hasAwsCredentials({})).toBe(false);
    expect(hasAwsCredentials({ AWS_ACCESS_KEY_ID: "AKIA" })).toBe(true);
    expect(hasAwsCredentials({ AWS_PROFILE: "prod" })).toBe(true);
    expect(hasAwsCredentials({ AWS_WEB_IDENTITY_TOKEN_FILE: "/tmp/token" })).toBe(true);
  });
});
