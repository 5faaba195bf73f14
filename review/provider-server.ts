/**
 * The AWS provider, started once per workspace and kept running, for terraform to attach to
 * (`TF_REATTACH_PROVIDERS`) instead of starting it anew. A `terraform plan` starts the provider three
 * times (schemas, validate, plan) and a `terraform show` once, and each start builds the provider's
 * whole schema: attached, a plan costs 2.9 CPU-seconds instead of 4.7 and a show 2.1 instead of 3.1
 * (prod, measured one after another), with the same plan.
 *
 * Only where that changes nothing: a running provider holds one configuration (its region and default
 * tags, set by the last ConfigureProvider), so a stack gets one only when it has a single, unaliased
 * AWS provider configuration without `custom_ca_bundle`, in the object form of `provider`, no modules
 * and no configuration file beside `cdk.tf.json`. Any other stack, and a provider that does not start
 * in its debug mode, is left to terraform to start as usual.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { onExit } from "../scripts/exit-cleanup.js";
import { providerAddress } from "./provider-address.js";
import { isObject } from "./seed-expressions.js";
import { OFFLINE_OVERRIDE_FILE } from "./terraform.js";

const AWS = "registry.terraform.io/hashicorp/aws";
/** How long the provider may take to start and say where it listens (it takes a quarter second alone). */
const START_TIMEOUT_MS = 60_000;
/** How long stop waits for a killed provider to be gone. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Runs the provider (`$1`) in its debug mode, which serves until it is stopped, and stops it, and
 * removes its socket folder (`$2`), when our end of its standard input closes: when this process
 * ends, even by SIGKILL, nothing is left. It ends with the provider, so that one that fails to start
 * is known at once.
 */
const WATCHDOG =
  'exec 3<&0; "$1" -debug </dev/null & provider=$!; (read -r _ <&3; kill -9 "$provider"; rm -rf -- "$2") & wait "$provider"';

/** Whether the stack in `dir` plans the same through one running AWS provider as through terraform's own. */
function attachable(dir: string): boolean {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
  } catch {
    return false;
  }
  if (!isObject(config) || config.module !== undefined) return false;
  // Another configuration file beside the stack's would hold configuration this check does not see.
  const others = readdirSync(dir).filter(
    (name) => /\.tf(\.json)?$/.test(name) && name !== "cdk.tf.json" && name !== OFFLINE_OVERRIDE_FILE,
  );
  if (others.length > 0) return false;
  // The list form (`"provider": [{"aws": ...}, ...]`) can hold any number of configurations: only the object form is read.
  if (config.provider !== undefined && !isObject(config.provider)) return false;
  const required = isObject(config.terraform) ? config.terraform.required_providers : undefined;
  const aws = isObject(required) ? required.aws : undefined;
  const source = isObject(aws) && typeof aws.source === "string" ? aws.source : "aws";
  if (providerAddress(source).toLowerCase() !== AWS) return false;
  const providers = isObject(config.provider) ? config.provider.aws : undefined;
  const configurations: unknown[] = providers === undefined ? [] : Array.isArray(providers) ? providers : [providers];
  return (
    configurations.length <= 1 &&
    configurations.every(
      (entry) => isObject(entry) && entry.alias === undefined && entry.custom_ca_bundle === undefined,
    )
  );
}

/** The AWS provider binary terraform's init installed in `dataDir`, in the version `dir`'s lock file pins. */
function providerBinary(dir: string, dataDir: string): string | undefined {
  const lockFile = path.join(dir, ".terraform.lock.hcl");
  if (!existsSync(lockFile)) return undefined;
  const lock = readFileSync(lockFile, "utf8");
  const version = new RegExp(`provider "${AWS.replaceAll(".", "\\.")}" \\{\\s*version\\s*=\\s*"([^"]+)"`).exec(
    lock,
  )?.[1];
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  if (!version || !arch) return undefined;
  const folder = path.join(dataDir, "providers", AWS, version, `${process.platform}_${arch}`);
  const binary = existsSync(folder)
    ? readdirSync(folder).find((name) => name.startsWith("terraform-provider-aws"))
    : undefined;
  return binary ? path.join(folder, binary) : undefined;
}

