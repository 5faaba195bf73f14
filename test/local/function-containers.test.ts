import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bundleFunction } from "../../functions/runtime/bundle/bundle.js";
import { createLambdaContext } from "../../functions/runtime/poller/index.js";
import {
  createFunctionContainers,
  type FunctionContainers,
  type FunctionContainersOptions,
  FunctionError,
  FunctionTimeoutError,
  RuntimeExitError,
} from "../../local/containers/function-containers.js";
import { tempDir } from "../support/temp-dirs.js";

/**
 * Handlers of one deployment package, each picked by the handler setting (`index.<export>`). The
 * source is bundled by the project's bundler into the zip a stack would upload.
 */
const HANDLERS = `
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export async function echo(event, context) {
  return {
    event,
    greeting: process.env.GREETING,
    callerOnly: process.env.QP_CALLER_ONLY,
    timezone: process.env.TZ,
    pid: process.pid,
    directory: __dirname,
    awsRequestId: context.awsRequestId,
    functionName: context.functionName,
  };
}

export async function countdown(event, context) {
  const first = context.getRemainingTimeInMillis();
  await sleep(event.ms);
  return { first, second: context.getRemainingTimeInMillis() };
}

export async function sleepy(event) {
  if (event.pidFile) writeFileSync(event.pidFile, String(process.pid));
  await sleep(event.ms);
  if (event.writeFile) writeFileSync(event.writeFile, "ran on after the sleep");
  return { pid: process.pid };
}

class OrderRejected extends Error {
  constructor(message) {
    super(message);
    this.name = "OrderRejected";
  }
}

export async function fail(event) {
  throw new OrderRejected("order " + event.id + " rejected");
}

export async function exit() {
  process.exit(3);
}

// Names built at run time, so the bundler leaves both requires to the runtime.
export async function requireAtRuntime(event) {
  const { createRequire } = await import("node:module");
  const load = createRequire(__filename);
  try {
    load([event.scope, event.name].join(""));
    return "found";
  } catch (error) {
    return error.code;
  }
}

export async function log() {
  console.log("console line");
  console.error("error line");
  process.stdout.write("stdout one\\nstdout two\\n");
  return "logged";
}
`;

// Static code that takes INIT_MS to run, as a module that loads a large SDK or warms a cache does.
const SLOW_AT_LOAD = `
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.INIT_MS));
export async function countdown(event, context) {
  return { first: context.getRemainingTimeInMillis(), pid: process.pid };
}
`;

const BROKEN_AT_LOAD = `
if (!process.env.NEVER_SET) throw new Error("cannot load: NEVER_SET is missing");
export async function handler() {
  return "never";
}
`;

const REGION = "us-east-1";
const FUNCTION = "containers-test";

let handlersZip: string;
let brokenZip: string;
let slowZip: string;
const opened: FunctionContainers[] = [];

function bundle(name: string, source: string): string {
  const dir = tempDir("handler-src");
  const entry = path.join(dir, `${name}.js`);
  writeFileSync(entry, source);
  return bundleFunction({ entry, outputDirectory: tempDir("handler-zip") }).zipPath;
}

function open(options: Partial<FunctionContainersOptions> & { handler: string }): FunctionContainers {
  const containers = createFunctionContainers({ zipPath: handlersZip, environment: {}, ...options });
  opened.push(containers);
  return containers;
}

function context(timeoutSeconds = 10) {
  return createLambdaContext(FUNCTION, REGION, timeoutSeconds);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

/** Child processes of this test worker that run the container bootstrap (Linux /proc). */
function bootstrapChildren(): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      if (ppid !== process.pid || state === "Z") continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("container-bootstrap")) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

beforeAll(() => {
  handlersZip = bundle("handlers", HANDLERS);
  brokenZip = bundle("broken", BROKEN_AT_LOAD);
  slowZip = bundle("slow", SLOW_AT_LOAD);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((containers) => containers.close()));
});

