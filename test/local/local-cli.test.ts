import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { type AttributeValue, DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_DEFAULTS, CliUsageError, parseCliOptions } from "../../local/cli-options.js";
import type { RunProgress, RunReport } from "../../local/run/local-run.js";
import { checkSynth, synthDecision, synthesize } from "../../local/synth-check.js";
import { createProgressView, formatProgress } from "../../local/views/progress-view.js";
import { exitCodeOf, verdict } from "../../local/views/summary-view.js";
import { tempDir } from "../support/temp-dirs.js";

const PROJECT = process.cwd();

function usageError(args: string[]): string {
  try {
    parseCliOptions(args);
  } catch (error) {
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as CliUsageError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error(`${args.join(" ")} was accepted`);
}

describe("npm run local options", () => {
  it("defaults to a dev run of 2000 messages, 5% poison, 5% transient, seed 1", () => {
    expect(parseCliOptions([])).toEqual({ ...CLI_DEFAULTS, keep: false, help: false });
    expect(CLI_DEFAULTS).toEqual({ environment: "dev", count: 2000, poisonShare: 0.05, transientShare: 0.05, seed: 1 });
  });

  it("takes every option, as --name value and --name=value", () => {
    expect(
      parseCliOptions([
        "--env",
        "prod",
        "--count=500",
        "--poison",
        "0.1",
        "--transient",
        "0",
        "--seed",
        "42",
        "--keep",
      ]),
    ).toEqual({
      environment: "prod",
      count: 500,
      poisonShare: 0.1,
      transientShare: 0,
      seed: 42,
      keep: true,
      help: false,
    });
    expect(parseCliOptions(["-h"]).help).toBe(true);
    expect(parseCliOptions(["--count", "1e3"]).count).toBe(1000);
  });

  it.each([
    [["--count", "abc"], '--count must be a whole number from 1 to 1000000 (got "abc")'],
    [["--count", "0"], '--count must be a whole number from 1 to 1000000 (got "0")'],
    [["--count", "12.5"], '--count must be a whole number from 1 to 1000000 (got "12.5")'],
    [["--count", "2000000"], '--count must be a whole number from 1 to 1000000 (got "2000000")'],
    [["--count", ""], '--count must be a whole number from 1 to 1000000 (got "")'],
    [["--poison", "1.5"], '--poison must be a share from 0 to 1, such as 0.05 for 5% (got "1.5")'],
    [["--poison=-0.1"], '--poison must be a share from 0 to 1, such as 0.05 for 5% (got "-0.1")'],
    [["--poison", "5%"], '--poison must be a share from 0 to 1, such as 0.05 for 5% (got "5%")'],
    [["--transient", "2"], '--transient must be a share from 0 to 1, such as 0.05 for 5% (got "2")'],
    [["--transient", "NaN"], '--transient must be a share from 0 to 1, such as 0.05 for 5% (got "NaN")'],
    [["--seed", "1.5"], '--seed must be a whole number from 0 to 4294967295 (got "1.5")'],
    [["--seed=-1"], '--seed must be a whole number from 0 to 4294967295 (got "-1")'],
    [["--env", "../prod"], '--env must name a synthesized environment such as dev, staging or prod (got "../prod")'],
    [["--env="], '--env must name a synthesized environment such as dev, staging or prod (got "")'],
  ])("rejects %j: %s", (args, message) => {
    expect(usageError(args)).toBe(message);
  });

  it("rejects unknown options, arguments without an option, missing values, values on switches and repeats", () => {
    expect(usageError(["--cuont", "5"])).toBe(
      "unknown option --cuont; the options are --env, --count, --poison, --transient, --seed, --keep, --help",
    );
    expect(usageError(["-x"])).toBe(
      "unknown option -x; the options are --env, --count, --poison, --transient, --seed, --keep, --help",
    );
    expect(usageError(["500"])).toMatch(
      /^unexpected argument "500": every value follows its option \(e\.g\. --count 500\)/,
    );
    expect(usageError(["--count"])).toBe("--count needs a value (e.g. --count 500)");
    expect(usageError(["--count", "--keep"])).toBe(
      '--count needs a value, and the next argument is an option; a value starting with "-" is written --count=<value>',
    );
    expect(usageError(["--keep=yes"])).toBe('--keep takes no value (got "--keep=yes"); give it alone to switch it on');
    expect(usageError(["--count", "5", "--count", "6"])).toBe("--count is given more than once; give it once");
  });
});

describe("whether to synthesize first", () => {
  const stack = "cdktf.out/stacks/dev/cdk.tf.json";
  const sources = [
    { path: "main.ts", mtimeMs: 1_000 },
    { path: "functions/order-processor/handler.ts", mtimeMs: 3_000 },
    { path: "config/environments.ts", mtimeMs: 2_000 },
  ];

  it("synthesizes when the stack file is missing", () => {
    expect(synthDecision(stack, undefined, sources)).toEqual({ needed: true, reason: `${stack} does not exist` });
  });

  it("synthesizes when a source is newer than the stack file, naming the newest", () => {
    expect(synthDecision(stack, 1_500, sources)).toEqual({
      needed: true,
      reason: `functions/order-processor/handler.ts (and 1 more) changed since ${stack} was synthesized`,
    });
    expect(synthDecision(stack, 2_500, sources)).toEqual({
      needed: true,
      reason: `functions/order-processor/handler.ts changed since ${stack} was synthesized`,
    });
  });

  it("does not when the stack file is as new as every source or newer", () => {
    expect(synthDecision(stack, 3_000, sources)).toEqual({ needed: false });
    expect(synthDecision(stack, 9_000, sources)).toEqual({ needed: false });
    expect(synthDecision(stack, 9_000, [])).toEqual({ needed: false });
  });
});

const progress = (sent: number, elapsedMs: number): RunProgress => ({
  elapsedMs,
  sent,
  total: 2000,
  processed: 120,
  retried: 3,
  filtered: 2,
  deadLettered: 4,
  queued: 50,
  inFlight: 20,
  throughput: 151.4,
});

describe("the progress view", () => {
  it("shows elapsed, sent/total, processed, retried, filtered, in DLQ, queued, in flight and msg/s", () => {
    expect(formatProgress(progress(400, 12_345))).toBe(
      "12.3 s  sent 400/2000  processed 120  retried 3  filtered 2  in DLQ 4  queued 50  in flight 20  151 msg/s",
    );
  });

  it("redraws one line in place on a terminal, cut to its width", () => {
    const written: string[] = [];
    const view = createProgressView({ write: (text: string) => written.push(text), isTTY: true, columns: 40 });
    view.update(progress(200, 500));
    view.update(progress(400, 1000));
    view.finish();
    expect(written).toHaveLength(3);
    const clearLine = "\r\u001b[2K";
    expect(written[0]?.slice(0, clearLine.length + 26)).toBe(`${clearLine} 0.5 s  sent 200/2000  pro`);
    expect(written[1]!.length).toBeLessThanOrEqual("\r\x1b[2K".length + 39);
    expect(written[2]).toBe("\n");
  });

  it("prints a line every 2 s elsewhere, and the last state at the end", () => {
    let now = 0;
    const written: string[] = [];
    const view = createProgressView({ write: (text: string) => written.push(text), isTTY: false }, { now: () => now });
    for (now = 0; now <= 4500; now += 500) view.update(progress(now, now));
    view.finish();
    expect(written.map((line) => /sent (\d+)/.exec(line)![1])).toEqual(["0", "2000", "4000", "4500"]);
    expect(written.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
  });
});

describe("the verdict and exit status", () => {
  const reconciliation = {
    sent: 100,
    applied: 90,
    duplicatesIgnored: 5,
    deadLettered: 8,
    deadLetteredWithReason: 8,
    deadLetterReasons: { "schema-violation": 8 },
    filtered: 2,
    filteredExpected: 2,
    lost: 0,
    duplicatedEffects: 0,
    expectedOrders: 30,
    stateMismatches: [],
    stateMismatchCount: 0,
    unexpectedDeadLetters: [],
    wrongReasons: [],
    ok: true,
  };
  const report = {
    messages: 100,
    sendFailures: 0,
    leftInQueue: 0,
    interrupted: false,
    reconciliation,
  } as unknown as RunReport;

  it("passes with exit 0 when every message is accounted for", () => {
    expect(verdict(report)).toMatch(
      /^PASS: all 100 messages accounted for \(90 applied, 8 dead-lettered with their reason, 2 filtered\)/,
    );
    expect(exitCodeOf(report)).toBe(0);
  });

  it("fails with exit 1 naming what is wrong", () => {
    const failed = {
      ...report,
      reconciliation: { ...reconciliation, lost: 2, stateMismatchCount: 1, ok: false },
    } as RunReport;
    expect(verdict(failed)).toBe("FAIL: 2 lost, 1 table mismatches (details above).");
    expect(exitCodeOf(failed)).toBe(1);
  });

  it("gives no verdict on an interrupted run, and exit 130", () => {
    const interrupted = {
      ...report,
      interrupted: true,
      leftInQueue: 40,
      reconciliation: { ...reconciliation, sent: 60, ok: false },
    } as RunReport;
    expect(verdict(interrupted)).toMatch(/^INTERRUPTED: 60 of 100 messages were sent, 40 were still in the work queue/);
    expect(exitCodeOf(interrupted)).toBe(130);
  });
});

interface Cli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
  /** Resolves once `pattern` appears in the output. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpExecArray>;
  /**
   * A signal to the CLI's whole process group, its containers included: SIGINT as a terminal's Ctrl-C
   * sends it, SIGTERM as `timeout` and CI cancels do.
   */
  interrupt(signal?: NodeJS.Signals): void;
  /** What the run left in its own temp folder, besides tsx's cache. */
  leftInTemp(): string[];
}

const started: Cli[] = [];

function startCli(args: string[]): Cli {
  // A temp folder of its own: what the run leaves there is its own.
  const tmp = tempDir("local-cli-tmp");
  // Its own process group, so that a failed test can end it with everything it started.
  const child = spawn(process.execPath, ["--import", "tsx", "local/cli.ts", ...args], {
    cwd: PROJECT,
    env: { ...process.env, TMPDIR: tmp },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  const waiters: (() => void)[] = [];
  for (const name of ["stdout", "stderr"] as const) {
    child[name]!.on("data", (chunk: Buffer) => {
      output[name] += chunk.toString();
      for (const waiter of [...waiters]) waiter();
    });
  }
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const cli: Cli = {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    exit,
    waitFor: (stream, pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output[stream]);
          if (match) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(match);
          }
        };
        waiters.push(check);
        void exit.then(() =>
          reject(new Error(`exited before ${pattern} appeared on ${stream}:\n${output.stdout}\n${output.stderr}`)),
        );
        check();
      }),
    interrupt: (signal = "SIGINT") => process.kill(-child.pid!, signal),
    leftInTemp: () => readdirSync(tmp).filter((entry) => !/^tsx-\d+$/.test(entry) && entry !== "node-compile-cache"),
  };
  started.push(cli);
  return cli;
}

