import path from "node:path";
import { isScalar, parseDocument, visit } from "yaml";

// The rules the GitHub workflows keep (review/README.md, "Pipelines on GitHub"), one small function
// each. Each returns what breaks it, one sentence per finding naming the job and step; an empty list
// when the workflow keeps it. test/workflows.test.ts runs them on the project's workflows, and on bad
// workflows to show that each rule catches what it is for.

export interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, unknown>>;
}

export interface Job {
  readonly uses?: string;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly steps?: readonly Step[];
  readonly permissions?: string | Readonly<Record<string, string>>;
  readonly environment?: string | { readonly name?: string };
  readonly env?: Readonly<Record<string, unknown>>;
  readonly strategy?: { readonly matrix?: Readonly<Record<string, unknown>> };
}

interface Workflow {
  readonly name?: string;
  readonly on?: unknown;
  readonly permissions?: string | Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, unknown>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

/** A workflow file as parsed, with its text: the version comments on `uses:` live only in the text. */
export interface WorkflowFile {
  readonly file: string;
  readonly source: string;
  readonly workflow: Workflow;
}

export function workflowFile(file: string, source: string): WorkflowFile {
  const workflow = parseDocument(source).toJS() as Workflow;
  if (typeof workflow !== "object" || workflow === null || typeof workflow.jobs !== "object") {
    throw new Error(`${file} is not a workflow: it has no jobs mapping`);
  }
  return { file, source, workflow };
}

const CREDENTIAL_VARIABLES =
  /\bAWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|WEB_IDENTITY_TOKEN_FILE|PROFILE|ROLE_ARN)\b/;
const READ_ONLY_PLAN_ROLE = /^AWS_PLAN_READONLY_ROLE_ARN_(DEV|STAGING|PROD)$/;
const DEPLOY_ENVIRONMENTS = ["dev", "staging", "prod"];
const FULL_SHA = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+(\.\d+){0,2}\s*$/;

const jobsOf = (workflow: Workflow) => Object.entries(workflow.jobs);
const stepsOf = (job: Job) => job.steps ?? [];
const where = (jobName: string, index: number, step: Step) =>
  `job ${jobName}, step ${index + 1}${step.name ? ` (${step.name})` : step.uses ? ` (${step.uses.split("@")[0]})` : ""}`;
const usesAction = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) === true;

/** Whether the workflow runs for pull requests, where the branch's author controls the code. */
function runsForPullRequests(workflow: Workflow): boolean {
  const on = workflow.on;
  const triggers = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  return triggers.some((trigger) => String(trigger).startsWith("pull_request"));
}

/** Every `uses:` (steps and reusable workflows) is a local path or pinned by a full commit SHA with `# vX.Y.Z`. */
export function actionPins({ source }: WorkflowFile): string[] {
  const findings: string[] = [];
  visit(parseDocument(source), {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== "uses" || !isScalar(pair.value)) return;
      const reference = String(pair.value.value);
      if (reference.startsWith("./")) return;
      if (!FULL_SHA.test(reference)) findings.push(`uses: ${reference} is not pinned by a full 40-hex commit SHA`);
      else if (!VERSION_COMMENT.test(pair.value.comment ?? "")) {
        findings.push(`uses: ${reference} has no version comment (# vX.Y.Z) saying which release the SHA is`);
      }
    },
  });
  return findings;
}

/** No `${{ }}` inside a `run:` script, where its value would become shell code; values go through `env:`. */
export function expressionsInRun({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) =>
    stepsOf(job).flatMap((step, index) =>
      step.run?.includes("${{")
        ? [`${where(jobName, index, step)}: run: expands an expression; pass it through env: and use "$NAME"`]
        : [],
    ),
  );
}

