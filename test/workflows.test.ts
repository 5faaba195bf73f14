import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  allows,
  iamMatches,
  type PlanRoleDocument,
  type PolicyDocument,
  readOnlyFindings,
  trustFindings,
} from "./support/plan-role-rules.js";
import { projectSynth } from "./support/shared-stacks.js";
import { tempDir } from "./support/temp-dirs.js";
import {
  actionPins,
  appliedPlanFromThisRun,
  checkoutCredentials,
  checkWorkflows,
  expressionsInRun,
  installs,
  type Job,
  jobPermissions,
  mainOnlyPlans,
  protectedApplies,
  protectedPlans,
  pullRequestArtifacts,
  pullRequestTriggers,
  readOnlyPlanRoles,
  type Step,
  savedPlanApplies,
  topLevelPermissions,
  unlockedPlans,
  type WorkflowFile,
  workflowFile,
} from "./support/workflow-rules.js";

const DIR = ".github/workflows";
const files = readdirSync(DIR).filter((file) => file.endsWith(".yml"));
const workflows: Record<string, WorkflowFile> = Object.fromEntries(
  files.map((file) => [file, workflowFile(file, readFileSync(path.join(DIR, file), "utf8"))]),
);
const scripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>);
const ROLE_DOCUMENT = ".github/iam/plan-readonly-role.json";
const role = JSON.parse(readFileSync(ROLE_DOCUMENT, "utf8")) as PlanRoleDocument;

const stepsOf = (job: Job | undefined): readonly Step[] => job?.steps ?? [];
const allSteps = ({ workflow }: WorkflowFile) => Object.values(workflow.jobs).flatMap(stepsOf);
const jobOf = (file: string, name: string): Job => workflows[file]!.workflow.jobs[name]!;

/** A bad workflow for a rule to catch: a pull request workflow with one job of these steps. */
function pullRequestJob(steps: string, jobExtra = "", top = "permissions: {}"): WorkflowFile {
  const indented = steps
    .trim()
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
  const extra = jobExtra
    .trim()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return workflowFile(
    "bad.yml",
    `name: bad\non:\n  pull_request:\n${top}\njobs:\n  bad:\n    runs-on: ubuntu-latest\n${jobExtra ? `${extra}\n` : ""}    steps:\n${indented}\n`,
  );
}

const CHECKOUT = "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";
const CREDENTIALS = "uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df # v4.2.1";

