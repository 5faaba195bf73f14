/**
 * `npm run apply` applies exactly the saved plan that was reviewed, with real terraform. The stacks
 * here hold only terraform's built-in terraform_data (no provider, no AWS account): terraform plans and
 * applies them for real, offline, in milliseconds. The fingerprint check also runs on this project's
 * synthesized dev stack.
 */
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withoutAwsCredentials } from "../../review/credentials.js";
import {
  currentCommit,
  FINGERPRINT_FORMAT,
  fingerprintOf,
  type PlanFingerprint,
  SAVED_PLAN_FILES,
  sha256,
  stackChanges,
  stackFiles,
  writeFingerprint,
} from "../../review/plan-fingerprint.js";
import { planArguments, terraform } from "../../review/terraform.js";
import { projectSynth } from "../support/shared-stacks.js";
import { tempDir } from "../support/temp-dirs.js";

function apply(args: string[], outdir: string, extraEnv: NodeJS.ProcessEnv = {}) {
  return spawnSync("npm", ["run", "--silent", "apply", "--", ...args], {
    env: { ...withoutAwsCredentials(process.env), CDKTF_OUTDIR: outdir, ...extraEnv },
    encoding: "utf8",
  });
}

/** A dev "stack" of one terraform_data whose input is the plan's own time: a new plan would differ. */
function writeStack(outdir: string, input = "${plantimestamp()}"): string {
  const stackDir = path.join(outdir, "stacks", "dev");
  mkdirSync(stackDir, { recursive: true });
  const config = {
    resource: { terraform_data: { reviewed: { input } } },
    output: { applied: { value: "${terraform_data.reviewed.output}" } },
  };
  writeFileSync(path.join(stackDir, "cdk.tf.json"), `${JSON.stringify(config, null, 2)}\n`);
  return stackDir;
}

/** What `npm run plan` does after its synth: init, a plan with the lock, the fingerprint. */
async function savePlan(stackDir: string, environment = "dev"): Promise<PlanFingerprint> {
  await terraform(stackDir, ["init", "-input=false", "-no-color"]);
  await terraform(stackDir, planArguments({ lock: true }));
  const fingerprint = fingerprintOf(stackDir, {
    environment,
    commit: await currentCommit(process.cwd()),
    offline: false,
  });
  writeFingerprint(stackDir, fingerprint);
  return fingerprint;
}

/** The saved plan's files copied out of the stack folder, as the deploy's artifact holds them. */
function artifactOf(stackDir: string, name: string): string {
  const dir = tempDir(name);
  for (const file of [SAVED_PLAN_FILES.plan, SAVED_PLAN_FILES.fingerprint]) {
    cpSync(path.join(stackDir, file), path.join(dir, file));
  }
  return path.join(dir, SAVED_PLAN_FILES.plan);
}

async function plannedInput(stackDir: string, planFile: string): Promise<string> {
  const plan = JSON.parse(await terraform(stackDir, ["show", "-json", planFile])) as {
    planned_values: { root_module: { resources: { values: { input: string } }[] } };
  };
  return plan.planned_values.root_module.resources[0]!.values.input;
}

async function appliedOutput(stackDir: string): Promise<string> {
  return JSON.parse(await terraform(stackDir, ["output", "-json", "applied"])) as string;
}

