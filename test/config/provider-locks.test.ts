import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AWS_PROVIDER_VERSION_RANGE } from "@queue-processor/construct";
import { beforeAll, describe, expect, it } from "vitest";
import { lockFileOf, lockProblems, placeProviderLocks, requiredProviders } from "../../config/provider-locks.js";
import { parseLockFile } from "../../config/terraform-lock-file.js";
import { satisfiesConstraint } from "../../config/version-constraint.js";
import { init } from "../../review/terraform.js";
import { projectSynth } from "../support/shared-stacks.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

const AWS = "registry.terraform.io/hashicorp/aws";
const STACKS = ["dev", "staging", "prod"] as const;

function lockText(version: string, constraints: string, hashes = ['"h1:abc="']): string {
  return [
    '# This file is maintained automatically by "terraform init".',
    "",
    `provider "${AWS}" {`,
    `  version     = "${version}"`,
    `  constraints = "${constraints}"`,
    "  hashes = [",
    ...hashes.map((hash) => `    ${hash},`),
    "  ]",
    "}",
    "",
  ].join("\n");
}

describe("satisfiesConstraint", () => {
  it("meets every comma-separated part, as Terraform does", () => {
    expect(satisfiesConstraint("5.100.0", ">= 5.100.0, < 7.0.0")).toBe(true);
    expect(satisfiesConstraint("6.9.1", ">= 5.100.0, < 7.0.0")).toBe(true);
    expect(satisfiesConstraint("5.99.0", ">= 5.100.0, < 7.0.0")).toBe(false);
    expect(satisfiesConstraint("7.0.0", ">= 5.100.0, < 7.0.0")).toBe(false);
    expect(satisfiesConstraint("5.100.0", "5.100.0")).toBe(true);
    expect(satisfiesConstraint("5.100.1", "= 5.100.0")).toBe(false);
    expect(satisfiesConstraint("5.100.1", "!= 5.100.0")).toBe(true);
  });

  it("reads ~> as Terraform's pessimistic operator: the last given part may grow", () => {
    expect(satisfiesConstraint("5.200.0", "~> 5.100")).toBe(true);
    expect(satisfiesConstraint("6.0.0", "~> 5.100")).toBe(false);
    expect(satisfiesConstraint("5.100.9", "~> 5.100.0")).toBe(true);
    expect(satisfiesConstraint("5.101.0", "~> 5.100.0")).toBe(false);
    expect(satisfiesConstraint("5.0.0", "~> 5")).toBe(true);
  });

  it("refuses pre-releases and unknown syntax instead of guessing", () => {
    expect(() => satisfiesConstraint("5.100.0-beta1", ">= 5.0.0")).toThrow('(got "5.100.0-beta1")');
    expect(() => satisfiesConstraint("5.100.0", "=> 5.0.0")).toThrow('constraint part "=> 5.0.0"');
  });
});

describe("parseLockFile", () => {
  it("reads the version, constraints and hashes of each provider block", () => {
    expect(parseLockFile(lockText("5.100.0", ">= 5.100.0, < 7.0.0", ['"h1:a="', '"zh:b="']))).toEqual({
      [AWS]: { version: "5.100.0", constraints: ">= 5.100.0, < 7.0.0", hashes: ["h1:a=", "zh:b="] },
    });
  });

  it("names the line of anything a lock file Terraform writes does not hold", () => {
    expect(() => parseLockFile(`provider "${AWS}" {\n  version = "5.100.0"\n  pinned = true\n}\n`)).toThrow(
      'line 3 ("pinned = true"): expected version, constraints, hashes or }',
    );
    expect(() => parseLockFile(`provider "${AWS}" {\n  version = "5.100.0"\n`)).toThrow("is not closed");
  });
});