describe("createFunctionContainers: results, environment and context", () => {
  it("returns the handler's result, with the function's environment and the invocation's context", async () => {
    const containers = open({ handler: "index.echo", environment: { GREETING: "hello from the stack" } });
    const invocation = context();
    const event = { Records: [{ messageId: "m1", body: '{"type":"order_created"}' }] };

    const result = (await containers.invoke(event, invocation)) as Record<string, unknown>;

    expect(result.event).toEqual(event);
    expect(result.greeting).toBe("hello from the stack");
    expect(result.awsRequestId).toBe(invocation.awsRequestId);
    expect(result.functionName).toBe(FUNCTION);
    // Its own process, loaded from the unzipped package.
    expect(result.pid).not.toBe(process.pid);
    expect(existsSync(path.join(result.directory as string, "index.js"))).toBe(true);
    expect(containers.coldStarts).toBe(1);
  });

  it("lets the function load the AWS SDK the Lambda runtime provides, and nothing else the bundle left out", async () => {
    const containers = open({ handler: "index.requireAtRuntime", environment: {} });
    expect(await containers.invoke({ scope: "@aws-sdk/", name: "client-sqs" }, context())).toBe("found");
    // In the project's node_modules, but not in a Lambda runtime: a dependency the bundle forgot.
    expect(await containers.invoke({ scope: "", name: "valibot" }, context())).toBe("MODULE_NOT_FOUND");
  });

  it("gives the function Lambda's environment, not the caller's (no developer credentials or profile leak in)", async () => {
    process.env.QP_CALLER_ONLY = "the caller's secret";
    try {
      const containers = open({ handler: "index.echo", environment: {} });
      const result = (await containers.invoke({}, context())) as Record<string, unknown>;
      expect(result.callerOnly).toBeUndefined();
      expect(result.timezone).toBe("UTC");
    } finally {
      delete process.env.QP_CALLER_ONLY;
    }
  });

  it("counts getRemainingTimeInMillis down from the invocation's remaining time", async () => {
    const containers = open({ handler: "index.countdown" });
    const { first, second } = (await containers.invoke({ ms: 150 }, context(2))) as { first: number; second: number };

    expect(first).toBeLessThanOrEqual(2000);
    expect(first).toBeGreaterThan(1000);
    expect(first - second).toBeGreaterThanOrEqual(140);
    expect(first - second).toBeLessThan(1000);
  });

  it("passes each line the function writes to stdout or stderr to onOutput", async () => {
    const lines: string[] = [];
    const containers = open({ handler: "index.log", onOutput: (line) => lines.push(line) });

    await expect(containers.invoke({}, context())).resolves.toBe("logged");

    // The output pipes and the reply channel are separate: the lines may trail the result.
    await waitFor(() => lines.length >= 4);
    expect(lines).toEqual(expect.arrayContaining(["console line", "error line", "stdout one", "stdout two"]));
    expect(lines.indexOf("stdout one")).toBeLessThan(lines.indexOf("stdout two"));
  });
});

