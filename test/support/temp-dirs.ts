import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Kept apart from synth.ts: every test file loads this (see cleanup.ts), and only some need cdktf.

const created: string[] = [];

/** A new temporary folder, removed after its test file (see test/support/cleanup.ts). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `qp-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes the folders made so far, unless QP_KEEP_TEMP is set (to look at them after a failure). */
export function removeTempDirs(): void {
  if (process.env.QP_KEEP_TEMP) return;
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