describe("GitHub workflows", () => {
  it("parse as YAML, each with a name, triggers and jobs", () => {
    expect(files.sort()).toEqual(["deploy-environment.yml", "deploy.yml", "pull-request.yml"]);
    for (const [file, { workflow }] of Object.entries(workflows)) {
      expect(workflow.name, file).toEqual(expect.any(String));
      expect(workflow.on, file).toBeDefined();
      expect(Object.keys(workflow.jobs), file).not.toHaveLength(0);
    }
  });

  it("run only npm scripts that exist and reuse only workflows that exist", () => {
    for (const [file, workflow] of Object.entries(workflows)) {
      for (const step of allSteps(workflow)) {
        for (const match of (step.run ?? "").matchAll(/npm run (?:--silent )?([a-z:]+)/g)) {
          expect(scripts, `${file}: npm run ${match[1]}`).toContain(match[1]);
        }
      }
      for (const job of Object.values(workflow.workflow.jobs)) {
        if (job.uses?.startsWith("./")) expect(existsSync(job.uses), `${file}: ${job.uses}`).toBe(true);
      }
    }
  });

  it("keep every rule: pinned actions, no expression in run:, safe installs, least permissions, read-only PR plans", () => {
    expect(checkWorkflows(Object.values(workflows))).toEqual([]);
  });

  describe("pull-request.yml", () => {
    const file = "pull-request.yml";
    const { workflow } = workflows[file]!;

    it("tests and synthesizes every pull request, with no install scripts and no write token", () => {
      expect(Object.keys(workflow.on as object)).toEqual(["pull_request"]);
      const test = jobOf(file, "test");
      expect(test.permissions).toEqual({ contents: "read" });
      const runs = stepsOf(test).map((step) => step.run);
      expect(runs).toEqual(expect.arrayContaining(["npm ci --ignore-scripts", "npm test", "npm run synth"]));
    });

    it("reviews against the base branch with a read-only token and fails on blocking findings", () => {
      const review = jobOf(file, "review");
      expect(review.permissions).toEqual({ contents: "read" });
      const steps = stepsOf(review);
      expect(steps[0]).toMatchObject({ with: { "fetch-depth": 0, "persist-credentials": false } });
      const run = steps.find((step) => step.name === "Review against the base branch")!;
      expect(run.env).toEqual({ BASE_REF: "${{ github.base_ref }}" });
      expect(run.run).toContain('npm run --silent review -- --base "origin/$BASE_REF" --out review.md');
      const upload = steps.find((step) => step.uses?.startsWith("actions/upload-artifact@"))!;
      expect(upload.with).toMatchObject({ name: "terraform-review", path: "review.md" });
      expect(steps.at(-1)).toMatchObject({ if: "steps.review.outputs.status != '0'" });
    });

    it("reports a review that ended without a verdict (exit 2, 3, a signal) as failed, never an earlier report (the step's script run with a stand-in npm)", () => {
      const script = stepsOf(jobOf(file, "review")).find((step) => step.name === "Review against the base branch")!
        .run!;
      // The stand-in npm plays the review: it may write a report, then exits with the given status.
      const runStep = (status: number, writes: string | undefined, stale: string | undefined) => {
        const dir = tempDir("review-step");
        const bin = path.join(dir, "bin");
        mkdirSync(bin);
        const write = writes === undefined ? "" : `printf '%s' '${writes}' > review.md\n`;
        writeFileSync(path.join(bin, "npm"), `#!/bin/sh\n${write}exit ${status}\n`, { mode: 0o755 });
        if (stale !== undefined) writeFileSync(path.join(dir, "review.md"), stale);
        const result = spawnSync("bash", ["-e", "-c", script], {
          cwd: dir,
          encoding: "utf8",
          env: {
            PATH: `${bin}:/usr/bin:/bin`,
            BASE_REF: "main",
            GITHUB_OUTPUT: path.join(dir, "output"),
            GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
          },
        });
        expect(result.status, result.stderr).toBe(0);
        return {
          output: readFileSync(path.join(dir, "output"), "utf8"),
          report: readFileSync(path.join(dir, "review.md"), "utf8"),
          summary: readFileSync(path.join(dir, "summary"), "utf8"),
        };
      };
      const stale = "No blocking findings (an earlier run)";
      for (const [status, writes] of [
        [0, "No blocking findings."],
        [1, "1 blocking finding"],
      ] as const) {
        const step = runStep(status, writes, stale);
        expect(step.output).toBe(`status=${status}\n`);
        expect(step.report).toBe(writes);
        expect(step.summary).toBe(writes);
      }
      for (const [status, writes] of [
        [2, undefined],
        [3, undefined],
        [143, undefined],
        [3, "half a report"],
        [0, undefined],
        [1, ""],
      ] as const) {
        const step = runStep(status, writes, stale);
        expect(step.output).toBe(`status=${status}\n`);
        expect(step.report).toContain(`## Terraform review failed`);
        expect(step.report).toContain(`exit ${status}: this is no verdict`);
        expect(step.report).not.toContain(stale);
        expect(step.summary).toBe(step.report);
      }
    });

    it("posts the rendered review as one sticky comment from a job that runs nothing of the branch", () => {
      const comment = jobOf(file, "comment");
      expect(comment.permissions).toEqual({ "pull-requests": "write" });
      expect((comment as { needs?: string }).needs).toBe("review");
      const steps = stepsOf(comment);
      expect(steps.every((step) => step.run === undefined && !step.uses?.startsWith("actions/checkout@"))).toBe(true);
      expect(steps[0]).toMatchObject({ with: { name: "terraform-review" } });
      expect(steps.find((step) => step.uses?.startsWith("marocchino/sticky-pull-request-comment@"))).toMatchObject({
        with: { header: "terraform-review", path: "review.md" },
      });
    });

    it("plans dev with its read-only role: install first with scripts off, then credentials, then a plan without the lock", () => {
      const plan = jobOf(file, "plan-dev");
      expect(plan.permissions).toEqual({ contents: "read", "id-token": "write" });
      expect(plan.env).toMatchObject({ ENVIRONMENT: "dev", ROLE_ARN: "${{ vars.AWS_PLAN_READONLY_ROLE_ARN_DEV }}" });
      const steps = stepsOf(plan);
      expect(steps[0]).toMatchObject({ if: "env.ROLE_ARN == ''" });
      expect(steps[0]!.run).toContain("::notice title=Terraform plan skipped");
      const install = steps.findIndex((step) => step.run === "npm ci --ignore-scripts");
      const credentials = steps.findIndex((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const planStep = steps.findIndex((step) => step.run === 'npm run plan -- "$ENVIRONMENT" --no-lock');
      expect(install).toBeGreaterThan(0);
      expect(credentials).toBeGreaterThan(install);
      expect(planStep).toBeGreaterThan(credentials);
      expect(steps[credentials]).toMatchObject({
        if: "env.ROLE_ARN != ''",
        with: { "role-to-assume": "${{ env.ROLE_ARN }}" },
      });
    });

    it("plans staging and prod only after a reviewer approves their plan-<env> environment", () => {
      const plan = jobOf(file, "plan-protected");
      expect(plan.environment).toBe("plan-${{ matrix.environment }}");
      const entries = plan.strategy!.matrix!.include as { environment: string; role_variable: string }[];
      expect(entries.map((entry) => [entry.environment, entry.role_variable])).toEqual([
        ["staging", "AWS_PLAN_READONLY_ROLE_ARN_STAGING"],
        ["prod", "AWS_PLAN_READONLY_ROLE_ARN_PROD"],
      ]);
      expect(plan.if).toBe(
        "vars.AWS_PLAN_READONLY_ROLE_ARN_STAGING != '' || vars.AWS_PLAN_READONLY_ROLE_ARN_PROD != ''",
      );
      expect(stepsOf(plan).some((step) => step.run === 'npm run plan -- "$ENVIRONMENT" --no-lock')).toBe(true);
    });

    it("uploads nothing from the plans", () => {
      for (const job of ["plan-dev", "plan-protected"]) {
        expect(stepsOf(jobOf(file, job)).filter((step) => step.uses?.startsWith("actions/upload-artifact@"))).toEqual(
          [],
        );
      }
    });
  });

  describe("deploy.yml", () => {
    const { workflow } = workflows["deploy.yml"]!;
    const environment = workflows["deploy-environment.yml"]!.workflow;
    const plan = environment.jobs.plan!;
    const apply = environment.jobs.apply!;
    const credentialsStep = (job: Job) =>
      stepsOf(job).findIndex((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));

    it("deploys dev on merge to main, then staging, then prod, each through its GitHub environment", () => {
      expect(workflow.on).toEqual({ push: { branches: ["main"] } });
      expect(workflow.jobs.dev).toMatchObject({
        uses: "./.github/workflows/deploy-environment.yml",
        with: { environment: "dev" },
      });
      expect(workflow.jobs.staging).toMatchObject({ needs: "dev", with: { environment: "staging" } });
      expect(workflow.jobs.prod).toMatchObject({ needs: "staging", with: { environment: "prod" } });
      expect(apply.environment).toBe("${{ inputs.environment }}");
      expect(plan.environment).toBeUndefined();
      for (const job of Object.values(workflow.jobs)) {
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
      }
    });

    it("never runs two deploys of one environment at once, nor two deploy runs", () => {
      expect((apply as { concurrency?: unknown }).concurrency).toEqual({
        group: "deploy-${{ inputs.environment }}",
        "cancel-in-progress": false,
      });
      expect((workflow as { concurrency?: unknown }).concurrency).toEqual({
        group: "deploy",
        "cancel-in-progress": false,
      });
    });

    it("deploys with the environment's own role and state bucket, and refuses without them", () => {
      const steps = stepsOf(apply);
      expect(steps[0]!.if).toBe(
        "vars.AWS_DEPLOY_ROLE_ARN == '' || (env.QP_STATE_BUCKET_DEV == '' && env.QP_STATE_BUCKET_STAGING == '' && env.QP_STATE_BUCKET_PROD == '')",
      );
      expect(steps[0]!.run).toContain("exit 1");
      expect(steps[credentialsStep(apply)]!.with!["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
      expect(apply.env!.QP_STATE_BUCKET_PROD).toBe(
        "${{ inputs.environment == 'prod' && vars.TF_STATE_BUCKET_PROD || '' }}",
      );
      expect(apply.env!.ENVIRONMENT).toBe("${{ inputs.environment }}");
      // The plan and the apply synthesize the same backend, or the apply refuses (cdk.tf.json differs).
      for (const name of ["QP_STATE_BUCKET_DEV", "QP_STATE_BUCKET_STAGING", "QP_STATE_BUCKET_PROD"]) {
        expect(apply.env![name], name).toBe(plan.env![name]);
      }
      expect(stepsOf(plan)[0]!.if).toContain("env.ROLE_ARN == ''");
      expect(stepsOf(plan)[0]!.run).toContain("exit 1");
      expect(plan.env!.ROLE_ARN).toContain("vars.AWS_PLAN_READONLY_ROLE_ARN_PROD");
    });

    it("installs the dependencies before the credentials step, and no CDKTF CLI", () => {
      for (const job of [plan, apply]) {
        const install = stepsOf(job).findIndex((step) => step.run === "npm ci --ignore-scripts");
        expect(install).toBeGreaterThan(0);
        expect(install).toBeLessThan(credentialsStep(job));
      }
      expect(
        allSteps(workflows["deploy-environment.yml"]!).filter((step) =>
          /\bcdktf(-cli)?\b(?!\.out)/.test(step.run ?? ""),
        ),
      ).toEqual([]);
    });

    it("plans on main only and uploads the saved plan with its fingerprint and lock file", () => {
      expect(plan.if).toBe("github.ref == 'refs/heads/main'");
      const steps = stepsOf(plan);
      const planStep = steps.findIndex((step) => step.run === 'npm run plan -- "$ENVIRONMENT" --no-lock');
      const upload = steps.findIndex((step) => step.uses?.startsWith("actions/upload-artifact@"));
      expect(planStep).toBeGreaterThan(credentialsStep(plan));
      expect(upload).toBeGreaterThan(planStep);
      const uploaded = steps[upload]!.with!;
      expect(uploaded).toMatchObject({ name: "saved-plan-${{ inputs.environment }}", "include-hidden-files": true });
      expect(String(uploaded.path).trim().split("\n")).toEqual(
        ["plan.bin", "plan.fingerprint.json", "plan.txt", ".terraform.lock.hcl"].map(
          (file) => `cdktf.out/stacks/\${{ inputs.environment }}/${file}`,
        ),
      );
    });

    it("applies exactly this run's saved plan, after the approval, with npm run apply", () => {
      expect(apply.needs).toBe("plan");
      const steps = stepsOf(apply);
      const download = steps.findIndex((step) => step.uses?.startsWith("actions/download-artifact@"));
      expect(steps[download]!.with).toEqual({ name: "saved-plan-${{ inputs.environment }}", path: "saved-plan" });
      expect(download).toBeLessThan(credentialsStep(apply));
      expect(steps.at(-1)!.run).toBe('npm run apply -- "$ENVIRONMENT" --plan saved-plan/plan.bin');
    });

    it("shows the reviewers the plan in the plan job's summary (the step's script run on a plan.txt)", () => {
      const script = stepsOf(plan).find((step) => step.name === "Show the plan to the reviewers")!.run!;
      const dir = tempDir("deploy-summary");
      mkdirSync(path.join(dir, "cdktf.out", "stacks", "staging"), { recursive: true });
      writeFileSync(path.join(dir, "cdktf.out", "stacks", "staging", "plan.txt"), "Plan: 1 to add, 0 to change\n");
      const summary = path.join(dir, "summary");
      const result = spawnSync("bash", ["-e", "-c", script], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin", ENVIRONMENT: "staging", GITHUB_STEP_SUMMARY: summary },
      });
      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(summary, "utf8")).toBe(
        "## The plan of staging that the apply job applies\n```\nPlan: 1 to add, 0 to change\n```\n",
      );
    });
  });
});

describe("workflow rules catch what they are for", () => {
  it("apply the pull request rules to the reusable workflows a pull request calls, however deep", () => {
    const caller = workflowFile(
      "caller.yml",
      "name: c\non:\n  pull_request:\npermissions: {}\njobs:\n  plan:\n    uses: ./.github/workflows/middle.yml\n",
    );
    const middle = workflowFile(
      "middle.yml",
      "name: m\non:\n  workflow_call:\npermissions: {}\njobs:\n  plan:\n    uses: ./.github/workflows/plan.yml\n",
    );
    const plan = workflowFile(
      "plan.yml",
      "name: p\non:\n  workflow_call:\npermissions: {}\njobs:\n  plan:\n    runs-on: ubuntu-latest\n" +
        "    steps:\n      - run: npm run plan -- dev\n",
    );
    expect(checkWorkflows([caller, middle, plan])).toEqual([
      "plan.yml [unlockedPlans] job plan, step 1: npm run plan -- dev takes the state lock (add --no-lock)",
    ]);
    const onPush = workflowFile("caller.yml", caller.source.replace("pull_request", "push"));
    expect(checkWorkflows([onPush, middle, plan])).toEqual([]);
  });

  it("actionPins: a tag, a branch, a short SHA, or a SHA without its version comment", () => {
    const bad = [
      "uses: actions/checkout@v4",
      "uses: actions/checkout@main",
      "uses: actions/checkout@11bd719",
      "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
      "uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # latest",
      "uses: ACTIONS/checkout@11BD71901BBE5B1630CEEA73D27597364C9AF683 # v4.2.2",
      "uses: docker://alpine:3",
    ];
    for (const step of bad) expect(actionPins(pullRequestJob(`- ${step}`)), step).toHaveLength(1);
    const reusable = workflowFile(
      "bad.yml",
      "on: push\njobs:\n  call:\n    uses: acme/workflows/.github/workflows/x.yml@v1\n",
    );
    expect(actionPins(reusable)).toHaveLength(1);
    expect(actionPins(pullRequestJob(`- ${CHECKOUT}\n  with:\n    persist-credentials: false`))).toEqual([]);
  });

  it("expressionsInRun: github, inputs, step outputs, matrix and env expressions in a script", () => {
    const bad = [
      'run: echo "${{ github.event.pull_request.title }}"',
      "run: npm run plan -- ${{ inputs.environment }}",
      "run: exit ${{ steps.review.outputs.status }}",
      "run: |\n    set -e\n    npm run plan -- ${{matrix.environment}} --no-lock",
      'run: >\n    echo "${{ env.ROLE_ARN }}"',
    ];
    for (const step of bad) expect(expressionsInRun(pullRequestJob(`- ${step}`)), step).toHaveLength(1);
    expect(
      expressionsInRun(
        pullRequestJob('- env:\n    TITLE: ${{ github.event.pull_request.title }}\n  run: echo "$TITLE"'),
      ),
    ).toEqual([]);
  });

  it("installs: install scripts on (project or tool), a floating tool, any install once the job holds credentials", () => {
    const scriptsOn = [
      "run: npm ci",
      "run: npm install",
      "run: npm i --no-audit",
      "run: npm clean-install",
      "run: yarn",
      "run: pnpm install",
    ];
    for (const step of scriptsOn) expect(installs(pullRequestJob(`- ${step}`)), step).toHaveLength(1);
    expect(installs(pullRequestJob("- run: npm install --global cdktf-cli@0.21.0"))).toHaveLength(1);
    expect(installs(pullRequestJob("- run: npm install --global --ignore-scripts cdktf-cli"))).toHaveLength(1);
    expect(installs(pullRequestJob("- run: npm install -g --ignore-scripts cdktf-cli@latest"))).toHaveLength(1);
    const afterCredentials = [
      `- ${CREDENTIALS}\n- run: npm ci --ignore-scripts`,
      `- ${CREDENTIALS}\n- run: npx --yes cdktf-cli@0.21.0 deploy dev`,
      `- ${CREDENTIALS}\n- run: npm install --global --ignore-scripts cdktf-cli@0.21.0`,
      `- ${CREDENTIALS}\n- run: |\n    cd app && npm ci --ignore-scripts`,
      "- env:\n    AWS_ACCESS_KEY_ID: x\n  run: npm ci --ignore-scripts",
      '- run: echo "AWS_ACCESS_KEY_ID=x" >> "$GITHUB_ENV"\n- run: npm ci --ignore-scripts',
    ];
    for (const steps of afterCredentials) expect(installs(pullRequestJob(steps)), steps).toHaveLength(1);
    const jobCredentials = pullRequestJob("- run: npm ci --ignore-scripts", "env:\n  AWS_SECRET_ACCESS_KEY: x");
    expect(installs(jobCredentials)).toHaveLength(1);
    expect(
      installs(
        pullRequestJob(`- run: npm ci --ignore-scripts\n- ${CREDENTIALS}\n- run: npm run plan -- dev --no-lock`),
      ),
    ).toEqual([]);
  });

  it("unlockedPlans: npm run plan without --no-lock, terraform plan with the lock, the CDKTF CLI", () => {
    const bad = [
      "run: npm run plan -- dev",
      'run: npm run --silent plan -- "$ENVIRONMENT"',
      "run: terraform -chdir=cdktf.out/stacks/dev plan -out=plan.bin",
      "run: cdktf diff dev",
      "run: npx --yes cdktf-cli@0.21.0 diff dev",
    ];
    for (const step of bad) expect(unlockedPlans(pullRequestJob(`- ${step}`)), step).toHaveLength(1);
    expect(unlockedPlans(pullRequestJob("- run: terraform plan -lock=false -out=plan.bin"))).toEqual([]);
  });

  it("readOnlyPlanRoles: a deploy role, a write-capable plan role, a literal ARN, a secret, keys", () => {
    const bad = [
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ vars.AWS_DEPLOY_ROLE_ARN }}`,
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ vars.AWS_PLAN_ROLE_ARN_DEV }}`,
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: arn:aws:iam::123456789012:role/admin`,
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ secrets.PLAN_ROLE }}`,
      `- ${CREDENTIALS}\n  with:\n    aws-access-key-id: \${{ secrets.KEY }}`,
      "- env:\n    AWS_ACCESS_KEY_ID: ${{ secrets.KEY }}\n  run: npm run plan -- dev --no-lock",
    ];
    for (const steps of bad) expect(readOnlyPlanRoles(pullRequestJob(steps)), steps).toHaveLength(1);
    const throughEnv = pullRequestJob(
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ env.ROLE_ARN }}`,
      "env:\n  ROLE_ARN: ${{ vars.AWS_DEPLOY_ROLE_ARN }}",
    );
    expect(readOnlyPlanRoles(throughEnv)).toHaveLength(1);
    const throughMatrix = pullRequestJob(
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ vars[matrix.role] }}`,
      "strategy:\n  matrix:\n    include:\n      - role: AWS_PLAN_READONLY_ROLE_ARN_DEV\n      - role: AWS_DEPLOY_ROLE_ARN",
    );
    expect(readOnlyPlanRoles(throughMatrix)).toHaveLength(1);
  });

  it("protectedPlans: staging or prod planned with no environment, or in a deploy environment", () => {
    const credentials = `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ vars.AWS_PLAN_READONLY_ROLE_ARN_PROD }}`;
    expect(protectedPlans(pullRequestJob(credentials))).toHaveLength(1);
    expect(protectedPlans(pullRequestJob(credentials, "environment: prod"))).toHaveLength(1);
    expect(protectedPlans(pullRequestJob(credentials, "environment:\n  name: production"))).toHaveLength(1);
    const matrix = pullRequestJob(
      `- ${CREDENTIALS}\n  with:\n    role-to-assume: \${{ vars[matrix.role] }}`,
      "environment: ${{ matrix.environment }}\nstrategy:\n  matrix:\n    include:\n" +
        "      - { environment: staging, role: AWS_PLAN_READONLY_ROLE_ARN_STAGING }\n" +
        "      - { environment: prod, role: AWS_PLAN_READONLY_ROLE_ARN_PROD }",
    );
    expect(protectedPlans(matrix)).toHaveLength(2);
    expect(protectedPlans(pullRequestJob(credentials, "environment: plan-prod"))).toEqual([]);
  });

  it("checkoutCredentials: a checkout that keeps its token, by default or on purpose", () => {
    expect(checkoutCredentials(pullRequestJob(`- ${CHECKOUT}`))).toHaveLength(1);
    expect(checkoutCredentials(pullRequestJob(`- ${CHECKOUT}\n  with:\n    fetch-depth: 0`))).toHaveLength(1);
    expect(checkoutCredentials(pullRequestJob(`- ${CHECKOUT}\n  with:\n    persist-credentials: true`))).toHaveLength(
      1,
    );
  });

  it("pullRequestArtifacts: plan.json, the binary plan, state, the whole build folder, a glob", () => {
    const bad = [
      "cdktf.out/stacks/dev/plan.json",
      "plan.bin",
      "cdktf.out/stacks/dev/plan.txt",
      "terraform.dev.tfstate",
      "cdktf.out/",
      "**/*.md",
      ".",
    ];
    const upload = "uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2";
    for (const file of bad) {
      expect(pullRequestArtifacts(pullRequestJob(`- ${upload}\n  with:\n    path: "${file}"`)), file).toHaveLength(1);
    }
    const several = pullRequestJob(
      `- ${upload}\n  with:\n    path: |\n      review.md\n      cdktf.out/stacks/prod/plan.json`,
    );
    expect(pullRequestArtifacts(several)).toHaveLength(1);
  });

  it("topLevelPermissions: none declared, write-all, read-all, a write, more than contents: read", () => {
    const tops = [
      "",
      "permissions: write-all",
      "permissions: read-all",
      "permissions:\n  pull-requests: write",
      "permissions:\n  contents: read\n  id-token: write",
    ];
    for (const top of tops)
      expect(topLevelPermissions(pullRequestJob("- run: true", "", top)).length, top).toBeGreaterThan(0);
    expect(topLevelPermissions(pullRequestJob("- run: true", "", "permissions:\n  contents: read"))).toEqual([]);
  });

  it("jobPermissions: a commenter that runs code, a token minted for nothing, other writes", () => {
    const write = (scopes: string) => `permissions:\n${scopes}`;
    const cases: [string, string][] = [
      ["- run: npm ci --ignore-scripts", write("  pull-requests: write")],
      [`- ${CHECKOUT}\n  with:\n    persist-credentials: false`, write("  pull-requests: write")],
      ["- run: npm run lint", write("  contents: read\n  id-token: write")],
      ["- run: true", write("  contents: write")],
      ["- run: true", write("  actions: write")],
      ["- run: true", "permissions: write-all"],
    ];
    for (const [steps, extra] of cases)
      expect(jobPermissions(pullRequestJob(steps, extra)).length, extra).toBeGreaterThan(0);
  });

  /** The project's deploy-environment.yml with each `[from, to]` replaced (each `from` must occur once). */
  function deployVariant(...replacements: [string, string][]): WorkflowFile {
    let source = workflows["deploy-environment.yml"]!.source;
    for (const [from, to] of replacements) {
      expect(source.split(from), `deploy-environment.yml holds ${from} once`).toHaveLength(2);
      source = source.replace(from, to);
    }
    return workflowFile("deploy-environment.yml", source);
  }
  const APPLY_STEP = 'run: npm run apply -- "$ENVIRONMENT" --plan saved-plan/plan.bin';
  const APPLY_ENVIRONMENT = "    environment: ${{ inputs.environment }}\n";
  const PLAN_IF = "    if: github.ref == 'refs/heads/main'\n";

  it("savedPlanApplies: cdktf deploy, terraform apply without a plan file, npm run apply without --plan", () => {
    const bad = [
      'run: cdktf deploy "$ENVIRONMENT" --auto-approve',
      "run: npx --yes cdktf-cli@0.21.0 deploy dev",
      "run: terraform -chdir=cdktf.out/stacks/dev apply -auto-approve -input=false",
      'run: npm run apply -- "$ENVIRONMENT"',
      "run: |\n          terraform init -input=false\n          terraform apply -auto-approve",
    ];
    for (const step of bad) expect(savedPlanApplies(deployVariant([APPLY_STEP, step])), step).toHaveLength(1);
    expect(
      savedPlanApplies(deployVariant([APPLY_STEP, "run: terraform apply -input=false saved-plan/plan.bin"])),
    ).toEqual([]);
  });

  it("appliedPlanFromThisRun: another run's artifact, an artifact no needed job uploads, a plan made in the apply job", () => {
    const download = "          name: saved-plan-${{ inputs.environment }}\n          path: saved-plan\n";
    const bad: [string, string][][] = [
      [[download, `${download}          run-id: \${{ inputs.run }}\n          github-token: \${{ github.token }}\n`]],
      [[download, download.replace("saved-plan-", "reviewed-plan-")]],
      [["    needs: plan\n", ""]],
      [[APPLY_STEP, 'run: npm run apply -- "$ENVIRONMENT" --plan cdktf.out/stacks/dev/plan.bin']],
      [
        [
          APPLY_STEP,
          `run: |\n          npm run plan -- "$ENVIRONMENT"\n          npm run apply -- "$ENVIRONMENT" --plan saved-plan/plan.bin`,
        ],
      ],
      [
        [
          "      - uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0\n        with:\n" +
            download,
          "",
        ],
      ],
    ];
    for (const replacements of bad) {
      expect(appliedPlanFromThisRun(deployVariant(...replacements)), JSON.stringify(replacements)).toHaveLength(1);
    }
  });

  it("protectedApplies: an apply with no environment, in a plan environment, or in one from elsewhere", () => {
    const bad = [
      "",
      "    environment: plan-prod\n",
      "    environment: ${{ github.event.inputs.target }}\n",
      "    environment:\n      name: production\n",
    ];
    for (const line of bad) {
      expect(protectedApplies(deployVariant([APPLY_ENVIRONMENT, line])), line).toHaveLength(1);
    }
    expect(protectedApplies(deployVariant([APPLY_ENVIRONMENT, "    environment: prod\n"]))).toEqual([]);
  });

  it("mainOnlyPlans: a plan job with no condition, another branch, or main or something else", () => {
    const bad = [
      "",
      "    if: github.ref != 'refs/heads/main'\n",
      "    if: github.ref == 'refs/heads/develop'\n",
      "    if: github.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'\n",
      "    if: always()\n",
    ];
    for (const line of bad) expect(mainOnlyPlans(deployVariant([PLAN_IF, line])), line).toHaveLength(1);
    for (const line of [
      "    if: ${{ github.ref == 'refs/heads/main' }}\n",
      "    if: github.event_name == 'push' && github.ref == 'refs/heads/main'\n",
    ]) {
      expect(mainOnlyPlans(deployVariant([PLAN_IF, line])), line).toEqual([]);
    }
  });

  it("pullRequestTriggers: pull_request_target in any form", () => {
    for (const on of [
      "pull_request_target",
      "[push, pull_request_target]",
      "\n  pull_request_target:\n    types: [opened]",
    ]) {
      const file = workflowFile(
        "bad.yml",
        `on: ${on}\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: true\n`,
      );
      expect(pullRequestTriggers(file), on).toHaveLength(1);
    }
  });
});