/** The index of the first step from which the job holds AWS credentials; -1 for none; 0 when the job has them from the start. */
function credentialsFrom(job: Job, workflow: Workflow): number {
  const inherited = [workflow.env, job.env].some((env) =>
    Object.keys(env ?? {}).some((name) => CREDENTIAL_VARIABLES.test(name)),
  );
  if (inherited) return 0;
  return stepsOf(job).findIndex(
    (step) =>
      usesAction(step, "aws-actions/configure-aws-credentials") ||
      Object.keys(step.env ?? {}).some((name) => CREDENTIAL_VARIABLES.test(name)) ||
      /sts assume-role|AWS_(ACCESS_KEY_ID|SESSION_TOKEN)=.*GITHUB_ENV/.test(step.run ?? ""),
  );
}

/** The shell commands of a `run:` script, split at line ends and at `&&`, `||`, `;` and `|`. */
function commandsOf(run: string): string[][] {
  return run
    .replace(/\\\n/g, " ")
    .split(/\n|&&|\|\||;|\|/)
    .map((command) => command.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}

const INSTALL_COMMANDS = new Set([
  "ci",
  "clean-install",
  "ic",
  "install-clean",
  "isntall",
  "install",
  "i",
  "in",
  "add",
]);

type Install = { readonly kind: "project" | "tool" | "npx"; readonly command: string; readonly words: string[] };

/** The package installs a command makes: npm ci/install (the project's, or a global tool), npx, yarn and pnpm. */
function installOf(words: string[]): Install | undefined {
  const [program, subcommand] = words;
  const command = words.join(" ");
  if (program === "npx" || (program === "npm" && subcommand === "exec")) return { kind: "npx", command, words };
  if (program === "yarn" && (words.length === 1 || subcommand === "install"))
    return { kind: "project", command, words };
  if ((program === "npm" || program === "pnpm") && subcommand !== undefined && INSTALL_COMMANDS.has(subcommand)) {
    const packages = words.slice(2).filter((word) => !word.startsWith("-"));
    const global = words.includes("-g") || words.includes("--global");
    return { kind: global && packages.length > 0 ? "tool" : "project", command, words };
  }
  return undefined;
}

/**
 * Installs run no package's code, and never next to credentials:
 * - every install (the project's dependencies, or a global tool) with --ignore-scripts;
 * - a tool at an exact version (name@x.y.z);
 * - in a job that holds AWS credentials, no install of any kind (npx included) at or after the step
 *   that brings them.
 */
export function installs({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    const credentials = credentialsFrom(job, workflow);
    return stepsOf(job).flatMap((step, index) =>
      commandsOf(step.run ?? "").flatMap((words) => {
        const install = installOf(words);
        if (!install) return [];
        const at = `${where(jobName, index, step)}: ${install.command}`;
        const findings: string[] = [];
        if (install.kind !== "npx" && !install.words.includes("--ignore-scripts")) {
          findings.push(`${at} installs with the packages' install scripts on (add --ignore-scripts)`);
        }
        if (
          install.kind === "tool" &&
          !install.words.some((word) => /^(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+$/.test(word))
        ) {
          findings.push(`${at} installs a tool without an exact version (name@x.y.z)`);
        }
        if (credentials >= 0 && index >= credentials) {
          findings.push(
            `${at} installs packages while the job holds AWS credentials (install before the credentials step)`,
          );
        }
        return findings;
      }),
    );
  });
}

/** A pull request's plans take no state lock: `npm run plan` with --no-lock, terraform with -lock=false, no cdktf. */
export function unlockedPlans({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) =>
    stepsOf(job).flatMap((step, index) =>
      commandsOf(step.run ?? "").flatMap((words) => {
        const command = words.join(" ");
        const at = `${where(jobName, index, step)}: ${command}`;
        const npmPlan = words[0] === "npm" && words.includes("run") && words.includes("plan");
        if (npmPlan && !words.includes("--no-lock")) return [`${at} takes the state lock (add --no-lock)`];
        const terraformPlan = words[0] === "terraform" && words.includes("plan");
        if (terraformPlan && !words.includes("-lock=false")) return [`${at} takes the state lock (add -lock=false)`];
        if (words[0] === "cdktf" || words.includes("cdktf-cli") || /^cdktf-cli@/.test(words[2] ?? "")) {
          return [`${at} runs the CDKTF CLI, which takes the state lock; use npm run plan -- <env> --no-lock`];
        }
        return [];
      }),
    ),
  );
}

