/**
 * `npm run apply -- <env> --plan <plan file> [--no-synth]`: applies exactly the saved plan that was
 * reviewed (made by `npm run plan -- <env>`), never a new one. It synthesizes the project again (or,
 * with --no-synth, takes the stack synthesized earlier), refuses unless that stack is the one the plan
 * was made from (plan.fingerprint.json next to the plan file), then runs `terraform apply <plan file>`,
 * which refuses in turn when the state changed since the plan.
 *
 * Exits 0 when the plan is applied; 1 when it is refused (the stack or the state changed since the
 * plan) or terraform's apply fails; 2 on bad usage or input (a missing plan file or fingerprint, a plan
 * of another environment, an offline plan, a synth or `terraform init` that fails); 3 on an internal
 * error; 130, 143 or 129 when a signal stopped it (review/command.ts, child-processes.ts).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { ENVIRONMENTS } from "../config/environments.js";
import { ApplyFailed, applySavedPlan } from "./apply-saved-plan.js";
import { stopOnSignals } from "./child-processes.js";
import { EXIT, InputError, runCommand } from "./command.js";
import { currentCommit } from "./plan-fingerprint.js";
import { ApplyRefused, readSavedPlan } from "./saved-plan.js";
import { synthesizeStack } from "./synthesize.js";

const USAGE = "usage: npm run apply -- <environment> --plan <plan file> [--no-synth]";

/**
 * How long terraform may take to stop at a signal before it is killed: an apply stopped halfway
 * finishes the calls it has started and writes the state, which can take minutes. A second signal
 * kills it at once.
 */
const APPLY_STOP_GRACE_MS = 15 * 60_000;

interface Options {
  readonly environment: string;
  readonly planFile: string;
  readonly synth: boolean;
}

function parseOptions(args: readonly string[]): Options {
  const names = ENVIRONMENTS.map((environment) => environment.name);
  const positional: string[] = [];
  let planFile: string | undefined;
  let synth = true;
  const rest = [...args];
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === "--plan") {
      planFile = rest.shift();
      if (planFile === undefined || planFile.startsWith("--"))
        throw new InputError(`${USAGE}\n--plan needs the plan file after it`);
    } else if (arg.startsWith("--plan=")) planFile = arg.slice("--plan=".length);
    else if (arg === "--no-synth") synth = false;
    else if (arg.startsWith("--")) throw new InputError(`${USAGE}\nunknown option ${arg}`);
    else positional.push(arg);
  }
  const [environment, ...extra] = positional;
  if (!environment || !names.includes(environment) || extra.length > 0) {
    throw new InputError(
      `${USAGE}\nenvironment must be one of ${names.join(", ")} (got ${positional.map((arg) => JSON.stringify(arg)).join(" ") || '""'})`,
    );
  }
  if (!planFile) throw new InputError(`${USAGE}\n--plan is required: the saved plan that was reviewed`);
  return { environment, planFile, synth };
}

function synthesizedEarlier(environment: string, outdir: string): string {
  const stackDir = path.join(outdir, "stacks", environment);
  if (!existsSync(stackDir))
    throw new InputError(
      `--no-synth: no stack of ${environment} in ${stackDir}; run npm run synth, or drop --no-synth`,
    );
  return stackDir;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  try {
    // Read and checked before the synth, which writes into the folder a plan file may be in.
    const saved = readSavedPlan(options.planFile, options.environment);
    stopOnSignals("npm run apply", "terraform is told to stop first and finishes what it started", APPLY_STOP_GRACE_MS);
    const stackDir = options.synth
      ? await synthesizeStack(options.environment, outdir)
      : synthesizedEarlier(options.environment, outdir);
    const commit = await currentCommit(process.cwd());
    console.log(`applying the saved plan ${options.planFile} to ${options.environment} (${stackDir})`);
    const output = await applySavedPlan(saved, stackDir, commit);
    console.log(output.trimEnd());
    const summary = /Apply complete!.*/.exec(output)?.[0] ?? "(no summary line)";
    console.log(`${options.environment}: ${summary}`);
    return EXIT.pass;
  } catch (error) {
    if (error instanceof ApplyRefused) {
      console.error(`apply: refused: ${error.message}`);
      return EXIT.blocking;
    }
    if (error instanceof ApplyFailed) {
      console.error(
        `apply: terraform's apply failed; what it changed before it stopped is in the state:\n${error.message}`,
      );
      return EXIT.blocking;
    }
    throw error;
  }
}

runCommand("apply", main);
