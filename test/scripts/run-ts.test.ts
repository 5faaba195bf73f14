/**
 * scripts/run-ts.mjs, which runs synth and the review: however its entry ends (an early exit, a throw,
 * a build error, a signal), it leaves no compiled file in node_modules/.cache, and a signal ends it as
 * it would end the entry run directly: its own handlers run, and without them it ends at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dirs.js";

const PROJECT = process.cwd();
const CACHE = path.join(PROJECT, "node_modules", ".cache", "queue-processor");
const FIXTURES = path.join("test", "fixtures", "run-ts");

interface Run {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(pattern: RegExp): Promise<void>;
}

const started: Run[] = [];

function runTs(entry: string, ...args: string[]): Run {
  const child = spawn(process.execPath, ["scripts/run-ts.mjs", path.resolve(FIXTURES, entry), ...args], {
    cwd: PROJECT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  const waiters = new Set<() => void>();
  for (const name of ["stdout", "stderr"] as const) {
    child[name]!.on("data", (chunk: Buffer) => {
      output[name] += chunk.toString();
      for (const waiter of [...waiters]) waiter();
    });
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const run: Run = {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    exit,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output.stdout)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        void exit.then(() => reject(new Error(`exited before ${pattern}:\n${output.stdout}\n${output.stderr}`)));
        check();
      }),
  };
  started.push(run);
  return run;
}

/** What run-ts compiled for the process `pid`, on disk. */
function compiledFilesOf(pid: number | undefined): string[] {
  return existsSync(CACHE) ? readdirSync(CACHE).filter((file) => file.includes(`.${pid}.`)) : [];
}

afterAll(() => {
  for (const run of started)
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
});

describe("node scripts/run-ts.mjs <entry>", () => {
  it("keeps the exit status of an entry that exits while it loads, and leaves no compiled file", async () => {
    const run = runTs("exits-early.ts");
    expect(await run.exit).toEqual({ code: 3, signal: null });
    expect(compiledFilesOf(run.child.pid)).toEqual([]);
  });

  it("reports an entry's throw at its TypeScript line (source maps) with exit 1, and leaves no compiled file", async () => {
    const run = runTs("throws.ts");
    expect(await run.exit).toEqual({ code: 1, signal: null });
    expect(run.stderr()).toContain("Error: the entry failed: on purpose");
    expect(run.stderr()).toMatch(/at failToLoad \(.*test\/fixtures\/run-ts\/throws\.ts:3:9\)/);
    expect(compiledFilesOf(run.child.pid)).toEqual([]);
  });

  it("fails on an entry esbuild cannot compile, naming the error, and leaves no compiled file", async () => {
    // Written here, not a fixture: the linters would refuse it.
    const broken = path.join(tempDir("run-ts"), "broken.ts");
    writeFileSync(broken, "// An entry esbuild cannot compile.\nconst missing: number = ;\n");
    const run = runTs(broken);
    expect((await run.exit).code).toBe(1);
    expect(run.stderr()).toMatch(/broken\.ts:2:\d+: ERROR: Unexpected ";"/);
    expect(compiledFilesOf(run.child.pid)).toEqual([]);
  });

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "ends by %s like the entry run directly (no handler of its own: the signal's default), and leaves no compiled file",
    async (signal) => {
      const run = runTs("waits.ts");
      await run.waitFor(/^ready 2 .*waits\.ts$/m);
      // Compiled in memory: not even while it runs is there a file.
      expect(compiledFilesOf(run.child.pid)).toEqual([]);
      run.child.kill(signal);
      expect(await run.exit).toEqual({ code: null, signal });
      expect(compiledFilesOf(run.child.pid)).toEqual([]);
    },
  );

  it.each(["SIGTERM", "SIGINT"] as const)(
    "lets the entry's own %s handler decide how it ends, and leaves no compiled file",
    async (signal) => {
      const run = runTs("waits.ts", "--handle");
      await run.waitFor(/^ready/m);
      run.child.kill(signal);
      expect(await run.exit).toEqual({ code: 7, signal: null });
      expect(run.stdout()).toContain(`handled ${signal}`);
      expect(compiledFilesOf(run.child.pid)).toEqual([]);
    },
  );

  it("ends at once on SIGTERM while the entry works synchronously (a synth its caller stops)", async () => {
    const run = runTs("busy.ts");
    await run.waitFor(/^ready/m);
    const sent = performance.now();
    run.child.kill("SIGTERM");
    expect(await run.exit).toEqual({ code: null, signal: "SIGTERM" });
    expect(performance.now() - sent).toBeLessThan(5000);
    expect(compiledFilesOf(run.child.pid)).toEqual([]);
  });
});