/** The `${{ }}` expression's variables a value refers to: through env (job, then workflow) and matrix entries. */
function variablesNamedBy(value: string, job: Job, workflow: Workflow, depth = 0): string[] {
  if (depth > 3) return [];
  const names: string[] = [];
  for (const [, expression] of value.matchAll(/\$\{\{(.*?)\}\}/g)) {
    for (const [, name] of (expression ?? "").matchAll(/\bvars\.([A-Za-z0-9_]+)/g)) names.push(name!);
    for (const [, key] of (expression ?? "").matchAll(/\bvars\[\s*matrix\.([A-Za-z0-9_]+)\s*\]/g)) {
      names.push(...matrixValues(job, key!));
    }
    for (const [, name] of (expression ?? "").matchAll(/\benv\.([A-Za-z0-9_]+)/g)) {
      const defined = job.env?.[name!] ?? workflow.env?.[name!];
      if (typeof defined === "string") names.push(...variablesNamedBy(defined, job, workflow, depth + 1));
    }
    if (/\bsecrets\./.test(expression ?? "")) names.push("secrets");
  }
  return names;
}

function matrixValues(job: Job, key: string): string[] {
  const matrix = job.strategy?.matrix ?? {};
  const listed = Array.isArray(matrix[key]) ? (matrix[key] as unknown[]) : [];
  const included = Array.isArray(matrix.include)
    ? (matrix.include as Record<string, unknown>[]).map((entry) => entry[key])
    : [];
  return [...listed, ...included].filter((value): value is string => typeof value === "string");
}

/** A pull request's credentials come only from the read-only plan roles, named by AWS_PLAN_READONLY_ROLE_ARN_<ENV>. */
export function readOnlyPlanRoles({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    const credentials = credentialsFrom(job, workflow);
    if (credentials < 0) return [];
    const steps = stepsOf(job);
    const step = steps[credentials];
    if (!step || !usesAction(step, "aws-actions/configure-aws-credentials")) {
      return [`job ${jobName} gets AWS credentials other than by assuming a read-only plan role with OIDC`];
    }
    const role = String(step.with?.["role-to-assume"] ?? "");
    const names = variablesNamedBy(role, job, workflow);
    const wrong = names.filter((name) => !READ_ONLY_PLAN_ROLE.test(name));
    if (names.length === 0 || wrong.length > 0) {
      return [
        `${where(jobName, credentials, step)}: role-to-assume ${role} is not a read-only plan role ` +
          `(expected only vars AWS_PLAN_READONLY_ROLE_ARN_<ENV>; got ${names.length ? names.join(", ") : "none"})`,
      ];
    }
    return [];
  });
}

/** The GitHub environment names a job runs in, one per matrix entry when the name comes from the matrix. */
function environmentNames(job: Job): string[] {
  const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
  if (environment === undefined) return [];
  const keys = [...environment.matchAll(/\$\{\{\s*matrix\.([A-Za-z0-9_]+)\s*\}\}/g)].map((match) => match[1]!);
  if (keys.length === 0) return [environment];
  const entries = Array.isArray(job.strategy?.matrix?.include)
    ? (job.strategy.matrix.include as Record<string, unknown>[])
    : [];
  return entries.map((entry) =>
    keys.reduce(
      (name, key) => name.replace(new RegExp(`\\$\\{\\{\\s*matrix\\.${key}\\s*\\}\\}`, "g"), String(entry[key])),
      environment,
    ),
  );
}

/**
 * A pull request's staging and prod plans wait for a reviewer: their job runs in a GitHub environment,
 * and in a plan environment (plan-<env>), never a deploy environment whose role could write.
 */
