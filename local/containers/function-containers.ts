import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Context } from "aws-lambda";
import { unzipSync } from "fflate";
import { LAMBDA } from "../../functions/runtime/aws-limits.js";
import { onExit } from "../../scripts/exit-cleanup.js";
import { compiledChildEntry } from "../child-entry.js";
import type { ContainerReply, ContainerRequest, ContextFields } from "./container-protocol.js";

export interface FunctionContainersOptions {
  /** The function's deployment package: the zip the stack uploads. */
  readonly zipPath: string;
  /** Lambda's handler setting, `<file>.<export>`; default `index.handler`. */
  readonly handler?: string;
  /** The function's environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The node_modules that holds what the Lambda runtime provides (the AWS SDK v3, `@aws-sdk/*`),
   * which the bundle leaves out; default `node_modules` of the working directory. Only `@aws-sdk`
   * is visible to the function, as on Lambda: a dependency the bundle forgot fails here too.
   */
  readonly runtimeModules?: string;
  /** Every line the function writes to stdout or stderr, as CloudWatch Logs would receive it. */
  readonly onOutput?: (line: string) => void;
  /** How long a cold start's init may take, apart from the function timeout; default Lambda's 10 s. */
  readonly initBudgetMs?: number;
}

/** How long a container may take to exit once told to (its channel closed) when closing. */
const CLOSE_GRACE_MS = 2000;

export class FunctionTimeoutError extends Error {
  override readonly name = "FunctionTimeoutError";
}

export class RuntimeExitError extends Error {
  override readonly name = "RuntimeExitError";
}

/** An error the handler threw, as Lambda reports it: its type and message. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = "FunctionError";
  }
}

export interface FunctionContainers {
  /** Runs one invocation in an idle container, starting one (a cold start) if none is idle. */
  invoke(event: unknown, context: Context): Promise<unknown>;
  /** Containers started so far, i.e. cold starts. */
  readonly coldStarts: number;
  close(): Promise<void>;
}

interface Container {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  /** Killed or exited: never handed another invocation. */
  retired: boolean;
  pending?: { id: number; resolve: (reply: ContainerReply) => void; reject: (error: Error) => void };
}

/**
 * Runs a deployment package the way Lambda does: unzipped into a directory of its own, loaded once
 * per container, one invocation at a time per container, and a container that outlives the timeout
 * is killed (a JavaScript promise can't be cancelled, a process can). Each container is a child
 * process, so the function's logs, memory and crashes stay out of the caller's process.
 */