describe("createFunctionContainers: failures", () => {
  it("rejects a thrown error with FunctionError carrying its type and message; the container stays warm", async () => {
    const containers = open({ handler: "index.fail" });

    const error = await containers.invoke({ id: 7 }, context()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(FunctionError);
    expect(error).toMatchObject({ errorType: "OrderRejected", message: "order 7 rejected" });
    await expect(containers.invoke({ id: 8 }, context())).rejects.toMatchObject({
      errorType: "OrderRejected",
      message: "order 8 rejected",
    });
    expect(containers.coldStarts).toBe(1);
  });

  it("kills a container that outlives the remaining time: FunctionTimeoutError, its pending work never runs, the next call starts cold", async () => {
    const dir = tempDir("timeout");
    const pidFile = path.join(dir, "pid");
    const lateWrite = path.join(dir, "written-after-timeout");
    const containers = open({ handler: "index.sleepy" });
    const { pid: warmPid } = (await containers.invoke({ ms: 0 }, context())) as { pid: number };
    expect(containers.coldStarts).toBe(1);

    // A 1 s budget of which 0.4 s are already spent: the container gets the remaining time, not the timeout.
    const invocation = context(1);
    const budgetStarted = Date.now();
    await sleep(400);
    // Measured, not assumed: a timer may fire a millisecond early on the Date.now clock.
    const spent = Date.now() - budgetStarted;
    const remaining = invocation.getRemainingTimeInMillis();
    const started = Date.now();
    const error = await containers
      .invoke({ ms: 1200, pidFile, writeFile: lateWrite }, invocation)
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(FunctionTimeoutError);
    expect((error as Error).message).toMatch(/timed out after \d+ ms/);
    expect(spent).toBeGreaterThanOrEqual(390);
    expect(remaining).toBeLessThanOrEqual(1000 - spent);
    expect(elapsed).toBeGreaterThanOrEqual(remaining - 5);
    expect(elapsed).toBeLessThan(remaining + 400);
    // The warm container ran it, and it is gone.
    expect(Number(readFileSync(pidFile, "utf8"))).toBe(warmPid);
    await waitFor(() => !alive(warmPid));

    const next = (await containers.invoke({ ms: 0 }, context())) as { pid: number };
    expect(containers.coldStarts).toBe(2);
    expect(next.pid).not.toBe(warmPid);

    // Past the moment the killed handler would have written its file: nothing ran on.
    await sleep(Math.max(0, started + 1200 + 300 - Date.now()));
    expect(existsSync(lateWrite)).toBe(false);
    // The same write does happen when the handler is given its time.
    const inTime = path.join(dir, "written-in-time");
    await containers.invoke({ ms: 10, writeFile: inTime }, context());
    expect(existsSync(inTime)).toBe(true);
  });

  it("rejects with RuntimeExitError when the handler calls process.exit", async () => {
    const containers = open({ handler: "index.exit" });
    const error = await containers.invoke({}, context()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RuntimeExitError);
    expect((error as Error).message).toContain("code 3");
    // The dead container is not handed the next call: a new one starts (and exits in turn).
    await expect(containers.invoke({}, context())).rejects.toBeInstanceOf(RuntimeExitError);
    expect(containers.coldStarts).toBe(2);
  });

  it("serves the next call from a new container after a process.exit", async () => {
    const dir = tempDir("exit");
    const flag = path.join(dir, "exited-once");
    // One package whose handler exits the first time only: the second call must reach a fresh container.
    const zip = bundle(
      "exit-once",
      `import { existsSync, writeFileSync } from "node:fs";
       export async function handler(event) {
         if (!existsSync(event.flag)) { writeFileSync(event.flag, "1"); process.exit(3); }
         return { pid: process.pid };
       }`,
    );
    const containers = open({ zipPath: zip, handler: "index.handler" });

    await expect(containers.invoke({ flag }, context())).rejects.toBeInstanceOf(RuntimeExitError);
    const served = (await containers.invoke({ flag }, context())) as { pid: number };

    expect(served.pid).toBeGreaterThan(0);
    expect(containers.coldStarts).toBe(2);
  });

  it("rejects the invocation when the module throws at load, without an unhandled rejection in this process", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const lines: string[] = [];
      const containers = open({ zipPath: brokenZip, handler: "index.handler", onOutput: (line) => lines.push(line) });

      await expect(containers.invoke({}, context())).rejects.toBeInstanceOf(RuntimeExitError);
      await expect(containers.invoke({}, context())).rejects.toBeInstanceOf(RuntimeExitError);
      expect(containers.coldStarts).toBe(2);
      // The init error reaches the function's log.
      await waitFor(() => lines.some((line) => line.includes("cannot load: NEVER_SET is missing")));

      // A handler setting naming no export fails the same way, with a message that says so.
      const missing = open({ handler: "index.nothing", onOutput: (line) => lines.push(line) });
      await expect(missing.invoke({}, context())).rejects.toBeInstanceOf(RuntimeExitError);
      await waitFor(() => lines.some((line) => line.includes("does not export a function named nothing")));

      await sleep(50);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
    }
  });

  it("times a cold start's init apart from the function timeout, as Lambda does: the handler still gets its whole timeout", async () => {
    for (const [initMs, timeoutSeconds] of [
      [700, 0.5],
      [1500, 1],
    ] as const) {
      const containers = open({
        zipPath: slowZip,
        handler: "index.countdown",
        environment: { INIT_MS: String(initMs) },
      });
      const started = Date.now();
      const cold = (await containers.invoke({}, context(timeoutSeconds))) as { first: number; pid: number };
      expect(Date.now() - started).toBeGreaterThanOrEqual(initMs);
      // The handler starts with (nearly) the whole timeout, not what the init left of it.
      expect(cold.first).toBeGreaterThan(timeoutSeconds * 1000 - 150);
      const warm = (await containers.invoke({}, context(timeoutSeconds))) as { first: number; pid: number };
      expect(warm.pid).toBe(cold.pid);
      expect(containers.coldStarts).toBe(1);
    }
  });

  it("kills a container whose init outlasts the init budget: FunctionTimeoutError naming the init, the next call starts cold", async () => {
    const containers = open({
      zipPath: slowZip,
      handler: "index.countdown",
      environment: { INIT_MS: "1500" },
      initBudgetMs: 300,
    });
    const started = Date.now();
    const error = await containers.invoke({}, context(5)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FunctionTimeoutError);
    expect((error as Error).message).toBe("the function's init did not finish within 300 ms");
    expect(Date.now() - started).toBeLessThan(1200);
    await expect(containers.invoke({}, context(5))).rejects.toBeInstanceOf(FunctionTimeoutError);
    expect(containers.coldStarts).toBe(2);
  });
});