export function protectedPlans({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    const credentials = credentialsFrom(job, workflow);
    if (credentials < 0) return [];
    const role = String(stepsOf(job)[credentials]?.with?.["role-to-assume"] ?? "");
    const names = variablesNamedBy(role, job, workflow);
    if (!names.some((name) => /STAGING|PROD/.test(name))) return [];
    const environments = environmentNames(job);
    if (environments.length === 0)
      return [`job ${jobName} plans staging or prod with no GitHub environment to approve it`];
    return environments
      .filter((name) => DEPLOY_ENVIRONMENTS.includes(name) || !name.startsWith("plan-"))
      .map(
        (name) =>
          `job ${jobName} runs in the environment ${name}; a plan runs in plan-<env>, never a deploy environment`,
      );
  });
}

/** Every checkout leaves no git credentials behind for the steps after it. */
export function checkoutCredentials({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) =>
    stepsOf(job).flatMap((step, index) =>
      usesAction(step, "actions/checkout") && String(step.with?.["persist-credentials"]) !== "false"
        ? [`${where(jobName, index, step)} keeps the token in .git/config (set persist-credentials: false)`]
        : [],
    ),
  );
}

/** A pull request's artifacts (readable by whoever reads the repository) hold no plan, state or build folder. */
export function pullRequestArtifacts({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) =>
    stepsOf(job).flatMap((step, index) => {
      if (!usesAction(step, "actions/upload-artifact")) return [];
      const paths = String(step.with?.path ?? "")
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
      return paths
        .filter((file) => /plan\.(json|bin|txt)|tfstate|cdktf\.out|\*|^\.\/?$/.test(file))
        .map(
          (file) =>
            `${where(jobName, index, step)} uploads ${file}: a plan, state or whole folder, readable by the branch's author`,
        );
    }),
  );
}

function grants(permissions: Job["permissions"]): Record<string, string> {
  if (permissions === undefined) return {};
  if (typeof permissions === "string") return { "*": permissions };
  return { ...permissions };
}

/** Top-level permissions grant nothing but, at most, reading the contents. */
export function topLevelPermissions({ workflow }: WorkflowFile): string[] {
  if (workflow.permissions === undefined)
    return ["no top-level permissions: the repository's default token permissions apply"];
  const granted = Object.entries(grants(workflow.permissions));
  const extra = granted.filter(([scope, level]) => !(scope === "contents" && level === "read"));
  return extra.map(
    ([scope, level]) => `top-level permissions grant ${scope === "*" ? level : `${scope}: ${level}`}; grant it per job`,
  );
}

/**
 * Each job writes only what it must: `id-token: write` only where it assumes a role, `pull-requests:
 * write` only in a job that runs nothing of the branch (no checkout, no `run:`), nothing else.
 */
export function jobPermissions({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    const granted = grants(job.permissions);
    const findings: string[] = [];
    const steps = stepsOf(job);
    for (const [scope, level] of Object.entries(granted)) {
      if (scope === "*") findings.push(`job ${jobName} grants ${level}`);
      else if (level !== "write") continue;
      else if (scope === "id-token") {
        if (!job.uses && credentialsFrom(job, workflow) < 0)
          findings.push(`job ${jobName} may mint OIDC tokens but assumes no role`);
      } else if (scope === "pull-requests") {
        const runsBranchCode = steps.some((step) => step.run !== undefined || usesAction(step, "actions/checkout"));
        if (runsBranchCode || job.uses)
          findings.push(`job ${jobName} can write to pull requests and runs code (checkout or run:)`);
        if (granted["id-token"] === "write")
          findings.push(`job ${jobName} can write to pull requests and mint OIDC tokens`);
      } else findings.push(`job ${jobName} grants ${scope}: write`);
    }
    return findings;
  });
}

/** Pull requests run with `pull_request`: `pull_request_target` would run the branch with the base's secrets and a write token. */
export function pullRequestTriggers({ workflow }: WorkflowFile): string[] {
  const on = workflow.on;
  const triggers = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
  return triggers.includes("pull_request_target") ? ["triggered by pull_request_target"] : [];
}

/** How a command applies a plan: the saved plan file it names, if any. */
interface Apply {
  readonly command: string;
  readonly planFile: string | undefined;
}

const isPlanFile = (word: string | undefined): word is string => word !== undefined && !word.startsWith("-");

