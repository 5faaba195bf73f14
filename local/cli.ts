/**
 * `npm run local`: the orders pipeline of a synthesized stack on this machine, an order stream through
 * it, every message reconciled. See local/README.md and `npm run local -- --help`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ENVIRONMENTS } from "../config/environments.js";
import { EXIT_SIGNALS, signalExitCode } from "../scripts/exit-cleanup.js";
import { type CliOptions, CliUsageError, parseCliOptions, USAGE } from "./cli-options.js";
import { readSynthesizedStack, type SynthesizedStack } from "./pipeline/synthesized-stack.js";
import { type LocalRun, runLocal } from "./run/local-run.js";
import { checkSynth, stackFileOf, synthesize, synthesizedEnvironments } from "./synth-check.js";
import { createProgressView } from "./views/progress-view.js";
import { exitCodeOf, formatEndpoints, formatSummary } from "./views/summary-view.js";

// Lambda runs nodejs22.x; the SDK's warning about the local Node 20 would come with every client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/**
 * A signal this soon after the previous one is the same Ctrl-C: a terminal signals the whole process
 * group, and a wrapper in it (npm run, when its shell execs the command) may forward the signal again.
 */
const SAME_SIGNAL_MS = 300;
/** Closing should take a second; never hang on it. */
const CLOSE_TIMEOUT_MS = 15_000;

type Phase = "setup" | "running" | "summary" | "keeping" | "closing";
let phase: Phase = "setup";
let lastSignalAt: number | undefined;
/** The signal that stopped the run: the exit status says which (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). */
let interruptedBy: NodeJS.Signals = "SIGINT";
const abort = new AbortController();
let onKeepEnd: (() => void) | undefined;

await main();

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`npm run local: ${error.message}\nRun \`npm run local -- --help\` for the options.\n`);
    return exit(error.exitCode);
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return exit(0);
  }
  process.chdir(ROOT);
  // Ctrl-C, and what `timeout`, a CI cancel or a closed terminal send, all stop the run the same way.
  for (const signal of EXIT_SIGNALS) process.on(signal, () => onSignal(signal));

  const environment = options.environment;
  const configured = ENVIRONMENTS.map((candidate) => candidate.name);
  const synthesized = synthesizedEnvironments(ROOT);
  if (!configured.includes(environment) && !synthesized.includes(environment)) {
    process.stderr.write(
      `npm run local: --env ${environment} is not an environment of this project: ` +
        `configured in config/environments.ts: ${configured.join(", ") || "none"}; ` +
        `synthesized in cdktf.out/stacks: ${synthesized.join(", ") || "none"}\n`,
    );
    return exit(2);
  }
  if (configured.includes(environment)) {
    const decision = checkSynth(ROOT, environment);
    if (decision.needed) {
      process.stderr.write(`Synthesizing first: ${decision.reason} (node scripts/run-ts.mjs main.ts)\n`);
      const started = performance.now();
      try {
        await synthesize(ROOT, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return exit(signalExitCode(interruptedBy));
        process.stderr.write(`npm run local: ${(error as Error).message}\n`);
        return exit(1);
      }
      process.stderr.write(`Synthesized in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
    }
  }
  if (abort.signal.aborted) return exit(signalExitCode(interruptedBy));

  const stackFile = stackFileOf(environment);
  let stack: SynthesizedStack;
  try {
    stack = readSynthesizedStack("cdktf.out", environment);
  } catch (error) {
    process.stderr.write(`npm run local: ${(error as Error).message}\n`);
    return exit(1);
  }
  const processor = stack.processors[0];
  const functionLogFile = `.local/${environment}/function.log`;
  const progress = createProgressView(process.stderr);
  process.stderr.write(
    `Running ${environment} locally: ${options.count} messages through ${processor?.queue.name ?? "its queue"} -> ` +
      `${processor?.function.name ?? "its function"} (Ctrl-C stops and summarizes; function log: ${functionLogFile})\n`,
  );

  phase = "running";
  let run: LocalRun;
  try {
    run = await runLocal({
      environment,
      count: options.count,
      poisonShare: options.poisonShare,
      transientShare: options.transientShare,
      seed: options.seed,
      functionLogFile,
      signal: abort.signal,
      progressIntervalMs: 500,
      onProgress: (snapshot) => progress.update(snapshot),
    });
  } catch (error) {
    progress.finish();
    const interrupted = abort.signal.aborted;
    process.stderr.write(
      `npm run local: ${interrupted ? "interrupted, and the summary could not be made" : "the local run failed"}: ${(error as Error).stack ?? String(error)}\n`,
    );
    return exit(interrupted ? signalExitCode(interruptedBy) : 1);
  }
  progress.finish();

  phase = "summary";
  const { report } = run;
  const summary = formatSummary(report, {
    stackFile,
    filterPatterns: processor?.filterPatterns ?? [],
    ...(processor ? { queueName: processor.queue.name, functionName: processor.function.name } : {}),
    functionLogFile,
    poisonShare: options.poisonShare,
    transientShare: options.transientShare,
    seed: options.seed,
  });
  process.stdout.write(`\n${summary}\n`);
  const code = report.interrupted ? signalExitCode(interruptedBy) : exitCodeOf(report);

  if (options.keep && !report.interrupted) {
    process.stdout.write(`\n${formatEndpoints(run.endpoints, stack.region)}\n`);
    run.resumePolling();
    phase = "keeping";
    await new Promise<void>((resolve) => (onKeepEnd = resolve));
    process.stderr.write("Closing the servers.\n");
  }
  phase = "closing";
  await closeWithin(run, CLOSE_TIMEOUT_MS);
  return exit(code);
}

function onSignal(signal: NodeJS.Signals): void {
  const now = performance.now();
  if (lastSignalAt !== undefined && now - lastSignalAt < SAME_SIGNAL_MS) return;
  const first = lastSignalAt === undefined;
  lastSignalAt = now;
  if (phase === "setup" && first) {
    interruptedBy = signal;
    abort.abort();
    return;
  }
  if (phase === "running" && first) {
    interruptedBy = signal;
    abort.abort();
    process.stderr.write(
      `\n${signal}: stopping: no more sending or polling; the summary follows (Ctrl-C again to quit at once).\n`,
    );
    return;
  }
  if (phase === "keeping" && onKeepEnd) {
    const end = onKeepEnd;
    onKeepEnd = undefined;
    end();
    return;
  }
  // A second signal, or one while the summary is written or everything closes.
  // The exit listeners still remove the function containers and their folders (scripts/exit-cleanup.ts).
  process.stderr.write(`\n${signal}: quitting at once.\n`);
  process.exit(signalExitCode(signal));
}

async function closeWithin(run: LocalRun, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`npm run local: closing the servers took over ${timeoutMs / 1000} s; quitting anyway.\n`);
      resolve();
    }, timeoutMs);
  });
  await Promise.race([run.close(), timedOut]).finally(() => clearTimeout(timer));
}

/** Exits once stdout and stderr are flushed (pipes are asynchronous on some systems). */
async function exit(code: number): Promise<never> {
  await Promise.all(
    [process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write("", () => resolve()))),
  );
  process.exit(code);
}
