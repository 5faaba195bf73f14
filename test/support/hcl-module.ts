import { execFile } from "node:child_process";
import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { generateModule } from "../../modules/terraform-module/generate.js";
import { ChildFailure, runChild } from "../../review/child-processes.js";
import { init, terraform } from "../../review/terraform.js";
import { oncePerRun } from "./once-per-run.js";
import { tempDir } from "./temp-dirs.js";

const run = promisify(execFile);

/** One resource's planned change, as `terraform show -json` writes it. */
interface PlannedChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly change: { actions: string[]; after: Record<string, unknown>; after_unknown: Record<string, unknown> };
}

export interface PlanJson {
  readonly resource_changes: PlannedChange[];
  readonly planned_values: { outputs?: Record<string, { value?: unknown }> };
}

/** `npm run build:module`'s module, generated once per test run (read-only for the tests). */
function generatedModule(): Promise<string> {
  return oncePerRun("hcl-module", (dir) => generateModule(dir));
}

/**
 * A root module in a temporary folder: the fixture as main.tf, the generated module in
 * `queue-processor/`, and the order processor zipped by the runtime's bundle command (`npm run bundle`); then `terraform init`.
 */
export async function hclRoot(fixture: string): Promise<string> {
  const root = tempDir("hcl-root");
  cpSync(await generatedModule(), path.join(root, "queue-processor"), { recursive: true });
  cpSync(fixture, path.join(root, "main.tf"));
  await run("npm", [
    "run",
    "--silent",
    "bundle",
    "--",
    "functions/order-processor/handler.ts",
    "--out",
    path.join(root, "order-processor.zip"),
  ]);
  await init(root);
  return root;
}

/** `terraform validate` and `plan` of a root folder, read back as JSON. */
export async function planRoot(
  root: string,
): Promise<{ validate: { valid: boolean; diagnostics: unknown[] }; plan: PlanJson }> {
  const validate = JSON.parse(await terraform(root, ["validate", "-json", "-no-color"]));
  await terraform(root, ["plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin"]);
  const plan = JSON.parse(await terraform(root, ["show", "-json", "plan.bin"])) as PlanJson;
  return { validate, plan };
}

/** One error of a failed plan: the block it is about (`module "x"`) and its text. */
export interface PlanError {
  readonly context: string | undefined;
  readonly summary: string;
  readonly detail: string;
}

/** The errors of a plan that must fail; throws if it succeeds. */
export async function failedPlanErrors(root: string): Promise<PlanError[]> {
  try {
    await runChild("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-json"], {
      cwd: root,
      env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
    });
  } catch (error) {
    if (!(error instanceof ChildFailure) || error.exitCode !== 1) throw error;
    return error.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; diagnostic?: Record<string, unknown> })
      .filter((message) => message.type === "diagnostic" && message.diagnostic?.severity === "error")
      .map(({ diagnostic }) => ({
        context: (diagnostic?.snippet as { context?: string } | undefined)?.context,
        summary: String(diagnostic?.summary),
        detail: String(diagnostic?.detail),
      }));
  }
  throw new Error(
    `terraform plan succeeded in ${root}, but it must fail: ${readFileSync(path.join(root, "main.tf"), "utf8")}`,
  );
}

/**
 * The planned resources and data sources, comparable across two plans: each one's type, known values
 * and which values are unknown until apply, without `ignored` attributes, sorted by their JSON.
 */
export function plannedResources(plan: PlanJson, ignored: readonly string[] = []) {
  return plan.resource_changes
    .map((change) => {
      const strip = (values: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(values).filter(([key]) => !ignored.includes(key)));
      return { type: change.type, after: strip(change.change.after), unknown: strip(change.change.after_unknown) };
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
