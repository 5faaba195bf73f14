import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { isRunning, onExit } from "../scripts/exit-cleanup.js";

const compiled = new Map<string, string>();

/**
 * A TypeScript module of the local room compiled to one ES module a child process can run with plain
 * `node`: the project's tools run under a loader (tsx, vitest) that children must not pay for. It
 * is written inside node_modules so that its imports resolve to the project's packages, and removed
 * when this process ends, however it ends (see scripts/exit-cleanup.ts).
 */
export function compiledChildEntry(name: "servers/server-process" | "containers/container-bootstrap"): string {
  const existing = compiled.get(name);
  if (existing) return existing;
  const source = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const directory = fileURLToPath(new URL("../node_modules/.cache/queue-processor", import.meta.url));
  mkdirSync(directory, { recursive: true });
  removeLeftovers(directory);
  // One file per process: parallel test workers compile their own.
  const outfile = path.join(directory, `${path.basename(name)}.${process.pid}.mjs`);
  // Before the build: a build that fails half-way must not leave its output either.
  onExit(() => rmSync(outfile, { force: true }));
  buildSync({
    entryPoints: [source],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node22",
    logLevel: "warning",
  });
  compiled.set(name, outfile);
  return outfile;
}

/** `<name>.<pid>.mjs`, and the `.cjs` files run-ts.mjs wrote before it compiled in memory. */
const COMPILED_NAME = /^.+\.(\d+)\.(mjs|cjs)$/;
let leftoversRemoved = false;

/** What processes killed outright (SIGKILL: no exit listener runs) left here: their pid says they are gone. */
function removeLeftovers(directory: string): void {
  if (leftoversRemoved) return;
  leftoversRemoved = true;
  for (const file of readdirSync(directory)) {
    const pid = COMPILED_NAME.exec(file)?.[1];
    if (pid !== undefined && !isRunning(Number(pid))) rmSync(path.join(directory, file), { force: true });
  }
}