export function createFunctionContainers(options: FunctionContainersOptions): FunctionContainers {
  const directory = mkdtempSync(path.join(os.tmpdir(), "qp-function-"));
  const runtimeModules = `${directory}-runtime`;
  const idle: Container[] = [];
  const all = new Set<Container>();
  // However this process ends (an error, a second Ctrl-C, a signal nobody handles), even with a container
  // still starting: its containers go with it, and so do their folders.
  const removeFolders = onExit(() => {
    for (const container of all) container.process.kill("SIGKILL");
    rmSync(directory, { recursive: true, force: true });
    rmSync(runtimeModules, { recursive: true, force: true });
  });
  let bootstrap: string;
  try {
    unzipPackage(options.zipPath, directory);
    linkRuntimeProvidedModules(runtimeModules, path.resolve(options.runtimeModules ?? "node_modules"));
    bootstrap = compiledChildEntry("containers/container-bootstrap");
  } catch (error) {
    removeFolders();
    throw error;
  }
  const initBudgetMs = options.initBudgetMs ?? LAMBDA.initPhaseSeconds * 1000;
  let nextId = 1;
  let coldStarts = 0;
  let closed = false;

  function start(): Container {
    coldStarts += 1;
    const child = fork(bootstrap, [], {
      // Lambda's environment, not the caller's: none of the developer's credentials, profile or
      // NODE_OPTIONS leak into the function; only what the function is configured with.
      env: {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        TZ: "UTC",
        LANG: "en_US.UTF-8",
        LAMBDA_TASK_ROOT: directory,
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        ...options.environment,
        LOCAL_FUNCTION_DIRECTORY: directory,
        LOCAL_FUNCTION_HANDLER: options.handler ?? "index.handler",
        NODE_PATH: runtimeModules,
      },
      // Not the parent's flags (a loader such as tsx, a profiler): a Lambda container starts plain.
      execArgv: [],
      // In the caller's process group (unlike the servers): a function stuck in a loop still dies with a
      // kill of the group. The container ignores the signals a caller sends to stop the run.
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    // Invariant: stdio "pipe" above always gives the child both streams.
    if (child.stdout === null || child.stderr === null) {
      throw new Error("a function container started without its output pipes");
    }
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => options.onOutput?.(line));
    }
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const container: Container = {
      process: child,
      retired: false,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
    };
    container.ready.catch(() => undefined);
    child.on("message", (reply: ContainerReply) => {
      if (reply.type === "ready") return markReady();
      if (container.pending?.id === reply.id) container.pending.resolve(reply);
    });
    // A send to a runtime that died in between (killed at a timeout) fails with EPIPE on the channel:
    // the exit handler below already fails the invocation, so the channel error is only noted.
    child.on("error", (error) => {
      container.retired = true;
      container.pending?.reject(new RuntimeExitError(`the function's runtime is unreachable (${error.message})`));
    });
    child.on("exit", (code, signal) => {
      container.retired = true;
      all.delete(container);
      const index = idle.indexOf(container);
      if (index >= 0) idle.splice(index, 1);
      const error = new RuntimeExitError(`the function's runtime exited (${signal ?? `code ${code}`})`);
      failStart(error);
      container.pending?.reject(error);
    });
    all.add(container);
    return container;
  }

  async function invoke(event: unknown, context: Context): Promise<unknown> {
    if (closed) throw new Error("the function containers are closed");
    const container = idle.pop() ?? start();
    const timeoutMs = context.getRemainingTimeInMillis();
    const id = nextId++;
    const reply = new Promise<ContainerReply>((resolve, reject) => {
      container.pending = { id, resolve, reject };
    });
    // Settled by whichever comes first; a runtime that dies before it is ready must not leave it unhandled.
    reply.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    // Lambda ends a timed-out init or invocation by stopping its runtime; the next one starts cold.
    const expiry = (ms: number, message: string) =>
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          container.retired = true;
          container.process.kill("SIGKILL");
          reject(new FunctionTimeoutError(message));
        }, ms);
      });
    try {
      // A cold start's init has a budget of its own, as on Lambda: the function timeout starts after it,
      // so a slow machine's cold start does not eat a short timeout.
      await Promise.race([
        container.ready,
        expiry(initBudgetMs, `the function's init did not finish within ${initBudgetMs} ms`),
      ]);
      clearTimeout(timer);
      if (container.retired || !container.process.connected) {
        throw new RuntimeExitError("the function's runtime exited before the invocation was sent");
      }
      const deadline = Date.now() + timeoutMs;
      const request = { id, event, context: fieldsOf(context), deadline } satisfies ContainerRequest;
      // A runtime that dies while the request is on its way cannot take it: the invocation fails
      // as its exit says, instead of an EPIPE thrown at nobody.
      container.process.send(request, (error) => {
        if (error && container.pending?.id === id)
          container.pending.reject(new RuntimeExitError(`the function's runtime is gone (${error.message})`));
      });
      const answer = await Promise.race([reply, expiry(timeoutMs, `the function timed out after ${timeoutMs} ms`)]);
      if (answer.type === "error") throw new FunctionError(answer.errorType, answer.errorMessage);
      return answer.type === "result" ? answer.result : undefined;
    } finally {
      clearTimeout(timer);
      container.pending = undefined;
      if (!container.retired && !closed) idle.push(container);
    }
  }

  return {
    invoke,
    get coldStarts() {
      return coldStarts;
    },
    async close() {
      closed = true;
      await Promise.all(
        [...all].map(
          (container) =>
            new Promise<void>((resolve) => {
              if (container.process.exitCode !== null || container.process.signalCode !== null) return resolve();
              // A runtime stuck in a busy loop never sees its channel close: it gets a moment, then SIGKILL.
              const kill = setTimeout(() => container.process.kill("SIGKILL"), CLOSE_GRACE_MS);
              container.process.once("exit", () => {
                clearTimeout(kill);
                resolve();
              });
              // Not a signal: a container ignores those, which a caller sends to the whole process group.
              if (container.process.connected) container.process.disconnect();
              else container.process.kill("SIGKILL");
            }),
        ),
      );
      removeFolders();
    },
  };
}

function fieldsOf(context: Context): ContextFields {
  const {
    functionName,
    functionVersion,
    invokedFunctionArn,
    memoryLimitInMB,
    awsRequestId,
    logGroupName,
    logStreamName,
  } = context;
  return {
    functionName,
    functionVersion,
    invokedFunctionArn,
    memoryLimitInMB,
    awsRequestId,
    logGroupName,
    logStreamName,
  };
}

/**
 * A folder beside the package where only `@aws-sdk` is found: a link into the project's copy, whose
 * own dependencies then resolve from where it really lies.
 */
function linkRuntimeProvidedModules(folder: string, projectModules: string): void {
  mkdirSync(folder, { recursive: true });
  symlinkSync(path.join(projectModules, "@aws-sdk"), path.join(folder, "@aws-sdk"), "dir");
}

function unzipPackage(zipPath: string, directory: string): void {
  for (const [name, contents] of Object.entries(unzipSync(readFileSync(zipPath)))) {
    if (name.endsWith("/")) continue;
    const target = path.join(directory, name);
    if (!target.startsWith(directory + path.sep))
      throw new Error(`the package ${zipPath} holds an entry outside its root: ${name}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, contents);
  }
}
