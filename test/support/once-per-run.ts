import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { tempDir } from "./temp-dirs.js";

/** Set by test/support/global-setup.ts: the run's folder for what is built once and read by several files. */
export const SHARED_DIR_VARIABLE = "QP_SUITE_SHARED";

const POLL_MS = 100;
const built = new Map<string, Promise<string>>();

/**
 * A folder that `build` fills once per test run, whichever test file asks first; the others (in any
 * worker) wait for it and read the same files. Nothing is built for a run that does not ask, so one
 * test file run alone pays only for what it needs. Test files must treat the folder as read-only.
 *
 * Outside the suite's global setup it builds into a temporary folder of the calling file.
 */
export function oncePerRun(name: string, build: (dir: string) => void | Promise<void>): Promise<string> {
  let result = built.get(name);
  if (!result) {
    result = buildOrWait(name, build);
    built.set(name, result);
  }
  return result;
}

async function buildOrWait(name: string, build: (dir: string) => void | Promise<void>): Promise<string> {
  const root = process.env[SHARED_DIR_VARIABLE];
  if (!root) {
    const dir = tempDir(name);
    await build(dir);
    return dir;
  }
  const dir = path.join(root, name);
  const done = `${dir}.done`;
  const failed = `${dir}.failed`;
  try {
    // mkdir either creates or fails: exactly one worker wins the right to build.
    mkdirSync(`${dir}.lock`);
  } catch {
    while (!existsSync(done)) {
      if (existsSync(failed))
        throw new Error(`${name}, built once for the run, failed: ${readFileSync(failed, "utf8")}`);
      await sleep(POLL_MS);
    }
    return dir;
  }
  try {
    mkdirSync(dir);
    await build(dir);
    writeFileSync(done, "");
    return dir;
  } catch (error) {
    writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
    throw error;
  }
}
