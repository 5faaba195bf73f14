import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const DIR = ".github/workflows";
const files = readdirSync(DIR).filter((file) => file.endsWith(".yml"));
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML; each test reads the keys it asserts on
type Workflow = Record<string, any>;
const workflows = Object.fromEntries(
  files.map((file) => [file, parse(readFileSync(path.join(DIR, file), "utf8")) as Workflow]),
);
const scripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>);

type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; name?: string; id?: string };
const stepsOf = (job: { steps?: Step[] }) => job.steps ?? [];
const allSteps = (workflow: Workflow) =>
  Object.values(workflow.jobs as Record<string, { steps?: Step[] }>).flatMap(stepsOf);

describe("GitHub workflows", () => {
  it("parse as YAML, each with a name, triggers and jobs", () => {
    expect(files.sort()).toEqual(["deploy-environment.yml", "deploy.yml", "pull-request.yml"]);
    for (const [file, workflow] of Object.entries(workflows)) {
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
      for (const job of Object.values(workflow.jobs as Record<string, { uses?: string }>)) {
        if (job.uses?.startsWith("./")) expect(existsSync(job.uses), `${file}: ${job.uses}`).toBe(true);
      }
    }
  });

  describe("pull-request.yml", () => {
    const workflow = workflows["pull-request.yml"]!;

    it("tests and synthesizes every pull request", () => {
      expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
      const runs = stepsOf(workflow.jobs.test).map((step) => step.run);
      expect(runs).toEqual(expect.arrayContaining(["npm ci", "npm test", "npm run synth"]));
    });

    it("posts the review against the base branch as one sticky comment and fails on blocking findings", () => {
      const review = workflow.jobs.review;
      expect(review.permissions["pull-requests"]).toBe("write");
      const steps = stepsOf(review);
      expect(steps[0]).toMatchObject({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
      expect(steps.find((step) => step.id === "review")!.run).toContain(
        'npm run --silent review -- --base "origin/${{ github.base_ref }}" --out review.md',
      );
      expect(steps.find((step) => step.uses?.startsWith("marocchino/sticky-pull-request-comment@"))).toMatchObject({
        with: { header: "terraform-review", path: "review.md" },
      });
      expect(steps.at(-1)).toMatchObject({ if: "steps.review.outputs.status != '0'" });
    });

    it("plans each environment with OIDC role credentials when configured, and says so when skipped", () => {
      const plan = workflow.jobs.plan;
      expect(plan.permissions["id-token"]).toBe("write");
      expect(plan.strategy.matrix.include.map((entry: { environment: string }) => entry.environment)).toEqual([
        "dev",
        "staging",
        "prod",
      ]);
      const steps = stepsOf(plan);
      expect(steps[0]).toMatchObject({ if: "env.ROLE_ARN == ''" });
      expect(steps[0]!.run).toContain("::notice title=Terraform plan skipped");
      expect(steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))).toMatchObject({
        if: "env.ROLE_ARN != ''",
        with: { "role-to-assume": "${{ env.ROLE_ARN }}" },
      });
      expect(steps.some((step) => step.run === "npm run plan -- ${{ matrix.environment }}")).toBe(true);
    });
  });

  describe("deploy.yml", () => {
    const workflow = workflows["deploy.yml"]!;
    const environment = workflows["deploy-environment.yml"]!;

    it("deploys dev on merge to main, then staging, then prod, each through its GitHub environment", () => {
      expect(workflow.on).toEqual({ push: { branches: ["main"] } });
      expect(workflow.jobs.dev).toMatchObject({
        uses: "./.github/workflows/deploy-environment.yml",
        with: { environment: "dev" },
      });
      expect(workflow.jobs.staging).toMatchObject({ needs: "dev", with: { environment: "staging" } });
      expect(workflow.jobs.prod).toMatchObject({ needs: "staging", with: { environment: "prod" } });
      expect(environment.jobs.deploy.environment).toBe("${{ inputs.environment }}");
    });

    it("never runs two deploys of one environment at once", () => {
      expect(environment.jobs.deploy.concurrency).toEqual({
        group: "deploy-${{ inputs.environment }}",
        "cancel-in-progress": false,
      });
    });

    it("deploys with the environment's own role and state bucket, and refuses without them", () => {
      const steps = stepsOf(environment.jobs.deploy);
      expect(steps[0]!.if).toBe("vars.TF_STATE_BUCKET == '' || vars.AWS_DEPLOY_ROLE_ARN == ''");
      expect(
        steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))!.with!["role-to-assume"],
      ).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
      expect(environment.jobs.deploy.env.QP_STATE_BUCKET_PROD).toContain("vars.TF_STATE_BUCKET");
      expect(steps.at(-1)!.run).toBe("npx --yes cdktf-cli@0.21.0 deploy ${{ inputs.environment }} --auto-approve");
    });
  });
});
