import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { EXIT_SIGNALS, onExit, signalExitCode } from "../scripts/exit-cleanup.js";

/** How long a child (terraform, a synth) may take to stop once told to, before it is killed. */
const STOP_GRACE_MS = 5000;

const running = new Set<ChildProcess>();
/** The signal being handled by stopOnSignals, if any. */
let stoppingFor: NodeJS.Signals | undefined;

export interface ChildOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** What happens to the child's stderr: kept for the error (default), or passed on to ours. */
  readonly stderr?: "pipe" | "inherit";
  readonly maxBufferBytes?: number;
}

export class ChildFailure extends Error {
  override readonly name = "ChildFailure";
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/**
 * Runs `command` in a process group of its own and resolves with its stdout; rejects with a
 * ChildFailure naming its exit status, or the signal that killed it. Terraform starts its providers as
 * children of its own: the group holds them too, and it is killed when this process ends, however it
 * ends (see stopChildren for the graceful way).
 */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<string> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", options.stderr ?? "pipe"],
    detached: true,
  });
  running.add(child);
  const forget = onExit(() => killGroup(child));
  const maxBuffer = options.maxBufferBytes ?? 64 * 1024 * 1024;
  const output = { stdout: "", stderr: "" };
  let overflow = false;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output.stdout += chunk;
    if (output.stdout.length > maxBuffer && !overflow) {
      overflow = true;
      killGroup(child);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      running.delete(child);
      forget();
      reject(new ChildFailure(`${command} could not start: ${error.message}`, null, null, "", ""));
    });
    child.once("close", (code, signal) => {
      running.delete(child);
      forget();
      if (code === 0 && !overflow) return resolve(output.stdout);
      const how = overflow
        ? `wrote more than ${maxBuffer} bytes`
        : signal
          ? `was killed by ${signal}`
          : `exited with status ${code}`;
      reject(new ChildFailure(`${command} ${how}`, code, signal, output.stdout, output.stderr));
    });
  });
}

/** The whole group, even when its leader has ended: a provider terraform left would still be in it. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // The group is gone already.
  }
}

/**
 * Passes `signal` on to every running child (terraform stops its providers and releases what it holds),
 * waits for them a moment, and kills the groups that are left.
 */
async function stopChildren(signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(
      children.map((child) => (child.exitCode === null && child.signalCode === null ? once(child, "exit") : undefined)),
    ),
    new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
  ]);
  clearTimeout(timer);
  for (const child of children) killGroup(child);
}

/**
 * SIGINT, SIGTERM and SIGHUP stop the command: its children are stopped, then it exits with the
 * signal's conventional status (130, 143, 129), and the exit cleanups remove what it made (see
 * scripts/exit-cleanup.ts). A second signal exits at once. `graceMs` is how long the children may take
 * to stop before they are killed.
 */
export function stopOnSignals(command: string, whatIsRemoved: string, graceMs = STOP_GRACE_MS): void {
  for (const signal of EXIT_SIGNALS) {
    process.on(signal, () => {
      if (stoppingFor) process.exit(signalExitCode(signal));
      stoppingFor = signal;
      process.stderr.write(`\n${command}: ${signal}: stopping; ${whatIsRemoved}.\n`);
      void stopChildren(signal, graceMs).finally(() => process.exit(signalExitCode(signal)));
    });
  }
}

/**
 * The exit status of the signal stopping the command (130, 143, 129), if one is: then a child that
 * failed was told to stop, and the command's own error must not win over the signal's exit status.
 */
export function stoppingExitCode(): number | undefined {
  return stoppingFor === undefined ? undefined : signalExitCode(stoppingFor);
}
