import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PlanJson } from "./plan-json.js";
import {
  applyPlan,
  emptyState,
  managedChanges,
  type ProviderSchemas,
  type StateV4,
  settlesState,
} from "./plan-state.js";
import { init, planHasChanges, prepareOfflineCopy, terraform, terraformVersion } from "./terraform.js";

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
  readonly plan: PlanJson & Record<string, unknown>;
  /** False when the base state did not settle: the plan may then hold changes that are not real. */
  readonly settled: boolean;
}

const PLAN_OPTIONS = ["-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"];

/** Inits one after another: they share a plugin cache (see init). */
let initQueue: Promise<unknown> = Promise.resolve();
function initInTurn(dir: string, pluginCache: string): Promise<void> {
  const turn = initQueue.then(() => init(dir, { pluginCache }));
  initQueue = turn.catch(() => undefined);
  return turn;
}

/** A scratch copy of one stack, initialised once, planned against any state. */
class Workspace {
  private constructor(readonly dir: string) {}

  static async create(stackDir: string, dir: string, pluginCache: string): Promise<Workspace> {
    rmSync(dir, { recursive: true, force: true });
    prepareOfflineCopy(stackDir, dir);
    await initInTurn(dir, pluginCache);
    return new Workspace(dir);
  }

  async plan(state: StateV4 | undefined, destroy = false): Promise<EnvironmentReview["plan"]> {
    this.writeState(state);
    await terraform(this.dir, ["plan", ...PLAN_OPTIONS, ...(destroy ? ["-destroy"] : [])]);
    return this.show();
  }

  /** The plan against `state` when it holds changes; undefined, without a `terraform show`, when it holds none. */
  async changesFrom(state: StateV4): Promise<EnvironmentReview["plan"] | undefined> {
    this.writeState(state);
    return (await planHasChanges(this.dir, PLAN_OPTIONS)) ? this.show() : undefined;
  }

  private writeState(state: StateV4 | undefined): void {
    // The offline override points the local backend at terraform.tfstate in this folder.
    const statePath = path.join(this.dir, "terraform.tfstate");
    if (state) writeFileSync(statePath, JSON.stringify(state));
    else rmSync(statePath, { force: true });
  }

  private async show(): Promise<EnvironmentReview["plan"]> {
    return JSON.parse(await terraform(this.dir, ["show", "-json", "plan.bin"])) as EnvironmentReview["plan"];
  }
}

// A promise, so that environments reviewed side by side ask terraform for the schemas once.
let schemaRequest: Promise<ProviderSchemas> | undefined;
function providerSchemas(initializedDir: string): Promise<ProviderSchemas> {
  schemaRequest ??= terraform(initializedDir, ["providers", "schema", "-json"]).then(
    (json) => JSON.parse(json) as ProviderSchemas,
  );
  return schemaRequest;
}

/**
 * Plans the working tree's stack against the state the base's stack would have created, calling no
 * AWS API: the base is planned offline, its planned values become a state (unknowns filled by type),
 * and the base is re-planned against that state until Terraform sees no change, so that every
 * reference agrees. Then Terraform itself says what the working tree updates, replaces or destroys.
 */
export async function reviewEnvironment(
  environment: string,
  baseStackDir: string | undefined,
  headStackDir: string | undefined,
  scratch: string,
  pluginCache: string,
): Promise<EnvironmentReview> {
  let state: StateV4 | undefined;
  let settled = true;
  let base: Workspace | undefined;
  if (baseStackDir && existsSync(path.join(baseStackDir, "cdk.tf.json"))) {
    base = await Workspace.create(baseStackDir, path.join(scratch, "base"), pluginCache);
    const [schemas, first] = await Promise.all([providerSchemas(base.dir), base.plan(undefined)]);
    state = applyPlan(emptyState(`review-${environment}`, terraformVersion()), first, schemas);
    settled = false;
    let applied = first;
    for (let round = 1; round <= MAX_SETTLE_ROUNDS && !settled; round++) {
      // The re-plan after a plan known in full would show no change (see settlesState): skip it.
      if (settlesState(applied)) {
        settled = true;
        break;
      }
      const again = await base.changesFrom(state);
      if (!again || managedChanges(again).length === 0) settled = true;
      else {
        state = applyPlan(state, again, schemas);
        applied = again;
      }
    }
  }
  let plan: EnvironmentReview["plan"];
  if (headStackDir && existsSync(path.join(headStackDir, "cdk.tf.json"))) {
    plan = await (await Workspace.create(headStackDir, path.join(scratch, "head"), pluginCache)).plan(state);
  } else if (base) {
    plan = await base.plan(state, true);
  } else {
    throw new Error(`environment ${environment}: neither the base nor the head has a stack to plan`);
  }
  return { environment, plan, settled, derivedChanges: derivedChanges(baseStackDir, headStackDir) };
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
