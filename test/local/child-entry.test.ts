/**
 * local/child-entry.ts compiles what the local servers and containers run into
 * node_modules/.cache/queue-processor: one file per process, which must not outlive it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compiledChildEntry } from "../../local/child-entry.js";

const PROJECT = process.cwd();
const CACHE = path.join(PROJECT, "node_modules", ".cache", "queue-processor");

const started: ChildProcess[] = [];

/** A process that runs until killed. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ["-e", "setInterval(() => undefined, 1000)"], { stdio: "ignore" });
  started.push(child);
  return child;
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

describe("compiled child entries", () => {
  it("removes what processes killed outright left (by their pid), and keeps those of processes still running", async () => {
    const killed = sleeper();
    killed.kill("SIGKILL");
    await once(killed, "exit");
    const running = sleeper();
    const leftovers = [
      path.join(CACHE, `container-bootstrap.${killed.pid}.mjs`),
      // What run-ts.mjs wrote before it compiled in memory.
      path.join(CACHE, `main_ts.${killed.pid}.cjs`),
    ];
    const stillUsed = path.join(CACHE, `server-process.${running.pid}.mjs`);
    try {
      for (const file of [...leftovers, stillUsed]) writeFileSync(file, "// compiled\n");
      const compiled = compiledChildEntry("containers/container-bootstrap");
      expect(compiled).toBe(path.join(CACHE, `container-bootstrap.${process.pid}.mjs`));
      expect(existsSync(compiled)).toBe(true);
      expect(leftovers.filter((file) => existsSync(file))).toEqual([]);
      expect(existsSync(stillUsed)).toBe(true);
    } finally {
      for (const file of [...leftovers, stillUsed]) rmSync(file, { force: true });
    }
  });

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "removes a process's compiled entry when %s ends it, and the signal still ends it",
    async (signal) => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "--input-type=module",
          "-e",
          `import { compiledChildEntry } from "./local/child-entry.ts";
           process.stdout.write(compiledChildEntry("servers/server-process") + "\\n");
           setInterval(() => undefined, 1000);`,
        ],
        { cwd: PROJECT, stdio: ["ignore", "pipe", "inherit"] },
      );
      started.push(child);
      const [line] = (await once(child.stdout!, "data")) as [Buffer];
      const compiled = line.toString().trim();
      expect(compiled).toBe(path.join(CACHE, `server-process.${child.pid}.mjs`));
      expect(existsSync(compiled)).toBe(true);
      child.kill(signal);
      const [code, endedBy] = await once(child, "exit");
      expect({ code, endedBy }).toEqual({ code: null, endedBy: signal });
      expect(existsSync(compiled)).toBe(false);
    },
  );
});