/** The applies a `run:` script makes: `npm run apply`, `terraform apply`, the CDKTF CLI's deploy. */
function appliesOf(run: string): Apply[] {
  return commandsOf(run).flatMap((words): Apply[] => {
    const command = words.join(" ");
    const unquoted = words.map((word) => word.replace(/^["']|["']$/g, ""));
    if (unquoted[0] === "npm" && unquoted.includes("run") && unquoted.includes("apply")) {
      const at = unquoted.findIndex((word) => word === "--plan" || word.startsWith("--plan="));
      const planFile = at < 0 ? undefined : (unquoted[at]!.split("=")[1] ?? unquoted[at + 1]);
      return [{ command, planFile: isPlanFile(planFile) ? planFile : undefined }];
    }
    if (unquoted[0] === "terraform" && unquoted.includes("apply")) {
      const planFile = unquoted.slice(unquoted.indexOf("apply") + 1).find(isPlanFile);
      return [{ command, planFile }];
    }
    const cdktf = unquoted[0] === "cdktf" || unquoted.some((word) => /^cdktf-cli(@|$)/.test(word));
    if (cdktf && unquoted.some((word) => word === "deploy" || word === "apply"))
      return [{ command, planFile: undefined }];
    return [];
  });
}

const appliesIn = (job: Job) => stepsOf(job).flatMap((step) => appliesOf(step.run ?? ""));
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : [job.needs].flat());
const normalPath = (file: string) => file.replace(/^\.\//, "").replace(/\/+$/, "");

/**
 * Only a saved plan is applied, never a new one: no `cdktf deploy` (it plans again and applies that),
 * no `terraform apply` without a plan file, no `npm run apply` without `--plan`.
 */
export function savedPlanApplies({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) =>
    stepsOf(job).flatMap((step, index) =>
      appliesOf(step.run ?? "")
        .filter((apply) => apply.planFile === undefined)
        .map(
          (apply) =>
            `${where(jobName, index, step)}: ${apply.command} applies a new, unreviewed plan; ` +
            `apply the saved plan: npm run apply -- <env> --plan <plan file>`,
        ),
    ),
  );
}

/** The upload-artifact names of a job's steps. */
function uploadedNames(job: Job | undefined): string[] {
  return stepsOf(job ?? {})
    .filter((step) => usesAction(step, "actions/upload-artifact"))
    .map((step) => String(step.with?.name ?? "artifact"));
}

/**
 * A job that applies applies the plan its own run's plan job saved: it downloads (from this run: no
 * run-id, repository or token) an artifact that a job it needs uploaded, applies the plan file in that
 * download, and makes no plan itself.
 */
export function appliedPlanFromThisRun({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    const applies = appliesIn(job).filter((apply) => apply.planFile !== undefined);
    if (applies.length === 0) return [];
    const findings: string[] = [];
    const downloads = stepsOf(job).filter((step) => usesAction(step, "actions/download-artifact"));
    if (downloads.length === 0) return [`job ${jobName} applies a plan it did not download from its plan job`];
    const fromNeeded = new Set(needsOf(job).flatMap((name) => uploadedNames(workflow.jobs[name])));
    for (const download of downloads) {
      const other = ["run-id", "repository", "github-token"].filter((input) => download.with?.[input] !== undefined);
      if (other.length > 0)
        findings.push(`job ${jobName} downloads a plan from another run (${other.join(", ")}): apply this run's plan`);
      const name = String(download.with?.name ?? "");
      if (!fromNeeded.has(name))
        findings.push(`job ${jobName} downloads ${name || "every artifact"}, which no job it needs uploads`);
    }
    const folders = downloads.map((download) => normalPath(String(download.with?.path ?? ".")));
    for (const apply of applies) {
      const folder = normalPath(path.posix.dirname(apply.planFile ?? ""));
      if (!folders.includes(folder))
        findings.push(`job ${jobName}: ${apply.command} applies a plan that is not the downloaded one`);
    }
    const plans = stepsOf(job).flatMap((step) =>
      commandsOf(step.run ?? "").filter(
        (words) =>
          (words[0] === "npm" && words.includes("plan")) || (words[0] === "terraform" && words.includes("plan")),
      ),
    );
    if (plans.length > 0)
      findings.push(`job ${jobName} plans as well as applies: only the plan job's plan was reviewed`);
    return findings;
  });
}

/** The jobs that apply run in a deploy environment, whose protection rules (reviewers, main only) gate them. */
export function protectedApplies({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    if (appliesIn(job).length === 0) return [];
    const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
    if (environment === undefined) return [`job ${jobName} applies with no GitHub environment to approve it`];
    const passedIn = /^\$\{\{\s*inputs\.environment\s*\}\}$/.test(environment);
    if (passedIn || DEPLOY_ENVIRONMENTS.includes(environment)) return [];
    return [`job ${jobName} applies in the environment ${environment}, not a deploy environment (dev, staging, prod)`];
  });
}