describe("lockProblems", () => {
  const required = { [AWS]: AWS_PROVIDER_VERSION_RANGE };

  it("is empty for a lock made for the stack's own constraint, at a version it allows", () => {
    expect(lockProblems(lockText("5.100.0", AWS_PROVIDER_VERSION_RANGE), required)).toEqual([]);
  });

  it("names a locked version the stack's constraint does not allow", () => {
    expect(lockProblems(lockText("4.67.0", AWS_PROVIDER_VERSION_RANGE), required)).toEqual([
      `${AWS} is locked at 4.67.0, which the stack's constraint "${AWS_PROVIDER_VERSION_RANGE}" does not allow`,
    ]);
  });

  it("names a lock made for another constraint (terraform init would rewrite it, and cdktf would re-lock)", () => {
    expect(lockProblems(lockText("5.100.0", "~> 5.0"), required)).toEqual([
      `${AWS} was locked for the constraint "~> 5.0", but the stack requires "${AWS_PROVIDER_VERSION_RANGE}"`,
    ]);
  });

  it("names a provider required but not locked, and one locked but not required", () => {
    const other = lockText("5.100.0", AWS_PROVIDER_VERSION_RANGE).replace(
      AWS,
      "registry.terraform.io/hashicorp/random",
    );
    expect(lockProblems(other, required)).toEqual([
      `${AWS} is required by the stack but not locked`,
      "registry.terraform.io/hashicorp/random is locked but the stack does not require it",
    ]);
  });

  it("names a lock with no hashes, which would verify nothing", () => {
    expect(lockProblems(lockText("5.100.0", AWS_PROVIDER_VERSION_RANGE, []), required)).toEqual([
      `${AWS} is locked with no hashes`,
    ]);
  });
});

describe("placeProviderLocks", () => {
  function synthesizedStack(outdir: string, stack: string): string {
    const stackDir = path.join(outdir, "stacks", stack);
    mkdirSync(stackDir, { recursive: true });
    const json = { terraform: { required_providers: { aws: { source: "aws", version: AWS_PROVIDER_VERSION_RANGE } } } };
    writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify(json));
    return stackDir;
  }

  it("reads the stack's required providers by their full address", () => {
    expect(requiredProviders(synthesizedStack(tempDir("locks-required"), "dev"))).toEqual({
      [AWS]: AWS_PROVIDER_VERSION_RANGE,
    });
  });

  it("fails closed for a stack without a lock: exit 1, the file named, and no lock left in its folder", () => {
    const outdir = tempDir("locks-missing");
    const stackDir = synthesizedStack(outdir, "qa");
    writeFileSync(path.join(stackDir, ".terraform.lock.hcl"), "stale");
    const lines: string[] = [];
    const locksDir = tempDir("locks-dir");
    expect(placeProviderLocks(outdir, ["qa"], { locksDir, log: (line) => lines.push(line) })).toBe(1);
    expect(lines.join("\n")).toContain(`Provider lock of stack "qa" (${lockFileOf("qa", locksDir)})`);
    expect(lines.join("\n")).toContain("the file does not exist");
    expect(lines.join("\n")).toContain("`npm run lock`");
    expect(existsSync(path.join(stackDir, ".terraform.lock.hcl"))).toBe(false);
  });

  it("fails closed for a lock whose version the stack does not allow", () => {
    const outdir = tempDir("locks-wrong");
    synthesizedStack(outdir, "qa");
    const locksDir = tempDir("locks-dir");
    writeFileSync(lockFileOf("qa", locksDir), lockText("4.67.0", AWS_PROVIDER_VERSION_RANGE));
    const lines: string[] = [];
    expect(placeProviderLocks(outdir, ["qa"], { locksDir, log: (line) => lines.push(line) })).toBe(1);
    expect(lines.join("\n")).toContain("is locked at 4.67.0");
  });
});

describe("the committed locks", () => {
  let outdir: string;
  beforeAll(async () => {
    outdir = await projectSynth();
  });

  it.each(STACKS)(
    "%s: npm run synth puts config/terraform-locks/%s.terraform.lock.hcl into the stack, unchanged",
    (stack) => {
      const committed = readFileSync(lockFileOf(stack));
      expect(readFileSync(path.join(outdir, "stacks", stack, ".terraform.lock.hcl")).equals(committed)).toBe(true);
      expect(lockProblems(committed.toString(), requiredProviders(path.join(outdir, "stacks", stack)))).toEqual([]);
    },
  );

  it(
    "pin the provider terraform init installs from the mirror, which leaves the lock as it is",
    async () => {
      const scratch = path.join(tempDir("locks-init"), "dev");
      cpSync(path.join(outdir, "stacks", "dev"), scratch, { recursive: true });
      await init(scratch);
      expect(readFileSync(path.join(scratch, ".terraform.lock.hcl")).equals(readFileSync(lockFileOf("dev")))).toBe(
        true,
      );
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );
});