describe("createFunctionContainers: containers and close()", () => {
  it("reuses an idle container: two sequential calls are one cold start", async () => {
    const containers = open({ handler: "index.sleepy" });
    const first = (await containers.invoke({ ms: 0 }, context())) as { pid: number };
    const second = (await containers.invoke({ ms: 0 }, context())) as { pid: number };

    expect(second.pid).toBe(first.pid);
    expect(containers.coldStarts).toBe(1);
  });

  it("gives concurrent invocations a container each, never more containers than concurrent calls", async () => {
    const containers = open({ handler: "index.sleepy" });
    const three = () =>
      Promise.all([1, 2, 3].map(() => containers.invoke({ ms: 200 }, context()) as Promise<{ pid: number }>));

    const firstRound = new Set((await three()).map((result) => result.pid));
    expect(firstRound.size).toBe(3);
    expect(containers.coldStarts).toBe(3);
    expect(bootstrapChildren().sort()).toEqual([...firstRound].sort());

    const secondRound = new Set((await three()).map((result) => result.pid));
    expect(secondRound).toEqual(firstRound);
    const pair = await Promise.all(
      [1, 2].map(() => containers.invoke({ ms: 50 }, context()) as Promise<{ pid: number }>),
    );
    expect(pair.every((result) => firstRound.has(result.pid))).toBe(true);
    expect(containers.coldStarts).toBe(3);
  });

  it("close() ends every container process and removes the unzipped package", async () => {
    const containers = createFunctionContainers({ zipPath: handlersZip, handler: "index.echo", environment: {} });
    const results = (await Promise.all([containers.invoke({}, context()), containers.invoke({}, context())])) as {
      pid: number;
      directory: string;
    }[];
    const pids = results.map((result) => result.pid);
    expect(new Set(pids).size).toBe(2);
    expect(pids.every(alive)).toBe(true);
    expect(existsSync(results[0]!.directory)).toBe(true);

    await containers.close();

    expect(pids.some(alive)).toBe(false);
    expect(bootstrapChildren()).toEqual([]);
    expect(existsSync(results[0]!.directory)).toBe(false);
    await expect(containers.invoke({}, context())).rejects.toThrow(/closed/);
  });
});