// Each run has its own servers on free ports and its own process group, and mostly waits: side by side.
describe.concurrent("npm run local, end to end", () => {
  beforeAll(async () => {
    // A fresh clone has no cdktf.out; the CLI would synthesize too, but not within each test's time.
    if (checkSynth(PROJECT, "dev").needed) await synthesize(PROJECT);
  });

  // After all of them: a run another test started may still be going.
  afterAll(() => {
    for (const cli of started.splice(0)) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) process.kill(-cli.child.pid!, "SIGKILL");
    }
  });

  it("rejects a bad option with exit status 2 and names it", async () => {
    const cli = startCli(["--count", "many"]);
    expect(await cli.exit).toBe(2);
    expect(cli.stderr()).toContain('npm run local: --count must be a whole number from 1 to 1000000 (got "many")');
    expect(cli.stdout()).toBe("");
  });

  it("rejects an unknown environment, listing the configured and synthesized ones", async () => {
    const cli = startCli(["--env", "qa"]);
    expect(await cli.exit).toBe(2);
    expect(cli.stderr()).toMatch(
      /--env qa is not an environment of this project: configured in config\/environments\.ts: dev, staging, prod; synthesized in cdktf\.out\/stacks: .*dev/,
    );
  });

  it("runs 200 messages through the dev stack and accounts for every one (exit 0)", async () => {
    const cli = startCli(["--count", "200"]);
    expect(await cli.exit, cli.stderr()).toBe(0);
    const stdout = cli.stdout();
    expect(stdout).toContain("Settings (from cdktf.out/stacks/dev/cdk.tf.json)");
    expect(stdout).toMatch(/^ {2}batch size {11}10$/m);
    expect(stdout).toMatch(/^ {2}lost {17}0$/m);
    expect(stdout).toMatch(/^ {2}duplicated effects {3}0$/m);
    expect(stdout).toMatch(/^ {2}function log {9}\.local\/dev\/function\.log$/m);
    expect(stdout).toMatch(/^PASS: all 200 messages accounted for/m);
    expect(cli.stderr()).toMatch(/sent 200\/200/);
  });

  it("stops at Ctrl-C, summarizes what was done and exits 130", async () => {
    const cli = startCli(["--count", "5000"]);
    await cli.waitFor("stderr", /sent \d+\/5000/);
    cli.interrupt();
    expect(await cli.exit, cli.stderr()).toBe(130);
    expect(cli.stderr()).toContain("SIGINT: stopping");
    expect(cli.stdout()).toMatch(/^Local run of dev \(orders-dev-queue -> orders-dev-processor\), interrupted$/m);
    expect(cli.stdout()).toMatch(/^INTERRUPTED: \d+ of 5000 messages were sent/m);
    expect(cli.leftInTemp()).toEqual([]);
  });

  it("stops at SIGTERM to its process group (timeout, a CI cancel) as at Ctrl-C: the summary of what was done, from servers still up, nothing left in the temp folder, exit 143", async () => {
    const cli = startCli(["--count", "5000"]);
    await cli.waitFor("stderr", /sent \d+\/5000/);
    cli.interrupt("SIGTERM");
    expect(await cli.exit, cli.stderr()).toBe(143);
    expect(cli.stderr()).toContain("SIGTERM: stopping");
    expect(cli.stderr()).not.toMatch(/ECONNREFUSED|could not be made/);
    expect(cli.stdout()).toMatch(/^Local run of dev \(orders-dev-queue -> orders-dev-processor\), interrupted$/m);
    expect(cli.stdout()).toMatch(/^ {2}table: {14}\d+ orders expected/m);
    expect(cli.stdout()).toMatch(/^INTERRUPTED: \d+ of 5000 messages were sent/m);
    expect(cli.leftInTemp()).toEqual([]);
  });

  it("quits at once at a second signal (SIGHUP, then SIGTERM), its status the second's, and still leaves nothing in the temp folder", async () => {
    const cli = startCli(["--count", "5000"]);
    await cli.waitFor("stderr", /sent \d+\/5000/);
    cli.interrupt("SIGHUP");
    await cli.waitFor("stderr", /SIGHUP: stopping/);
    // Signals within 300 ms of each other count as one Ctrl-C (see local/cli.ts).
    await sleep(400);
    cli.interrupt("SIGTERM");
    expect(await cli.exit, cli.stderr()).toBe(143);
    expect(cli.stderr()).toContain("SIGTERM: quitting at once.");
    expect(cli.leftInTemp()).toEqual([]);
  });

  it("with --keep, prints live endpoints after the summary, keeps processing what is sent to them, and closes them at Ctrl-C (exit 0)", async () => {
    const cli = startCli(["--count", "50", "--poison", "0", "--transient", "0", "--keep"]);
    const [, sqsEndpoint] = await cli.waitFor("stdout", /^ {2}SQS endpoint {9}(\S+)$/m);
    const [, dynamoEndpoint] = await cli.waitFor("stdout", /^ {2}DynamoDB endpoint {4}(\S+)$/m);
    const [, queueUrl] = await cli.waitFor("stdout", /^ {2}queue URL {12}(\S+)$/m);
    const [, tableName] = await cli.waitFor("stdout", /^ {2}table {16}(\S+)$/m);
    await cli.waitFor(
      "stdout",
      /aws --endpoint-url http:\/\/127\.0\.0\.1:\d+ --region us-east-1 sqs receive-message --queue-url \S+orders-dev-dlq/,
    );
    expect(cli.stdout()).toMatch(/^PASS: /m);

    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const credentials = { accessKeyId: "any", secretAccessKey: "any" };
    const sqs = new SQSClient({ endpoint: sqsEndpoint, region: "eu-west-3", credentials });
    const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region: "eu-west-3", credentials });
    try {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
      );
      expect(JSON.parse(Attributes.RedrivePolicy!)).toMatchObject({ maxReceiveCount: 3 });
      const { Count } = await dynamo.send(new ScanCommand({ TableName: "orders-dev", Select: "COUNT" }));
      expect(Count).toBeGreaterThan(0);

      // The function keeps polling: an order sent now to the printed queue lands in the printed table.
      expect(tableName).toBe("orders-dev");
      const orderId = `order-keep-${process.pid}-${Date.now()}`;
      const body = JSON.stringify({
        type: "order_created",
        data: {
          order_id: orderId,
          customer_id: "customer-keep",
          items: [{ sku: "sku-1", quantity: 2, unit_price: 9.5 }],
          total: 19,
        },
        timestamp: new Date().toISOString(),
        correlation_id: `corr-${orderId}`,
      });
      const sender = new SQSClient({
        endpoint: sqsEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      const reader = new DynamoDBClient({
        endpoint: dynamoEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      try {
        const { MessageId } = await sender.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        expect(MessageId).toBeTruthy();
        const key = { pk: { S: `ORDER#${orderId}` }, sk: { S: "METADATA" } };
        let item: Record<string, AttributeValue> | undefined;
        for (const deadline = Date.now() + 15_000; !item && Date.now() < deadline; ) {
          ({ Item: item } = await reader.send(
            new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
          ));
          if (!item) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(item, `order ${orderId} did not reach ${tableName} within 15 s:\n${cli.stderr()}`).toBeDefined();
        expect(item).toMatchObject({ ...key, status: { S: "pending" }, customer_id: { S: "customer-keep" } });
      } finally {
        sender.destroy();
        reader.destroy();
      }
    } finally {
      sqs.destroy();
      dynamo.destroy();
    }
    expect(cli.child.exitCode).toBeNull();
    cli.interrupt();
    expect(await cli.exit, cli.stderr()).toBe(0);
    expect(cli.stderr()).toContain("Closing the servers.");
  });
});
