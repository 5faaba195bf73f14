import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stoppingExitCode } from "./child-processes.js";
import { readPlanFile } from "./plan-file.js";
import type { PlanJson } from "./plan-json.js";
import type { StateV4 } from "./plan-state.js";
import { ProviderServer } from "./provider-server.js";
import {
  init,
  planHasChanges,
  prepareOfflineCopy,
  terraform,
  terraformEnvironment,
  terraformVersion,
} from "./terraform.js";

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

/**
 * A scratch copy of one stack, initialised (or sharing an init), planned against any state. Where it
 * can, it keeps the AWS provider running for terraform to attach to (see provider-server.ts) until
 * `close()`, or until this process ends.
 */
export class Workspace {
  private constructor(
    readonly dir: string,
    private readonly dataDir: string,
    private provider: ProviderServer | undefined,
  ) {}

  static async create(stackDir: string, dir: string, shared: SharedTerraform): Promise<Workspace> {
    rmSync(dir, { recursive: true, force: true });
    prepareOfflineCopy(stackDir, dir);
    const dataDir = await sharedInit(dir, shared);
    const provider = await ProviderServer.start(dir, dataDir, terraformEnvironment());
    return new Workspace(dir, dataDir, provider);
  }

  /** Whether terraform here attaches to this workspace's own running AWS provider. */
  get attached(): boolean {
    return this.provider !== undefined;
  }

  /** Stops the workspace's provider, if it has one running, and resolves once it has ended. */
  async close(): Promise<void> {
    await this.provider?.stop();
  }

  /** Runs terraform in this workspace (its shared data folder included). */
  run(args: string[]): Promise<string> {
    return this.withTerraform((env) => terraform(this.dir, args, env));
  }

  private get env(): NodeJS.ProcessEnv {
    return { TF_DATA_DIR: this.dataDir, ...(this.provider ? { TF_REATTACH_PROVIDERS: this.provider.reattach } : {}) };
  }

  /**
   * Runs `command` in this workspace's environment; when it fails through the running provider, stops
   * that provider and runs it once more as terraform alone would. A provider is made to be configured
   * once, and one configured again may refuse what a fresh one accepts: terraform's own answer counts.
   */
  private async withTerraform<T>(command: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const provider = this.provider;
    try {
      return await command(this.env);
    } catch (error) {
      // Not while the review stops on a signal: the failure is the stop's.
      if (!provider || stoppingExitCode() !== undefined) throw error;
      this.provider = undefined;
      await provider.stop();
      process.stderr.write(
        `terraform failed through the AWS provider kept running for ${this.dir}; running it again as terraform alone would\n`,
      );
      return command(this.env);
    }
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
    return (await this.withTerraform((env) => planHasChanges(this.dir, PLAN_OPTIONS, env))) ? this.show() : undefined;
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
