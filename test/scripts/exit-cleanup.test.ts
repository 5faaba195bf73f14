/**
 * scripts/exit-cleanup.ts, which local/ and review/ use to remove what they make: in real processes,
 * every way a process ends runs the cleanup, and signals still end it as they would have.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dirs.js";

const FIXTURE = path.join("test", "fixtures", "exit-cleanup", "holds-a-folder.ts");

interface Held {
  readonly child: ChildProcess;
  readonly tmp: string;
  readonly output: { stdout: string; stderr: string };
  /** The folder it holds, once it holds it. */
  readonly folder: Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

function hold(mode: string): Held {
  const tmp = tempDir("exit-cleanup");
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, mode], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  const output = { stdout: "", stderr: "" };
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const folder = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output.stdout += chunk.toString();
      const match = /^holding (.+)$/m.exec(output.stdout);
      if (match) resolve(match[1]!);
    });
    child.once("close", () => reject(new Error(`ended before holding its folder: ${output.stderr}`)));
  });
  folder.catch(() => undefined);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, tmp, output, folder, exit };
}

/** What is left in the process's temp folder, tsx's cache aside. */
function leftIn(tmp: string): string[] {
  return readdirSync(tmp).filter((entry) => !/^tsx-\d+$/.test(entry) && entry !== "node-compile-cache");
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe.concurrent("onExit", () => {
  it.each([
    ["its natural end", "end", { code: 0, signal: null }],
    ["process.exit", "exit", { code: 4, signal: null }],
    ["an uncaught exception", "throw", { code: 1, signal: null }],
    ["an unhandled rejection", "reject", { code: 1, signal: null }],
  ])("removes what a process made at %s", async (_, mode, status) => {
    const held = hold(mode);
    const folder = await held.folder;
    expect(await held.exit).toEqual(status);
    expect(existsSync(folder)).toBe(false);
    expect(leftIn(held.tmp)).toEqual([]);
  });

  it.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)(
    "removes it at %s nobody else handles, then lets the signal end the process (status 128 + its number)",
    async (signal) => {
      const held = hold("wait");
      const folder = await held.folder;
      expect(existsSync(folder)).toBe(true);
      held.child.kill(signal);
      expect(await held.exit).toEqual({ code: null, signal });
      expect(leftIn(held.tmp)).toEqual([]);
    },
  );

  it("leaves a signal the process handles itself to its handler, and removes the folder when that handler exits", async () => {
    const held = hold("own-handler");
    await held.folder;
    held.child.kill("SIGTERM");
    expect(await held.exit).toEqual({ code: 5, signal: null });
    expect(held.output.stdout).toContain("own handler");
    expect(leftIn(held.tmp)).toEqual([]);
  });

  it("runs the other cleanups when one fails, and says which failed", async () => {
    const held = hold("failing-cleanup");
    await held.folder;
    held.child.kill("SIGTERM");
    expect(await held.exit).toEqual({ code: null, signal: "SIGTERM" });
    expect(held.output.stderr).toContain("cleanup on exit failed: this cleanup fails");
    expect(leftIn(held.tmp)).toEqual([]);
  });

  it("removes it at once on the normal path, and then leaves the process's signals to their defaults", async () => {
    const held = hold("released");
    const folder = await held.folder;
    expect(await held.exit).toEqual({ code: 0, signal: null });
    expect(existsSync(folder)).toBe(false);
    expect(held.output.stdout).toContain("listeners 0 0");
  });
});
