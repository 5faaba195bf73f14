import { describe, expect, it } from "vitest";
import { parseOpsArguments } from "../../../functions/ops/cli-arguments.js";
import { OpsInputError } from "../../../functions/ops/ops-error.js";

function refused(argv: readonly string[]): string {
  try {
    parseOpsArguments(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(OpsInputError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
}

describe("parseOpsArguments", () => {
  it("reads each verb with its environment, and the defaults", () => {
    expect(parseOpsArguments(["status", "prod"])).toMatchObject({
      verb: "status",
      environment: "prod",
      json: false,
      hours: 3,
      outdir: "cdktf.out",
    });
    expect(parseOpsArguments(["dlq", "peek", "dev", "--json"])).toMatchObject({
      verb: "dlq peek",
      json: true,
      holdSeconds: 60,
      max: 1000,
    });
    expect(parseOpsArguments(["dlq", "redrive", "dev", "--reason=schema-violation", "--dry-run"])).toMatchObject({
      verb: "dlq redrive",
      reason: "schema-violation",
      dryRun: true,
      method: "auto",
    });
    expect(
      parseOpsArguments(["archive", "replay", "staging", "--since", "2026-11-01", "--until", "2026-11-02T12:00:00Z"]),
    ).toMatchObject({
      verb: "archive replay",
      environment: "staging",
      since: new Date("2026-11-01T00:00:00Z"),
      until: new Date("2026-11-02T12:00:00Z"),
    });
    expect(parseOpsArguments(["send", "dev", "orders.jsonl", "--endpoint-url", "http://127.0.0.1:4566"])).toMatchObject(
      {
        verb: "send",
        file: "orders.jsonl",
        endpointUrl: "http://127.0.0.1:4566",
      },
    );
  });

  it.each([[[]], [["--help"]], [["dlq", "peek", "dev", "-h"]]])("%j asks for help", (argv) => {
    expect(parseOpsArguments(argv)).toBe("help");
  });

  it.each([
    [["dlq"], 'unknown verb "dlq" (allowed: status, dlq peek, dlq redrive, archive replay, send)'],
    [["dlq", "purge", "dev"], 'unknown verb "dlq purge"'],
    [["stauts", "dev"], 'unknown verb "stauts dev"'],
    [["--json", "status", "dev"], 'unknown verb "--json status"'],
    [["status"], "status takes <env> (got nothing)"],
    [["status", "dev", "prod"], 'status takes <env> (got "dev prod")'],
    [["send", "dev"], 'send takes <env> <file.jsonl> (got "dev")'],
    [
      ["status", "dev", "--reason", "x"],
      "status has no option --reason (allowed: --endpoint-url, --outdir, --json, --hours)",
    ],
    [["dlq", "peek", "dev", "--dryrun"], "dlq peek has no option --dryrun"],
    [["dlq", "redrive", "dev", "--json"], "dlq redrive has no option --json"],
    [["dlq", "peek", "dev", "--json=yes"], '--json takes no value (got "yes")'],
    [["dlq", "peek", "dev", "--max"], "--max needs a value"],
    [["status", "dev", "--hours", "0"], '--hours must be a whole number from 1 to 336 (got "0")'],
    [["status", "dev", "--hours", "1.5"], '--hours must be a whole number from 1 to 336 (got "1.5")'],
    [["status", "dev", "--hours", "337"], '--hours must be a whole number from 1 to 336 (got "337")'],
    [["dlq", "peek", "dev", "--max", "-1"], '--max must be a whole number from 1 to 100000 (got "-1")'],
    [
      ["dlq", "peek", "dev", "--hold-seconds", "43201"],
      '--hold-seconds must be a whole number from 1 to 43200 (got "43201")',
    ],
    [["dlq", "redrive", "dev", "--method", "sqs"], '--method must be auto, move-task or mover (got "sqs")'],
    [["dlq", "redrive", "dev", "--reason", ""], "--reason must not be empty"],
    [
      ["archive", "replay", "dev", "--since", "yesterday"],
      '--since must be an ISO 8601 time such as 2026-11-30T12:00:00Z (got "yesterday")',
    ],
    [["archive", "replay", "dev", "--until", "2026-13-01"], "--until must be an ISO 8601 time"],
    [
      ["archive", "replay", "dev", "--since", "2026-11-02", "--until", "2026-11-01"],
      "--since must be before --until (got 2026-11-02T00:00:00.000Z and 2026-11-01T00:00:00.000Z)",
    ],
  ])("refuses %j", (argv, message) => {
    expect(refused(argv)).toContain(message);
  });
});
