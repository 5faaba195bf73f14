import { OpsInputError } from "./ops-error.js";

type Verb = "status" | "dlq peek" | "dlq redrive" | "archive replay" | "send";

export interface OpsArguments {
  readonly verb: Verb;
  readonly environment: string;
  /** `send`: the JSON Lines file. */
  readonly file?: string;
  readonly endpointUrl?: string;
  readonly outdir: string;
  readonly json: boolean;
  readonly hours: number;
  readonly reason?: string;
  readonly dryRun: boolean;
  readonly since?: Date;
  readonly until?: Date;
  readonly journal?: string;
  readonly holdSeconds: number;
  readonly max: number;
  readonly method: "auto" | "move-task" | "mover";
}

export const USAGE = `Usage: npm run ops -- <verb> <env> [options]

  status <env>             queue and DLQ depth, alarms, the last hours of metrics
  dlq peek <env>           dead letters by reason, with counts, examples and ages; nothing consumed
  dlq redrive <env>        dead letters back to the source queue (resumable)
  archive replay <env>     archived dead letters (archive mode) back to the source queue
  send <env> <file.jsonl>  order events, one JSON object a line, through the producer

Options:
  --endpoint-url <url>     a local pipeline (npm run local -- --keep prints it); default: AWS, from terraform output
  --outdir <dir>           cdktf's output folder (default cdktf.out)
  --json                   status, peek: JSON for scripts
  --hours <n>              status: metrics of the last n hours, 1-336 (default 3)
  --reason <r>             peek, redrive, replay: only dead letters with this reason
  --dry-run                redrive, replay: say what would move, move nothing
  --since <time>           replay: dead letters taken at or after this ISO 8601 time
  --until <time>           replay: ... and before this one
  --journal <file>         redrive: the journal that makes it resumable (default .ops/<env>-<dlq>.redrive.jsonl)
  --hold-seconds <n>       peek, redrive: how long a read message stays hidden, 1-43200 (default 60)
  --max <n>                peek: read at most n messages, 1-100000 (default 1000)
  --method <m>             redrive: auto (move task on AWS for a standard DLQ), move-task or mover

Exit statuses: 0 done, 1 partly done (the output says what was not), 2 bad input, 130/143 interrupted.
`;

const VERBS: Record<string, Verb> = {
  status: "status",
  "dlq peek": "dlq peek",
  "dlq redrive": "dlq redrive",
  "archive replay": "archive replay",
  send: "send",
};

/** Options each verb takes; any other is refused, so a misspelling never runs with a default. */
const OPTIONS_OF: Record<Verb, readonly string[]> = {
  status: ["--endpoint-url", "--outdir", "--json", "--hours"],
  "dlq peek": ["--endpoint-url", "--outdir", "--json", "--reason", "--hold-seconds", "--max"],
  "dlq redrive": ["--endpoint-url", "--outdir", "--reason", "--dry-run", "--journal", "--hold-seconds", "--method"],
  "archive replay": ["--endpoint-url", "--outdir", "--reason", "--dry-run", "--since", "--until"],
  send: ["--endpoint-url", "--outdir"],
};
const FLAGS = new Set(["--json", "--dry-run"]);

export function parseOpsArguments(argv: readonly string[]): OpsArguments | "help" {
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) return "help";
  // The verb comes first, so each option is checked against it before its value is taken.
  const twoWord = VERBS[`${argv[0]} ${argv[1]}`];
  const verb = twoWord ?? VERBS[argv[0] ?? ""];
  if (!verb) {
    throw new OpsInputError(
      `unknown verb ${JSON.stringify(argv.slice(0, 2).join(" "))} (allowed: ${Object.keys(VERBS).join(", ")})`,
    );
  }
  const rest: string[] = [];
  const values = new Map<string, string>();
  for (let index = twoWord ? 2 : 1; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (!argument.startsWith("--")) {
      rest.push(argument);
      continue;
    }
    const equals = argument.indexOf("=");
    const name = equals < 0 ? argument : argument.slice(0, equals);
    const inline = equals < 0 ? undefined : argument.slice(equals + 1);
    if (!OPTIONS_OF[verb].includes(name)) {
      throw new OpsInputError(`${verb} has no option ${name} (allowed: ${OPTIONS_OF[verb].join(", ")})`);
    }
    if (FLAGS.has(name)) {
      if (inline !== undefined) throw new OpsInputError(`${name} takes no value (got ${JSON.stringify(inline)})`);
      values.set(name, "true");
      continue;
    }
    const value = inline ?? argv[++index];
    if (value === undefined) throw new OpsInputError(`${name} needs a value`);
    values.set(name, value);
  }
  const expected = verb === "send" ? 2 : 1;
  if (rest.length !== expected) {
    throw new OpsInputError(
      `${verb} takes ${verb === "send" ? "<env> <file.jsonl>" : "<env>"} (got ${rest.length === 0 ? "nothing" : JSON.stringify(rest.join(" "))})`,
    );
  }
  const reason = values.get("--reason");
  if (reason !== undefined && reason.length === 0) throw new OpsInputError(`--reason must not be empty`);
  const method = values.get("--method") ?? "auto";
  if (method !== "auto" && method !== "move-task" && method !== "mover") {
    throw new OpsInputError(`--method must be auto, move-task or mover (got ${JSON.stringify(method)})`);
  }
  const since = time(values, "--since");
  const until = time(values, "--until");
  if (since && until && since >= until) {
    throw new OpsInputError(`--since must be before --until (got ${since.toISOString()} and ${until.toISOString()})`);
  }
  const endpointUrl = values.get("--endpoint-url");
  const journal = values.get("--journal");
  return {
    verb,
    environment: rest[0] as string,
    ...(verb === "send" ? { file: rest[1] as string } : {}),
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
    outdir: values.get("--outdir") ?? "cdktf.out",
    json: values.has("--json"),
    hours: wholeNumber(values, "--hours", 1, 336, 3),
    ...(reason === undefined ? {} : { reason }),
    dryRun: values.has("--dry-run"),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(journal === undefined ? {} : { journal }),
    holdSeconds: wholeNumber(values, "--hold-seconds", 1, 43_200, 60),
    max: wholeNumber(values, "--max", 1, 100_000, 1000),
    method,
  };
}

function wholeNumber(values: Map<string, string>, name: string, min: number, max: number, fallback: number): number {
  const text = values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new OpsInputError(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
}

function time(values: Map<string, string>, name: string): Date | undefined {
  const text = values.get(name);
  if (text === undefined) return undefined;
  const value = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(value.getTime())) {
    throw new OpsInputError(
      `${name} must be an ISO 8601 time such as 2026-11-30T12:00:00Z (got ${JSON.stringify(text)})`,
    );
  }
  return value;
}
