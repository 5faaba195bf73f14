import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { readPlanFile } from "./plan-file.js";
import type { PlanJson } from "./plan-json.js";
import type { StateV4 } from "./plan-state.js";
import { init, planHasChanges, prepareOfflineCopy, terraform, terraformVersion } from "./terraform.js";

export type WorkspacePlan = PlanJson & Record<string, unknown>;

/** The plan JSON format Terraform 1.11's `terraform show -json` writes, which plan-file.ts reads alike. */
const SHOWN_FORMAT = "1.2";

const PLAN_OPTIONS = ["-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.bin"];

/** Where the review keeps what its workspaces share: the plugin cache, and one init per provider set. */
export interface SharedTerraform {
  readonly pluginCache: string;
  /** Holds a Terraform data folder (TF_DATA_DIR) per distinct set of providers. */
  readonly dataRoot: string;
}

/**
 * What `terraform init` installs for a stack depends only on its required providers and lock file,
 * and every scratch copy has the same offline backend: copies that agree on both share one init
 * (a data folder, TF_DATA_DIR), where each init would cost a second of CPU hashing the provider. A
 * stack with modules gets an init of its own, since its data folder holds them.
 */
function initKey(scratchCopy: string): string {
  const config = JSON.parse(readFileSync(path.join(scratchCopy, "cdk.tf.json"), "utf8")) as {
    terraform?: { required_providers?: unknown };
    module?: unknown;
  };
  const lockFile = path.join(scratchCopy, ".terraform.lock.hcl");
  const lock = existsSync(lockFile) ? readFileSync(lockFile, "utf8") : "";
  const own = config.module === undefined ? "" : scratchCopy;
  return createHash("sha256")
    .update(JSON.stringify([config.terraform?.required_providers ?? null, lock, own]))
    .digest("hex")
    .slice(0, 16);
}

/** Inits one after another: they share a plugin cache (see init). */
let initQueue: Promise<unknown> = Promise.resolve();
/** By data folder: the initialised one, and the lock file its init left (the same for each copy sharing it). */
const inits = new Map<string, Promise<{ dataDir: string; lock: string }>>();

async function sharedInit(scratchCopy: string, shared: SharedTerraform): Promise<string> {
  const dataDir = path.join(shared.dataRoot, initKey(scratchCopy));
  let done = inits.get(dataDir);
  const first = !done;
  if (!done) {
    done = initQueue.then(async () => {
      mkdirSync(dataDir, { recursive: true });
      await init(scratchCopy, { pluginCache: shared.pluginCache, dataDir });
      return { dataDir, lock: readFileSync(path.join(scratchCopy, ".terraform.lock.hcl"), "utf8") };
    });
    // A failed init (a stopped review, a broken mirror) is run again by the next workspace, not handed on.
    initQueue = done.catch(() => {
      inits.delete(dataDir);
    });
    inits.set(dataDir, done);
  }
  const { lock } = await done;
  // Init writes the lock file (a stack without one gets one); each copy sharing the init needs the same.
  if (!first) writeFileSync(path.join(scratchCopy, ".terraform.lock.hcl"), lock);
  return dataDir;
}

/** A scratch copy of one stack, initialised (or sharing an init), planned against any state. */
export class Workspace {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(stackDir: string, dir: string, shared: SharedTerraform): Promise<Workspace> {
    rmSync(dir, { recursive: true, force: true });
    prepareOfflineCopy(stackDir, dir);
    const dataDir = await sharedInit(dir, shared);
    return new Workspace(dir, { TF_DATA_DIR: dataDir });
  }

  /** Runs terraform in this workspace (its shared data folder included). */
  run(args: string[]): Promise<string> {
    return terraform(this.dir, args, this.env);
  }

  async plan(state: StateV4 | undefined, destroy = false): Promise<WorkspacePlan> {
    this.writeState(state);
    await this.run(["plan", ...PLAN_OPTIONS, ...(destroy ? ["-destroy"] : [])]);
    return this.show();
  }

  /**
   * The plan's resource changes against `state`, read from the plan file (see plan-file.ts) without a
   * `terraform show`, or from one when the file is not one the reader knows for certain.
   */
  async planChanges(state: StateV4 | undefined): Promise<PlanJson> {
    this.writeState(state);
    await this.run(["plan", ...PLAN_OPTIONS]);
    const read = readPlanFile(path.join(this.dir, "plan.bin"), terraformVersion());
    return read ? { format_version: SHOWN_FORMAT, ...read } : this.show();
  }

  /** The plan against `state` when it holds changes; undefined, without a `terraform show`, when it holds none. */
  async changesFrom(state: StateV4): Promise<WorkspacePlan | undefined> {
    this.writeState(state);
    return (await planHasChanges(this.dir, PLAN_OPTIONS, this.env)) ? this.show() : undefined;
  }

  private writeState(state: StateV4 | undefined): void {
    // The offline override points the local backend at terraform.tfstate in this folder.
    const statePath = path.join(this.dir, "terraform.tfstate");
    if (state) writeFileSync(statePath, JSON.stringify(state));
    else rmSync(statePath, { force: true });
  }

  private async show(): Promise<WorkspacePlan> {
    return JSON.parse(await this.run(["show", "-json", "plan.bin"])) as WorkspacePlan;
  }
}
