import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PlanJson } from "./plan-json.js";
import { applyPlan, emptyState, managedChanges, type StateV4, settlesState } from "./plan-state.js";
import { providerSchemas } from "./provider-schemas.js";
import { inertUnknowns, seedState } from "./seed-state.js";
import { regionOfProviderConfig } from "./stand-ins.js";
import { terraformVersion } from "./terraform.js";
import { type SharedTerraform, Workspace, type WorkspacePlan } from "./workspace.js";

/** Re-plans of the base against its own state before giving up on a settled state. */
const MAX_SETTLE_ROUNDS = 4;

/** A value QueueProcessor derived (see derivedValues) that differs between base and working tree. */
interface DerivedChange {
  readonly processor: string;
  readonly path: string;
  readonly before: number | undefined;
  readonly after: number | undefined;
  readonly rule: string;
}

export interface EnvironmentReview {
  readonly environment: string;
  readonly derivedChanges: readonly DerivedChange[];
  /** The working tree's plan against the state the base would have created. */
  readonly plan: WorkspacePlan;
  /** False when the base state did not settle: the plan may then hold changes that are not real. */
  readonly settled: boolean;
}

/**
 * Plans the working tree's stack against the state the base's stack would have created, calling no
 * AWS API: the base is planned offline against a seed state guessed from its configuration (see
 * seed-state.ts), its planned values become the state (unknowns filled by type), and only when that
 * plan left something that could still change is the base re-planned against it, until Terraform sees
 * no change, so that every reference agrees. Then Terraform itself says what the working tree
 * updates, replaces or destroys. Two plans for a stack the seed fits; more, and the same state, for
 * one it does not.
 */
export async function reviewEnvironment(
  environment: string,
  baseStackDir: string | undefined,
  headStackDir: string | undefined,
  scratch: string,
  shared: SharedTerraform,
): Promise<EnvironmentReview> {
  const hasStack = (dir: string | undefined): dir is string => !!dir && existsSync(path.join(dir, "cdk.tf.json"));
  // The head's copy is made and initialised while the base plans.
  const headWorkspace = hasStack(headStackDir)
    ? Workspace.create(headStackDir, path.join(scratch, "head"), shared)
    : undefined;
  headWorkspace?.catch(() => undefined);
  let baseWorkspace: Workspace | undefined;
  try {
    let base: SettledBase | undefined;
    if (hasStack(baseStackDir)) {
      baseWorkspace = await Workspace.create(baseStackDir, path.join(scratch, "base"), shared);
      const head = hasStack(headStackDir) ? readStack(headStackDir) : undefined;
      base = await settledBase(environment, baseWorkspace, readStack(baseStackDir), head);
    }
    let plan: WorkspacePlan;
    if (headWorkspace) {
      plan = await (await headWorkspace).plan(base?.state);
    } else if (baseWorkspace) {
      plan = await baseWorkspace.plan(base?.state, true);
    } else {
      throw new Error(`environment ${environment}: neither the base nor the head has a stack to plan`);
    }
    return {
      environment,
      plan,
      settled: base?.settled ?? true,
      derivedChanges: derivedChanges(baseStackDir, headStackDir),
    };
  } finally {
    // However it ends: the head's init over and both providers stopped before the caller removes the
    // scratch folder they work in.
    await Promise.all([(await headWorkspace?.catch(() => undefined))?.close(), baseWorkspace?.close()]);
  }
}

function readStack(stackDir: string): unknown {
  return JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
}

interface SettledBase {
  readonly state: StateV4;
  readonly settled: boolean;
}

/**
 * The state the base's stack (`config`, initialised in `workspace`) would have created: its plan
 * against the seed (or from nothing, where the seed gives up), applied, and re-planned until it
 * settles. `head` is the change's stack, whose references to the base's resources need values in that
 * state too.
 */
async function settledBase(
  environment: string,
  workspace: Workspace,
  config: unknown,
  head: unknown,
): Promise<SettledBase> {
  const schemas = await providerSchemas(workspace);
  const lineage = `review-${environment}`;
  const referencedBy = head === undefined ? [] : [head];
  // Planned against the seed, the base's references are known: its plan is, in most stacks, already
  // settled. Without a seed (a stack the seed does not follow), the first plan is from nothing.
  let seed = seedState(config, schemas, { lineage, terraformVersion: terraformVersion(), referencedBy });
  let first: PlanJson;
  try {
    first = await workspace.planChanges(seed);
  } catch (error) {
    // A seed can be wrong where a plan from nothing is not (a null the stack passes to a function):
    // the verdict is then that plan's, or its error.
    if (!seed) throw error;
    seed = undefined;
    first = await workspace.planChanges(undefined);
  }
  const region = regionOfProviderConfig((config as { provider?: unknown }).provider);
  let state = applyPlan(seed ?? emptyState(lineage, terraformVersion()), first, schemas, region);
  const inert = inertUnknowns(config, schemas, referencedBy);
  let applied = first;
  for (let round = 1; round <= MAX_SETTLE_ROUNDS; round++) {
    // The re-plan after a plan known in full would show no change (see settlesState): skip it.
    if (settlesState(applied, inert)) return { state, settled: true };
    const again = await workspace.changesFrom(state);
    if (!again || managedChanges(again).length === 0) return { state, settled: true };
    state = applyPlan(state, again, schemas);
    applied = again;
  }
  return { state, settled: false };
}

type Derived = Record<string, Record<string, { value: number; rule: string }>>;

function derivedOf(stackDir: string | undefined): Derived {
  const file = stackDir ? path.join(stackDir, "cdk.tf.json") : undefined;
  if (!file || !existsSync(file)) return {};
  const processors =
    (
      JSON.parse(readFileSync(file, "utf8")) as {
        "//"?: { queue_processors?: Record<string, { derived?: Derived[string] }> };
      }
    )["//"]?.queue_processors ?? {};
  return Object.fromEntries(Object.entries(processors).map(([name, entry]) => [name, entry.derived ?? {}]));
}

function derivedChanges(baseStackDir: string | undefined, headStackDir: string | undefined): DerivedChange[] {
  const base = derivedOf(baseStackDir);
  const head = derivedOf(headStackDir);
  const changes: DerivedChange[] = [];
  for (const processor of [...new Set([...Object.keys(base), ...Object.keys(head)])].sort()) {
    const before = base[processor] ?? {};
    const after = head[processor] ?? {};
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const entry = after[key] ?? before[key];
      if (entry && before[key]?.value !== after[key]?.value) {
        changes.push({
          processor,
          path: key,
          before: before[key]?.value,
          after: after[key]?.value,
          rule: entry.rule,
        });
      }
    }
  }
  return changes;
}