/** Waits until the clock's second changes, so that a plan made now would carry another plantimestamp(). */
async function nextSecond(): Promise<void> {
  const now = new Date().toISOString().slice(0, 19);
  while (new Date().toISOString().slice(0, 19) === now) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe("npm run apply (real terraform, terraform_data stacks)", () => {
  it("applies the saved plan exactly: what is applied is what the plan said, not a new plan", async () => {
    const outdir = tempDir("apply-exact");
    const stackDir = writeStack(outdir);
    await savePlan(stackDir);
    const planned = await plannedInput(stackDir, SAVED_PLAN_FILES.plan);
    const planFile = artifactOf(stackDir, "apply-exact-artifact");
    await nextSecond();

    const result = apply(["dev", "--plan", planFile, "--no-synth"], outdir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("dev: Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    // A saved plan is applied without planning again: terraform prints no plan and asks nothing.
    expect(result.stdout).not.toMatch(/will perform the following actions|Plan: \d/);
    expect(await appliedOutput(stackDir)).toBe(planned);
    const state = JSON.parse(readFileSync(path.join(stackDir, "terraform.tfstate"), "utf8")) as {
      resources: { instances: { attributes: { input: { value: string }; output: { value: string } } }[] }[];
    };
    const { input, output } = state.resources[0]!.instances[0]!.attributes;
    expect([input.value, output.value]).toEqual([planned, planned]);
  });

  it("refuses a stack that changed after the plan, before terraform runs, naming each file", async () => {
    const outdir = tempDir("apply-changed");
    const stackDir = writeStack(outdir);
    await savePlan(stackDir);
    const planFile = artifactOf(stackDir, "apply-changed-artifact");
    writeStack(outdir, "not what was reviewed");
    mkdirSync(path.join(stackDir, "assets", "code"), { recursive: true });
    writeFileSync(path.join(stackDir, "assets", "code", "archive.zip"), "new code");

    const result = apply(["dev", "--plan", planFile, "--no-synth"], outdir);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("apply: refused: the dev stack in");
    expect(result.stderr).toMatch(/- cdk\.tf\.json: changed since the plan \(sha256 [0-9a-f]{12} -> [0-9a-f]{12}\)/);
    expect(result.stderr).toContain("- assets/code/archive.zip: added since the plan");
    expect(result.stderr).toContain("Make a new plan of this stack and have it reviewed.");
    // Terraform never ran: nothing was applied, so the local backend has no state.
    expect(existsSync(path.join(stackDir, "terraform.tfstate"))).toBe(false);
  });

  it("refuses a plan whose state changed since (another plan applied first): terraform's stale-plan refusal, exit 1", async () => {
    const outdir = tempDir("apply-stale");
    const stackDir = writeStack(outdir, "the same input");
    await savePlan(stackDir);
    const first = artifactOf(stackDir, "apply-stale-first");
    await savePlan(stackDir);
    const second = artifactOf(stackDir, "apply-stale-second");

    expect(apply(["dev", "--plan", second, "--no-synth"], outdir).status).toBe(0);
    const serial = JSON.parse(readFileSync(path.join(stackDir, "terraform.tfstate"), "utf8")).serial as number;
    const result = apply(["dev", "--plan", first, "--no-synth"], outdir);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      "apply: refused: the dev state changed after the plan was made (another apply ran since), so terraform refused the saved plan and changed nothing.",
    );
    expect(result.stderr).toContain("Error: Saved plan is stale");
    expect(JSON.parse(readFileSync(path.join(stackDir, "terraform.tfstate"), "utf8")).serial).toBe(serial);
  });

  it("fails with exit 1 and terraform's words when the apply itself fails", async () => {
    const outdir = tempDir("apply-failed");
    const stackDir = path.join(outdir, "stacks", "dev");
    mkdirSync(stackDir, { recursive: true });
    const failing = {
      input: "x",
      provisioner: [{ "local-exec": { command: "echo the-provisioner-failed >&2; exit 3" } }],
    };
    writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: { failing } } }));
    await savePlan(stackDir);
    const result = apply(["dev", "--plan", path.join(stackDir, SAVED_PLAN_FILES.plan), "--no-synth"], outdir);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(
      "apply: terraform's apply failed; what it changed before it stopped is in the state:",
    );
    expect(result.stderr).toContain("the-provisioner-failed");
    expect(result.stderr).not.toContain("refused");
  });

  it("refuses a plan file or lock file that is not the one the fingerprint names (exit 1)", async () => {
    const outdir = tempDir("apply-swapped");
    const stackDir = writeStack(outdir);
    await savePlan(stackDir);
    const planFile = artifactOf(stackDir, "apply-swapped-artifact");
    writeFileSync(planFile, "another plan");
    const swapped = apply(["dev", "--plan", planFile, "--no-synth"], outdir);
    expect(swapped.status).toBe(1);
    expect(swapped.stderr).toContain("is not the plan its fingerprint was made with");

    const locked = artifactOf(stackDir, "apply-lock-artifact");
    const fingerprintFile = path.join(path.dirname(locked), SAVED_PLAN_FILES.fingerprint);
    const fingerprint = JSON.parse(readFileSync(fingerprintFile, "utf8")) as PlanFingerprint;
    writeFileSync(
      fingerprintFile,
      JSON.stringify({ ...fingerprint, files: { ...fingerprint.files, [SAVED_PLAN_FILES.lock]: "0".repeat(64) } }),
    );
    writeFileSync(path.join(path.dirname(locked), SAVED_PLAN_FILES.lock), "# another provider lock\n");
    const lockResult = apply(["dev", "--plan", locked, "--no-synth"], outdir);
    expect(lockResult.status).toBe(1);
    expect(lockResult.stderr).toContain("is not the lock file the plan was made with");
  });
});