describe("the read-only plan role (.github/iam/plan-readonly-role.json)", () => {
  const policyFor = (environment: string): PolicyDocument =>
    JSON.parse(JSON.stringify(role.permissionsPolicy).replaceAll("<ENV>", environment)) as PolicyDocument;

  it("allows only reads, of the state (no write, no lock) and of the stack's resources", () => {
    expect(readOnlyFindings(role.permissionsPolicy)).toEqual([]);
    const allowed = role.permissionsPolicy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) =>
      [s.Action].flat(),
    );
    const refreshed = Object.values(role.readActionsByResourceType).flat();
    expect(new Set(allowed)).toEqual(new Set([...refreshed, "s3:GetObject", "s3:ListBucket"]));
  });

  it("catches write access in a bad copy: PutObject, s3:*, a lock table, a write verb, wildcards, no Deny", () => {
    const statement = (
      Action: string | string[],
      Resource: string | string[] = "arn:aws:sqs:us-east-1:1:orders-dev-queue",
    ) => ({
      Version: "2012-10-17",
      Statement: [...role.permissionsPolicy.Statement, { Sid: "Bad", Effect: "Allow" as const, Action, Resource }],
    });
    const bad: PolicyDocument[] = [
      statement("s3:PutObject", "arn:aws:s3:::<STATE_BUCKET>/*"),
      statement("s3:*", "arn:aws:s3:::<STATE_BUCKET>"),
      statement(["dynamodb:PutItem", "dynamodb:DeleteItem"], "arn:aws:dynamodb:us-east-1:1:table/terraform-locks"),
      statement("sqs:SetQueueAttributes"),
      statement("lambda:Get*"),
      statement("sqs:GetQueueAttributes", "*"),
      statement("iam:GetRole", "arn:aws:iam::1:*"),
      { Version: "2012-10-17", Statement: role.permissionsPolicy.Statement.filter((s) => s.Effect !== "Deny") },
    ];
    for (const policy of bad)
      expect(readOnlyFindings(policy).length, JSON.stringify(policy.Statement.at(-1))).toBeGreaterThan(0);
  });

  it("lets each environment's plan read its own stack's resources and state, and no other environment's", async () => {
    const outdir = await projectSynth();
    const types = new Set<string>();
    for (const environment of ["dev", "staging", "prod"]) {
      const stack = JSON.parse(readFileSync(path.join(outdir, "stacks", environment, "cdk.tf.json"), "utf8")) as {
        resource: Record<string, Record<string, Record<string, unknown>>>;
      };
      for (const type of Object.keys(stack.resource)) types.add(type);
      for (const type of Object.keys(stack.resource))
        expect(Object.keys(role.readActionsByResourceType), "resource types with documented reads").toContain(type);
      const arns = resourceArns(stack.resource);
      expect(arns.length).toBeGreaterThan(10);
      const own = policyFor(environment);
      const other = policyFor(environment === "prod" ? "dev" : "prod");
      for (const { type, arn } of arns) {
        for (const action of role.readActionsByResourceType[type]!) {
          expect(allows(own, action, arn), `${environment}: ${action} on ${arn}`).toBe(true);
          const unscoped = action === "logs:DescribeLogGroups" || action === "cloudwatch:DescribeAlarms";
          if (!arn.includes("event-source-mapping") && !unscoped) {
            expect(allows(other, action, arn), `another environment's role: ${action} on ${arn}`).toBe(false);
          }
        }
      }
      const state = `arn:aws:s3:::<STATE_BUCKET>/queue-processor/orders/${environment}.tfstate`;
      expect(allows(own, "s3:GetObject", state)).toBe(true);
      expect(allows(own, "s3:PutObject", state)).toBe(false);
      expect(allows(own, "s3:PutObject", `${state}.tflock`)).toBe(false);
      expect(allows(other, "s3:GetObject", state)).toBe(false);
    }
    // Every documented type is one some stack has (prod alone has the archive bucket's).
    expect([...types].sort()).toEqual(Object.keys(role.readActionsByResourceType).sort());
  });

  it("is assumed only through GitHub's OIDC, by the pull request (dev) or the approved plan-<env> environment, and by the deploy's plan of main", () => {
    expect(Object.keys(role.trustPolicies)).toEqual(["dev", "staging", "prod"]);
    const planJob = workflows["pull-request.yml"]!.workflow.jobs["plan-protected"]!;
    expect(planJob.environment).toBe("plan-${{ matrix.environment }}");
    // The deploy's plan job runs in no environment, on main only: its token's subject is the branch.
    const deployPlan = workflows["deploy-environment.yml"]!.workflow.jobs.plan!;
    expect([deployPlan.environment, deployPlan.if]).toEqual([undefined, "github.ref == 'refs/heads/main'"]);
    const pullRequestSubjects: Record<string, string> = {
      dev: "repo:<ORG>/<REPO>:pull_request",
      staging: "repo:<ORG>/<REPO>:environment:plan-staging",
      prod: "repo:<ORG>/<REPO>:environment:plan-prod",
    };
    for (const [environment, subject] of Object.entries(pullRequestSubjects)) {
      const policy = role.trustPolicies[environment]!;
      const [pullRequest, main, ...others] = policy.Statement;
      expect(others, environment).toEqual([]);
      expect(trustFindings({ ...policy, Statement: [pullRequest!] }, subject)).toEqual([]);
      expect(trustFindings({ ...policy, Statement: [main!] }, "repo:<ORG>/<REPO>:ref:refs/heads/main")).toEqual([]);
    }
  });

  it("catches a loose trust policy: a wildcard subject, a deploy environment, no audience, another principal", () => {
    const subject = "repo:<ORG>/<REPO>:pull_request";
    const trust = (condition: Record<string, Record<string, string>>, extra: object = {}): PolicyDocument => ({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: condition,
          ...extra,
        },
      ],
    });
    const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
    const bad = [
      trust({ StringLike: { ...aud, "token.actions.githubusercontent.com:sub": "repo:<ORG>/<REPO>:*" } }),
      trust({
        StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:<ORG>/<REPO>:environment:prod" },
      }),
      trust({ StringEquals: { "token.actions.githubusercontent.com:sub": subject } }),
      trust({ StringEquals: aud }),
      trust(
        { StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": subject } },
        { Principal: { AWS: "*" } },
      ),
      trust(
        { StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": subject } },
        { Action: "sts:AssumeRole" },
      ),
    ];
    for (const policy of bad) expect(trustFindings(policy, subject).length, JSON.stringify(policy)).toBeGreaterThan(0);
  });

  it("matches ARNs as IAM does", () => {
    expect(
      iamMatches(
        "arn:aws:sqs:us-east-1:<ACCOUNT_ID>:orders-dev-*",
        "arn:aws:sqs:us-east-1:<ACCOUNT_ID>:orders-dev-dlq",
      ),
    ).toBe(true);
    expect(
      iamMatches(
        "arn:aws:sqs:us-east-1:<ACCOUNT_ID>:orders-dev-*",
        "arn:aws:sqs:us-east-1:<ACCOUNT_ID>:orders-prod-dlq",
      ),
    ).toBe(false);
    expect(iamMatches("lambda:Get?unction", "lambda:GetFunction")).toBe(true);
  });
});