/** A plan that is applied is made of main: the job whose artifact an apply downloads runs only on main. */
export function mainOnlyPlans({ workflow }: WorkflowFile): string[] {
  return jobsOf(workflow).flatMap(([jobName, job]) => {
    if (appliesIn(job).length === 0) return [];
    const downloaded = new Set(
      stepsOf(job)
        .filter((step) => usesAction(step, "actions/download-artifact"))
        .map((step) => String(step.with?.name ?? "")),
    );
    return needsOf(job)
      .filter((name) => uploadedNames(workflow.jobs[name]).some((upload) => downloaded.has(upload)))
      .flatMap((planJob) => {
        const condition = String(workflow.jobs[planJob]?.if ?? "").replace(/\$\{\{|\}\}/g, "");
        const onMain = /(^|&&)\s*github\.ref\s*==\s*'refs\/heads\/main'\s*($|&&)/.test(condition.trim());
        return onMain && !condition.includes("||")
          ? []
          : [
              `job ${planJob} makes the plan that job ${jobName} applies, but not only on main (if: github.ref == 'refs/heads/main')`,
            ];
      });
  });
}

type Rule = (file: WorkflowFile) => string[];

/** Every rule, and the ones that apply only to workflows that run for pull requests. */
const RULES: Readonly<Record<string, Rule>> = {
  actionPins,
  expressionsInRun,
  installs,
  checkoutCredentials,
  topLevelPermissions,
  jobPermissions,
  pullRequestTriggers,
  savedPlanApplies,
  appliedPlanFromThisRun,
  protectedApplies,
  mainOnlyPlans,
};
const PULL_REQUEST_RULES: Readonly<Record<string, Rule>> = {
  unlockedPlans,
  readOnlyPlanRoles,
  protectedPlans,
  pullRequestArtifacts,
};

/**
 * The files that run for pull requests: those a pull request triggers, and the reusable workflows they
 * call (`uses: ./.github/workflows/<file>`), however deep.
 */
function pullRequestFiles(files: readonly WorkflowFile[]): Set<string> {
  const byPath = new Map(files.map((file) => [`./.github/workflows/${file.file}`, file]));
  const reached = new Set<string>();
  const visit = (file: WorkflowFile) => {
    if (reached.has(file.file)) return;
    reached.add(file.file);
    for (const job of Object.values(file.workflow.jobs)) {
      const called = job.uses ? byPath.get(job.uses) : undefined;
      if (called) visit(called);
    }
  };
  for (const file of files) if (runsForPullRequests(file.workflow)) visit(file);
  return reached;
}

/**
 * All findings on a set of workflow files (their names as in .github/workflows), each prefixed by its
 * file and rule; the pull request rules apply to every file a pull request runs.
 */
export function checkWorkflows(files: readonly WorkflowFile[]): string[] {
  const forPullRequests = pullRequestFiles(files);
  return files.flatMap((file) => {
    const rules = { ...RULES, ...(forPullRequests.has(file.file) ? PULL_REQUEST_RULES : {}) };
    return Object.entries(rules).flatMap(([rule, check]) =>
      check(file).map((finding) => `${file.file} [${rule}] ${finding}`),
    );
  });
}