describe("npm run apply stopped by a signal", () => {
  it("tells terraform to stop, lets it write the state and release the lock, and exits 143 at SIGTERM", async () => {
    const outdir = tempDir("apply-signal");
    const stackDir = path.join(outdir, "stacks", "dev");
    mkdirSync(stackDir, { recursive: true });
    // A resource whose creation takes seconds: terraform is still applying it when the signal comes. The
    // provisioner marks its start, because a signal before it starts lets terraform finish the resource untainted.
    const provisionerStarted = path.join(outdir, "provisioner-started");
    const slow = {
      input: "x",
      provisioner: [{ "local-exec": { command: `touch '${provisionerStarted}'; sleep 5` } }],
    };
    writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: { slow } } }));
    await savePlan(stackDir);
    const command = spawn(
      process.execPath,
      ["scripts/run-ts.mjs", "review/apply.ts", "dev", "--plan", path.join(stackDir, "plan.bin"), "--no-synth"],
      { env: { ...withoutAwsCredentials(process.env), CDKTF_OUTDIR: outdir }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    command.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => command.once("close", (code) => resolve(code)));
    const lockInfo = path.join(stackDir, ".terraform.tfstate.lock.info"); // the local backend's lock, while it applies
    const deadline = Date.now() + 30_000;
    while (!existsSync(provisionerStarted)) {
      if (Date.now() > deadline) throw new Error(`terraform started no provisioner in ${stackDir} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(existsSync(lockInfo)).toBe(true);
    command.kill("SIGTERM");
    expect(await closed, stderr).toBe(143);
    expect(stderr).toContain("npm run apply: SIGTERM: stopping; terraform is told to stop first");
    expect(existsSync(lockInfo)).toBe(false);
    // Terraform wrote what it had started: the interrupted resource, tainted, for the next plan to replace.
    const state = JSON.parse(readFileSync(path.join(stackDir, "terraform.tfstate"), "utf8")) as {
      resources: { instances: { status?: string }[] }[];
    };
    expect(state.resources.map((resource) => resource.instances[0]?.status)).toEqual(["tainted"]);
  });
});

describe("npm run apply: bad input (exit 2, nothing applied)", () => {
  it("names what is wrong: a missing or folder plan file, an unknown environment, a plan of another environment", async () => {
    const outdir = tempDir("apply-input");
    const stackDir = writeStack(outdir);
    await savePlan(stackDir, "staging");
    const staging = artifactOf(stackDir, "apply-input-staging");
    const missing = path.join(outdir, "no-such-plan.bin");
    const cases: [string[], string][] = [
      [["dev", "--plan", missing, "--no-synth"], `the plan file ${missing} does not exist`],
      [["dev", "--plan", stackDir, "--no-synth"], `the plan file ${stackDir} is a folder, not a file`],
      [["qa", "--plan", staging], 'environment must be one of dev, staging, prod (got "qa")'],
      [["dev", "--plan", staging, "--no-synth"], `${staging} is a plan of staging, not of dev`],
      [["dev"], "--plan is required: the saved plan that was reviewed"],
      [["dev", "--plan"], "--plan needs the plan file after it"],
      [["dev", "--plan", staging, "--auto-approve"], "unknown option --auto-approve"],
      [["dev", "staging", "--plan", staging], 'environment must be one of dev, staging, prod (got "dev" "staging")'],
    ];
    for (const [args, message] of cases) {
      const result = apply(args, outdir);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(message);
    }
    expect(existsSync(path.join(stackDir, "terraform.tfstate"))).toBe(false);
  });

  it("refuses a plan with no fingerprint, a malformed fingerprint and an offline plan", async () => {
    const outdir = tempDir("apply-fingerprint");
    const stackDir = writeStack(outdir);
    const fingerprint = await savePlan(stackDir);
    const planFile = artifactOf(stackDir, "apply-fingerprint-artifact");
    const fingerprintFile = path.join(path.dirname(planFile), SAVED_PLAN_FILES.fingerprint);
    const cases: [string | undefined, string][] = [
      [undefined, `no ${SAVED_PLAN_FILES.fingerprint} next to ${planFile}`],
      ["{", "is not JSON"],
      [JSON.stringify({ ...fingerprint, format: "v0" }), "format must be"],
      [JSON.stringify({ ...fingerprint, plan: "abc" }), 'plan must be a sha256 (64 hex digits) (got "abc")'],
      [JSON.stringify({ ...fingerprint, files: { "cdk.tf.json": 1 } }), 'files["cdk.tf.json"] must be a sha256'],
      [JSON.stringify({ ...fingerprint, offline: true }), "is an offline plan (dummy keys, an empty state)"],
    ];
    for (const [text, message] of cases) {
      if (text === undefined) spawnSync("rm", [fingerprintFile]);
      else writeFileSync(fingerprintFile, text);
      const result = apply(["dev", "--plan", planFile, "--no-synth"], outdir);
      expect(result.status, message).toBe(2);
      expect(result.stderr, message).toContain(message);
    }
  });
});

describe("the fingerprint of a synthesized stack", () => {
  /** The fingerprint a plan of `stackDir` would get, for a plan file holding `plan`. */
  async function reviewedFingerprint(stackDir: string, plan: string): Promise<PlanFingerprint> {
    const commit = await currentCommit(process.cwd());
    const made = { format: FINGERPRINT_FORMAT, environment: "dev", commit, offline: false } as const;
    return { ...made, plan: sha256(plan), files: stackFiles(stackDir) };
  }

  it("refuses the project's dev stack synthesized with another backend, naming cdk.tf.json and nothing else", async () => {
    const reviewedDir = path.join(await projectSynth(), "stacks", "dev");
    const artifact = tempDir("apply-synth-artifact");
    const plan = "a plan of the reviewed stack";
    writeFileSync(path.join(artifact, SAVED_PLAN_FILES.plan), plan);
    // The plan job uploads the stack's provider lock beside the plan (synth places it in the stack).
    copyFileSync(path.join(reviewedDir, ".terraform.lock.hcl"), path.join(artifact, ".terraform.lock.hcl"));
    const reviewed = await reviewedFingerprint(reviewedDir, plan);
    writeFingerprint(artifact, reviewed);
    expect(Object.keys(reviewed.files).filter((name) => /^assets\/.*\.zip$/.test(name))).toHaveLength(1);

    const outdir = tempDir("apply-synth");
    // The state moved to S3 after the plan: the synthesized backend differs from the reviewed one.
    const result = apply(["dev", "--plan", path.join(artifact, SAVED_PLAN_FILES.plan)], outdir, {
      QP_STATE_BUCKET_DEV: "a-bucket-nobody-reviewed",
    });
    expect(result.status, result.stderr).toBe(1);
    const changed = [...result.stderr.matchAll(/^ {2}- (.+?): /gm)].map((match) => match[1]);
    expect(changed).toEqual(["cdk.tf.json"]);
    // Refused before terraform ran: no init in the stack folder.
    expect(existsSync(path.join(outdir, "stacks", "dev", ".terraform"))).toBe(false);
  });

  it("names a changed asset zip, and nothing in an identical copy", async () => {
    const copy = tempDir("apply-synth-copy");
    cpSync(path.join(await projectSynth(), "stacks", "dev"), copy, { recursive: true });
    const reviewed = await reviewedFingerprint(copy, "a plan");
    const commit = reviewed.commit;
    expect(stackChanges(reviewed, { commit, files: stackFiles(copy) })).toEqual([]);
    const zip = Object.keys(reviewed.files).find((name) => name.endsWith(".zip"));
    if (!zip) throw new Error(`no asset zip in ${copy}`);
    writeFileSync(path.join(copy, zip), Buffer.concat([readFileSync(path.join(copy, zip)), Buffer.from([0])]));
    const changes = stackChanges(reviewed, { commit, files: stackFiles(copy) });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatch(new RegExp(`^${zip.replaceAll(".", "\\.")}: changed since the plan`));
    expect(stackChanges(reviewed, { commit: "0".repeat(40), files: stackFiles(copy) })[0]).toBe(
      `commit: the plan was made at ${commit ?? "no commit"}, this is ${"0".repeat(40)}`,
    );
  });
});