/** Each resource's ARN in the documented account and region, from its synthesized configuration. */
function resourceArns(
  resources: Record<string, Record<string, Record<string, unknown>>>,
): { type: string; arn: string }[] {
  const account = "arn:aws:%s:us-east-1:<ACCOUNT_ID>:";
  const base = (service: string) => account.replace("%s", service);
  const queues = Object.values(resources.aws_sqs_queue ?? {}).map((queue) => `${base("sqs")}${queue.name}`);
  const roles = Object.values(resources.aws_iam_role ?? {}).map((r) => `arn:aws:iam::<ACCOUNT_ID>:role/${r.name}`);
  const buckets = Object.values(resources.aws_s3_bucket ?? {}).map(
    (r) => `arn:aws:s3:::${r.bucket_prefix}20261130000000000000000001`,
  );
  const named: Record<string, (resource: Record<string, unknown>) => string[]> = {
    aws_cloudwatch_log_group: (r) => [`${base("logs")}log-group:${r.name}`],
    aws_cloudwatch_metric_alarm: (r) => [`${base("cloudwatch")}alarm:${r.alarm_name}`],
    aws_dynamodb_table: (r) => [`${base("dynamodb")}table/${r.name}`],
    aws_iam_role: (r) => [`arn:aws:iam::<ACCOUNT_ID>:role/${r.name}`],
    aws_iam_role_policy: () => roles,
    aws_lambda_event_source_mapping: () => [
      `${base("lambda")}event-source-mapping:0f8b7e2a-4c1d-4e5f-9a6b-7c8d9e0f1a2b`,
    ],
    aws_lambda_function: (r) => [`${base("lambda")}function:${r.function_name}`],
    aws_sns_topic: (r) => [`${base("sns")}${r.name}`],
    aws_sqs_queue: (r) => [`${base("sqs")}${r.name}`],
    aws_sqs_queue_policy: () => queues,
    aws_sqs_queue_redrive_allow_policy: () => queues,
    aws_sqs_queue_redrive_policy: () => queues,
    // Terraform names the archive bucket: its bucket_prefix, then a unique suffix.
    aws_s3_bucket: (r) => [`arn:aws:s3:::${r.bucket_prefix}20261130000000000000000001`],
    aws_s3_bucket_lifecycle_configuration: () => buckets,
    aws_s3_bucket_ownership_controls: () => buckets,
    aws_s3_bucket_policy: () => buckets,
    aws_s3_bucket_public_access_block: () => buckets,
    aws_s3_bucket_server_side_encryption_configuration: () => buckets,
    aws_s3_bucket_versioning: () => buckets,
  };
  return Object.entries(resources).flatMap(([type, instances]) =>
    Object.values(instances).flatMap((resource) => {
      const arnsOf = named[type];
      if (!arnsOf) throw new Error(`no ARN known for ${type}: add it here and its reads to ${ROLE_DOCUMENT}`);
      return arnsOf(resource).map((arn) => ({ type, arn }));
    }),
  );
}
