/**
 * Exit codes of the review's commands: 0 and 1 are verdicts, 2 says the input could not be judged,
 * 3 is an internal error. A crash, a deep or huge plan, or a file that is not a plan never ends in
 * 0 or 1. The policy command runs for real on files made here.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_PLAN_DEPTH, PlanFormatError, parsePlan } from "../../review/plan-json.js";
import { checkPlan } from "../../review/policy/index.js";
import { renderReview } from "../../review/review-report.js";
import { FIXTURES_DIR } from "../fixtures/plans/generate.js";
import { tempDir } from "../support/temp-dirs.js";

const REPO = path.resolve(FIXTURES_DIR, "../../..");
const dir = tempDir("policy-input");

function policy(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "review/policy/cli.ts", ...args], {
    cwd: REPO,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
}

const fixtureText = (name: string) => readFileSync(path.join(FIXTURES_DIR, name, "plan.json"), "utf8");

/** JSON text nested `depth` levels: lists, or objects under `key`. */
function nested(depth: number, kind: "list" | "object", leaf = '"x"'): string {
  return kind === "list"
    ? `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`
    : `${'{"constant_value":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}

/** The stateful-destroy-fail plan (a blocking verdict) with a deep value spliced in after `marker`. */
function deepPlan(marker: string, depth: number, kind: "list" | "object"): string {
  const text = fixtureText("stateful-destroy-fail");
  const at = text.indexOf(marker);
  if (at === -1) throw new Error(`no ${marker} in the fixture`);
  return `${text.slice(0, at + marker.length)}"deep":${nested(depth, kind)},${text.slice(at + marker.length)}`;
}

describe("npm run policy on deeply nested JSON", () => {
  const PLACES = [
    ["a resource's planned value", '"after":{', "list"],
    ["a configuration expression", '"expressions":{', "object"],
    ["the prior state", '"values":{', "object"],
  ] as const;
  for (const depth of [10_000, 200_000]) {
    for (const [where, marker, kind] of PLACES) {
      it(`refuses ${depth.toLocaleString("en")} levels in ${where} with exit 2, naming where`, () => {
        const result = policy(file(`deep-${depth}-${kind}-${marker.length}.json`, deepPlan(marker, depth, kind)));
        expect(result.status, result.stderr).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toContain(`nests deeper than ${MAX_PLAN_DEPTH} levels (at `);
        expect(result.stderr).toMatch(/\.deep[[.]/);
        expect(result.stderr).not.toMatch(/RangeError|internal error/);
      });
    }
    it(`refuses ${depth.toLocaleString("en")} levels at the top level with exit 2`, () => {
      for (const kind of ["list", "object"] as const) {
        const result = policy(file(`deep-top-${depth}-${kind}.json`, nested(depth, kind)));
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toContain(`nests deeper than ${MAX_PLAN_DEPTH} levels`);
      }
    });
  }

  it("accepts exactly MAX_PLAN_DEPTH levels and refuses one more (parsePlan, checkPlan)", () => {
    const plan = (depth: number) => ({
      format_version: "1.2",
      // The plan is level 1, planned_values level 2, and its lists the levels below.
      planned_values: { deep: JSON.parse(nested(depth - 2, "list")) },
    });
    expect(() => parsePlan(plan(MAX_PLAN_DEPTH))).not.toThrow();
    expect(() => parsePlan(plan(MAX_PLAN_DEPTH + 1))).toThrow(PlanFormatError);
    expect(() => checkPlan(plan(MAX_PLAN_DEPTH + 1))).toThrow(
      /nests deeper than 256 levels \(at planned_values\.deep\[0\]/,
    );
  });
});

describe("npm run review", () => {
  const review = (...args: string[]) =>
    spawnSync(process.execPath, ["scripts/run-ts.mjs", "review/review.ts", ...args], { cwd: REPO, encoding: "utf8" });

  it("exits 2 on bad usage and on a base that is not a commit", () => {
    const cases: [string[], string][] = [
      [[], "usage: npm run review -- --base <git-ref>"],
      [["--base", "HEAD", "--outt", "x.md"], "unknown option --outt"],
      [["--base", "no-such-ref-anywhere"], '--base "no-such-ref-anywhere" is not a commit of this repository'],
      [["--base", "HEAD", "--out"], "--out needs a value (got nothing)"],
      [["--out", "--base", "HEAD"], '--out needs a value (got "--base")'],
      [["--base"], "--base needs a value (got nothing)"],
      [["--base", "--out", "x.md"], '--base needs a value (got "--out")'],
      [["--base", "-q"], '--base must name a commit, not an option (got "-q")'],
      [["--base", "--upload-pack=touch /tmp/x"], "--base needs a value"],
    ];
    for (const [args, words] of cases) {
      const result = review(...args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(words);
    }
  });

  it("refuses a too deeply nested plan in its report (exit 2 through PlanFormatError)", () => {
    const plan = { format_version: "1.2", planned_values: { deep: JSON.parse(nested(10_000, "list")) } };
    expect(() =>
      renderReview({
        baseRef: "main",
        baseCommit: "0123456789ab",
        reviews: [{ environment: "dev", plan: plan as never, settled: true, derivedChanges: [] }],
      }),
    ).toThrow(PlanFormatError);
  });
});

describe("npm run policy on files that are not a plan", () => {
  it("exits 2 with a message naming the file and what is wrong", () => {
    const emptyDir = path.join(dir, "a-directory");
    mkdirSync(emptyDir);
    const cases: [string, string][] = [
      [file("empty.json", ""), "is empty"],
      [file("blank.json", " \n\t\n"), "is empty"],
      [file("text.json", "plan: yes\n"), "is not JSON"],
      [file("truncated.json", fixtureText("orders-prod").slice(0, 5000)), "is not JSON"],
      [file("null.json", "null"), "expected an object, got null"],
      [file("number.json", "42"), "expected an object, got the number 42"],
      [file("state.json", '{"format_version":"1.0","values":{}}'), "got a state"],
      [emptyDir, "is a directory"],
      [path.join(dir, "missing.json"), "no such file"],
    ];
    for (const [at, words] of cases) {
      const result = policy(at);
      expect(result.status, at).toBe(2);
      expect(result.stdout, at).toBe("");
      expect(result.stderr, at).toContain(words);
      expect(result.stderr, at).toContain(path.basename(at));
    }
  });

  it("refuses a file over 256 MiB before reading it (exit 2)", () => {
    const huge = path.join(dir, "huge.json");
    writeFileSync(huge, "");
    truncateSync(huge, 300 * 1024 * 1024); // sparse: takes no disk
    const result = policy(huge);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("more than the 268435456 bytes (256 MiB)");
  });

  it("reads a plan from standard input (-) up to the same size, and refuses more (exit 2)", () => {
    const piped = (command: string) =>
      spawnSync("sh", ["-c", `${command} | "${process.execPath}" --import tsx review/policy/cli.ts -`], {
        cwd: REPO,
        encoding: "utf8",
      });
    const endless = piped("head -c 300000000 /dev/zero");
    expect(endless.status).toBe(2);
    expect(endless.stderr).toContain("standard input holds more than the 268435456 bytes (256 MiB)");
    const empty = piped("true");
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("- is empty");
    const notJson = piped("echo '{not json'");
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toContain("is not JSON");
  });

  it("judges a plan holding a 30 MB string, and prints a bounded report", () => {
    const plan = JSON.parse(fixtureText("stateful-destroy-fail")) as {
      resource_changes: { change: { before: Record<string, unknown> | null } }[];
    };
    const table = plan.resource_changes.find((change) => change.change.before?.name === "fixture-orders")!;
    table.change.before!.name = `orders-${"x".repeat(30_000_000)}`;
    const result = policy(file("huge-string.json", JSON.stringify(plan)));
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain("more characters)");
    expect(result.stdout.length).toBeLessThan(20_000);
  });
});

describe("a crash is never a verdict", () => {
  /** A real process running runCommand; the throws are injected, since no input makes a correct command crash. */
  const run = (body: string) =>
    spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `import { runCommand, InputError } from "./review/command.ts"; import { PlanFormatError } from "./review/plan-json.ts"; ${body}`,
      ],
      { cwd: REPO, encoding: "utf8" },
    );

  it("exits 3, saying it is an internal error, on a throw, a rejection, or a stray uncaught error (injected)", () => {
    for (const body of [
      'runCommand("policy", () => { throw new RangeError("Maximum call stack size exceeded"); });',
      'runCommand("review", async () => { await null; throw new TypeError("x is undefined"); });',
      'runCommand("plan", () => { setTimeout(() => { throw new Error("stray"); }); return new Promise(() => {}); });',
      'runCommand("plan", () => { Promise.reject(new Error("unhandled")); return new Promise((r) => setTimeout(() => r(0), 200)); });',
    ]) {
      const result = run(body);
      expect(result.status, body).toBe(3);
      expect(result.stderr, body).toContain("internal error, not a verdict (exit 3)");
    }
  });

  it("exits 2 on an input error and a plan format error, and with main's code otherwise", () => {
    expect(run('runCommand("x", () => { throw new InputError("bad input"); });').status).toBe(2);
    expect(run('runCommand("x", () => { throw new PlanFormatError("not a plan"); });').status).toBe(2);
    expect(run('runCommand("x", async () => 1);').status).toBe(1);
    expect(run('runCommand("x", () => 0);').status).toBe(0);
  });

  it("exits with the signal's status, never 0, when a stray error happens while a signal stops it (injected)", () => {
    // The command waits on a child; SIGTERM arrives; during the stop's grace a stray error is thrown.
    const prelude =
      'import { runChild, stopOnSignals } from "./review/child-processes.ts"; stopOnSignals("x", "nothing"); ' +
      'setTimeout(() => process.kill(process.pid, "SIGTERM"), 300); ';
    for (const stray of [
      'process.once("SIGTERM", () => setTimeout(() => { throw new Error("stray while stopping"); }, 10));',
      'process.once("SIGTERM", () => { Promise.reject(new Error("rejected while stopping")); });',
    ]) {
      const result = run(
        `${prelude}${stray} runCommand("x", () => runChild("sh", ["-c", "trap '' TERM; sleep 30"], { cwd: "." }).then(() => 0));`,
      );
      expect(result.status, stray).toBe(143);
      expect(result.stderr, stray).not.toContain("internal error");
    }
  });
});
