/**
 * How the review's commands (`npm run policy`, `npm run review`, `npm run plan`) end. 0 and 1 are
 * verdicts: no blocking finding, a blocking finding. 2 says the command could not judge what it was
 * given: bad usage, an unreadable, malformed or too deeply nested file, something that is not a plan,
 * a project whose synth or terraform fails. 3 is an internal error: a bug in the command. A crash
 * must never read as a verdict, so every failure ends in 2 or 3, never in 0 or 1.
 */
import { stoppingExitCode } from "./child-processes.js";
import { PlanFormatError } from "./plan-json.js";
import { TerraformError } from "./terraform.js";

export const EXIT = { pass: 0, blocking: 1, input: 2, internal: 3 } as const;

/** A problem with what the user gave (an option, a file, a project): exit 2 with its message. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/** Prints a failure the way its exit code says, and returns the code (2 or 3). */
function reportFailure(command: string, error: unknown): number {
  if (error instanceof InputError || error instanceof PlanFormatError || error instanceof TerraformError) {
    console.error(`${command}: ${error.message}`);
    return EXIT.input;
  }
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  console.error(
    `${command}: internal error, not a verdict (exit ${EXIT.internal}): this is a bug in the command, please report it\n${detail}`,
  );
  return EXIT.internal;
}

/**
 * Runs a command's main and sets the exit code it returns; any throw, rejection or stray uncaught
 * error becomes exit 2 or 3 (see {@link reportFailure}).
 */
export function runCommand(command: string, main: () => number | Promise<number>): void {
  const crash = (error: unknown) => {
    // Stopped by a signal: the children failed because they were told to stop, and the signal's
    // handler exits with its own status (see child-processes.ts); their failure is no finding to report.
    if (stoppingExitCode() !== undefined) return;
    process.exitCode = reportFailure(command, error);
  };
  // A stray error ends the command at once: with the signal's status while one stops it, never with 0.
  const stray = (error: unknown) => {
    crash(error);
    process.exit(stoppingExitCode() ?? process.exitCode ?? EXIT.internal);
  };
  process.on("uncaughtException", stray);
  process.on("unhandledRejection", stray);
  new Promise<number>((resolve) => resolve(main())).then((code) => {
    process.exitCode = code;
  }, crash);
}
