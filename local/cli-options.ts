import { parseArgs } from "node:util";

/** What `npm run local` was asked to do. */
export interface CliOptions {
  readonly environment: string;
  readonly count: number;
  readonly poisonShare: number;
  readonly transientShare: number;
  readonly seed: number;
  readonly keep: boolean;
  readonly help: boolean;
}

export const CLI_DEFAULTS = {
  environment: "dev",
  count: 2000,
  poisonShare: 0.05,
  transientShare: 0.05,
  seed: 1,
} as const;

const MAX_COUNT = 1_000_000;
const MAX_SEED = 2 ** 32 - 1;

/** A command line that can't be run; the message names the option, the value and what is allowed. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
  /** The exit status for a usage error. */
  readonly exitCode = 2;
}

export const USAGE = `Usage: npm run local -- [options]

Runs the synthesized stack's SQS -> Lambda pipeline on this machine (local SQS and DynamoDB servers,
the real deployment package in local containers), sends a generated order stream through it and
reconciles every message. Synthesizes first when cdktf.out is missing or older than the sources.

Options:
  --env <name>         the synthesized stack to run: dev, staging, prod (default ${CLI_DEFAULTS.environment})
  --count <n>          messages to send, a whole number from 1 to ${MAX_COUNT} (default ${CLI_DEFAULTS.count})
  --poison <share>     share of poison messages, from 0 to 1 (default ${CLI_DEFAULTS.poisonShare})
  --transient <share>  share of messages whose order's first table write fails once, from 0 to 1 (default ${CLI_DEFAULTS.transientShare})
  --seed <n>           seed of the order stream, a whole number from 0 to ${MAX_SEED} (default ${CLI_DEFAULTS.seed})
  --keep               after the summary, keep the servers up (with their endpoints printed) until Ctrl-C
  -h, --help           print this help

Exit status: 0 when every message is accounted for, 1 when not, 2 for a bad option; when interrupted,
130 (Ctrl-C, SIGINT), 143 (SIGTERM) or 129 (SIGHUP).
`;

const OPTIONS = {
  env: { type: "string" },
  count: { type: "string" },
  poison: { type: "string" },
  transient: { type: "string" },
  seed: { type: "string" },
  keep: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const OPTION_LIST = "--env, --count, --poison, --transient, --seed, --keep, --help";

/** Parses the arguments after `npm run local --`; throws a CliUsageError for anything it can't run. */
export function parseCliOptions(args: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new CliUsageError(explainParseError(error as Error & { code?: string }, args));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new CliUsageError(`--${token.name} is given more than once; give it once`);
    seen.add(token.name);
  }
  const { values } = parsed;
  const environment = values.env ?? CLI_DEFAULTS.environment;
  if (!/^[A-Za-z0-9_-]+$/.test(environment)) {
    throw new CliUsageError(
      `--env must name a synthesized environment such as dev, staging or prod (got ${JSON.stringify(environment)})`,
    );
  }
  return {
    environment,
    count: wholeNumber("--count", values.count, CLI_DEFAULTS.count, 1, MAX_COUNT),
    poisonShare: share("--poison", values.poison, CLI_DEFAULTS.poisonShare),
    transientShare: share("--transient", values.transient, CLI_DEFAULTS.transientShare),
    seed: wholeNumber("--seed", values.seed, CLI_DEFAULTS.seed, 0, MAX_SEED),
    keep: values.keep ?? false,
    help: values.help ?? false,
  };
}

function parse(args: readonly string[]) {
  return parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
}

function explainParseError(error: Error & { code?: string }, args: readonly string[]): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  const option = quoted.split(" ")[0] ?? quoted;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option}; the options are ${OPTION_LIST}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${JSON.stringify(quoted)}: every value follows its option (e.g. --count 500); the options are ${OPTION_LIST}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(error.message)) {
        const given = args.find((arg) => arg.startsWith(`${option}=`)) ?? option;
        return `${option} takes no value (got ${JSON.stringify(given)}); give it alone to switch it on`;
      }
      if (/ambiguous/.test(error.message)) {
        return `${option} needs a value, and the next argument is an option; a value starting with "-" is written ${option}=<value>`;
      }
      return `${option} needs a value (e.g. ${option} ${example(option)})`;
    default:
      return error.message;
  }
}

function example(option: string): string {
  return (
    { "--env": "dev", "--count": "500", "--poison": "0.1", "--transient": "0.1", "--seed": "7" }[option] ?? "<value>"
  );
}

/** Numbers as people type them: "500", "0.05", "1e3"; not "", "0x10", " 5". */
function toNumber(raw: string): number {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
}

function wholeNumber(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = toNumber(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CliUsageError(`${option} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function share(option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = toNumber(raw);
  if (!(value >= 0 && value <= 1)) {
    throw new CliUsageError(`${option} must be a share from 0 to 1, such as 0.05 for 5% (got ${JSON.stringify(raw)})`);
  }
  return value;
}