export class ProviderServer {
  private constructor(
    /** The value of TF_REATTACH_PROVIDERS that attaches terraform to this provider. */
    readonly reattach: string,
    private readonly child: ChildProcess,
    private readonly cleanup: () => void,
  ) {}

  /** Stops the provider, and resolves once it has ended and its socket folder is gone. */
  async stop(): Promise<void> {
    const ended = this.child.exitCode === null && this.child.signalCode === null ? once(this.child, "exit") : undefined;
    // Unreferenced while it serves (see start): waited for here, it must keep this process alive.
    this.child.ref();
    this.cleanup();
    await ended;
    // The watchdog ends first; the provider, its child, a moment later.
    for (let waited = 0; waited < STOP_TIMEOUT_MS && groupRuns(this.child); waited += 20) await sleep(20);
  }

  /**
   * The AWS provider of the initialised workspace `dir` (its data folder `dataDir`), started in its
   * debug mode with `env`; undefined where terraform had better start it (see above).
   */
  static async start(dir: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<ProviderServer | undefined> {
    const binary = attachable(dir) ? providerBinary(dir, dataDir) : undefined;
    if (!binary) return undefined;
    // Its socket goes in a folder of its own, removed with it: a killed provider leaves its socket behind.
    const socketDir = mkdtempSync(path.join(tmpdir(), "qp-provider-"));
    const providerEnv: NodeJS.ProcessEnv = { ...env, TMPDIR: socketDir };
    // A CA bundle makes the provider refuse a second configuration ("unable to add custom RootCAs
    // HTTPClient"). Only a data source that reads AWS would use it, and that fails offline anyway;
    // such a failure is run again without this provider (see Workspace), with the bundle.
    delete providerEnv.AWS_CA_BUNDLE;
    const child = spawn("sh", ["-c", WATCHDOG, "provider-server", binary, socketDir], {
      cwd: dir,
      env: providerEnv,
      stdio: ["pipe", "pipe", "ignore"],
      detached: true,
    });
    const cleanup = onExit(() => {
      kill(child);
      rmSync(socketDir, { recursive: true, force: true });
    });
    const reattach = await reattachValue(child).catch(() => undefined);
    const server = new ProviderServer(reattach ?? "", child, cleanup);
    if (reattach) {
      // A workspace nobody closes must not keep this process alive: its exit stops the provider.
      child.unref();
      for (const stream of [child.stdin, child.stdout]) (stream as { unref?: () => void } | null)?.unref?.();
      return server;
    }
    await server.stop();
    return undefined;
  }
}

function groupRuns(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(child: ChildProcess): void {
  child.stdin?.destroy();
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** What the provider prints for terraform to attach to it, checked to name the AWS provider and nothing else. */
function reattachValue(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error("the provider did not start in time")), START_TIMEOUT_MS);
    const done = (error?: Error, value?: string) => {
      clearTimeout(timer);
      // Read on and drop what it prints later, so that it never blocks on a full pipe.
      child.stdout?.removeAllListeners("data").resume();
      if (value !== undefined) resolve(value);
      else reject(error);
    };
    child.once("error", (error) => done(error));
    child.once("exit", () => done(new Error("the provider ended before it started")));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const line = /TF_REATTACH_PROVIDERS='([^']*)'/.exec(output)?.[1];
      if (line === undefined) {
        if (output.length > 64 * 1024) done(new Error("the provider printed no reattach line"));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(line);
        if (isObject(parsed) && Object.keys(parsed).join() === AWS && isObject(parsed[AWS])) done(undefined, line);
        else done(new Error(`unexpected reattach line ${line}`));
      } catch (error) {
        done(error as Error);
      }
    });
  });
}
