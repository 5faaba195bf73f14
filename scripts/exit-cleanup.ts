/**
 * What a process made that must not outlive it (a temporary folder, a git worktree, a compiled file,
 * a child process) is removed however the process ends: its natural end, `process.exit`, an uncaught
 * exception, or SIGINT, SIGTERM and SIGHUP. Only SIGKILL escapes it; the tools that can be killed so
 * name what they make recognisably and tidy up after an earlier run (see review/review-scratch.ts).
 *
 * Shared by local/ and review/ (neither may import the other), hence here.
 */
import { constants } from "node:os";

/** The signals that end a process unless it handles them, and that a caller sends to stop one. */
export const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const satisfies readonly NodeJS.Signals[];

/** The conventional exit status of a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * Whether the process `pid` still runs: what a killed run left is named with its pid, so that a later
 * run removes it only once its maker is gone. This process's own pid counts as not running: it is
 * new, and whatever carries its pid was left by an earlier process that had the same.
 */
export function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Registry {
  readonly cleanups: Set<() => void>;
  /** The process listeners, made by whichever copy of this module came first. */
  readonly onExit: () => void;
  readonly onSignal: Readonly<Record<(typeof EXIT_SIGNALS)[number], () => void>>;
  listening: boolean;
}

// One registry per process, even when this module is loaded twice (bundled into one entry, imported by
// another): one set of listeners, and every cleanup runs.
const REGISTRY_KEY = Symbol.for("queue-processor.exit-cleanup");
const shared = globalThis as Record<symbol, Registry | undefined>;
const registry: Registry = shared[REGISTRY_KEY] ?? newRegistry();
shared[REGISTRY_KEY] = registry;

function newRegistry(): Registry {
  const cleanups = new Set<() => void>();
  const runAll = () => {
    for (const cleanup of [...cleanups].reverse()) {
      try {
        cleanup();
      } catch (error) {
        // One failed cleanup must not keep the others from running.
        process.stderr.write(`cleanup on exit failed: ${(error as Error).message}\n`);
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const own = created.onSignal[signal as (typeof EXIT_SIGNALS)[number]];
    if (process.listeners(signal).some((listener) => listener !== own)) return;
    runAll();
    stopListening();
    // Without a listener the signal's default action ends the process, with the status a caller expects.
    process.kill(process.pid, signal);
  };
  const created: Registry = {
    cleanups,
    onExit: runAll,
    onSignal: {
      SIGINT: () => onSignal("SIGINT"),
      SIGTERM: () => onSignal("SIGTERM"),
      SIGHUP: () => onSignal("SIGHUP"),
    },
    listening: false,
  };
  return created;
}

/**
 * Runs `cleanup` (synchronous: it may run in an `exit` listener) once, when the process ends, however it
 * ends. On SIGINT, SIGTERM or SIGHUP that nothing else in the process handles, it runs at once and the
 * process then ends by that signal, as it would have without this. When something else handles the
 * signal (a command that stops gracefully), that handler decides, and `cleanup` runs when it exits.
 * Cleanups run newest first (a child process is stopped before the folder it writes to is removed).
 *
 * Returns a function that runs `cleanup` now, if it has not run, and forgets it: the normal path.
 */
export function onExit(cleanup: () => void): () => void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    registry.cleanups.delete(once);
    if (registry.cleanups.size === 0) stopListening();
    cleanup();
  };
  registry.cleanups.add(once);
  startListening();
  return once;
}

function startListening(): void {
  if (registry.listening) return;
  registry.listening = true;
  process.on("exit", registry.onExit);
  for (const signal of EXIT_SIGNALS) process.on(signal, registry.onSignal[signal]);
}

function stopListening(): void {
  if (!registry.listening) return;
  registry.listening = false;
  process.off("exit", registry.onExit);
  for (const signal of EXIT_SIGNALS) process.off(signal, registry.onSignal[signal]);
}
