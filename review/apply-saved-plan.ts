/**
 * Applies a saved plan exactly: `terraform apply <plan file>`, never a new plan. Before terraform runs,
 * the stack folder must be the one the plan was made from (its fingerprint, plan-fingerprint.ts);
 * terraform itself then refuses a plan whose state changed since ("Saved plan is stale").
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { SAVED_PLAN_FILES, stackChanges, stackFiles } from "./plan-fingerprint.js";
import { ApplyRefused, type SavedPlan } from "./saved-plan.js";
import { init, TerraformError, terraform } from "./terraform.js";

/** What terraform says when the state changed after the plan was made. */
const STALE_PLAN = /Saved plan is stale/;

/** Terraform's apply failed: what changed before it stopped is in its output and the state (exit 1). */
export class ApplyFailed extends Error {
  override readonly name = "ApplyFailed";
}

/**
 * Applies `saved` in `stackDir` (synthesized at `commit`) and resolves with terraform's output. Refuses
 * (ApplyRefused) when the stack is not the one the plan was made from, naming each file that differs,
 * or when terraform finds the plan stale; rejects with ApplyFailed when terraform's apply fails.
 */
export async function applySavedPlan(saved: SavedPlan, stackDir: string, commit: string | null): Promise<string> {
  // The reviewed lock file: init then installs exactly the providers the plan was made with.
  if (saved.lock) writeFileSync(path.join(stackDir, SAVED_PLAN_FILES.lock), saved.lock);
  const changes = stackChanges(saved.fingerprint, { commit, files: stackFiles(stackDir) });
  if (changes.length > 0) {
    throw new ApplyRefused(
      `the ${saved.fingerprint.environment} stack in ${stackDir} is not the one the plan was made from, so what ` +
        `would be applied is not what was reviewed:\n${changes.map((change) => `  - ${change}`).join("\n")}\n` +
        `Make a new plan of this stack and have it reviewed.`,
    );
  }
  // The bytes checked against the fingerprint, not whatever the file holds by now.
  const planFile = path.join(stackDir, SAVED_PLAN_FILES.plan);
  writeFileSync(planFile, saved.plan);
  await init(stackDir);
  try {
    return await terraform(stackDir, ["apply", "-input=false", "-no-color", SAVED_PLAN_FILES.plan]);
  } catch (error) {
    if (!(error instanceof TerraformError)) throw error;
    if (STALE_PLAN.test(error.message)) {
      throw new ApplyRefused(
        `the ${saved.fingerprint.environment} state changed after the plan was made (another apply ran since), ` +
          `so terraform refused the saved plan and changed nothing. Make a new plan and have it reviewed. ` +
          `Terraform said:\n${error.message}`,
      );
    }
    throw new ApplyFailed(error.message);
  }
}
