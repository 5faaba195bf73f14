import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What synth reads: a change to any of these makes cdktf.out stale. */
const SYNTH_SOURCES = ["functions", "modules", "config", "main.ts"] as const;

export interface SourceFile {
  /** Relative to the project root, for messages. */
  readonly path: string;
  readonly mtimeMs: number;
}

export type SynthDecision = { readonly needed: false } | { readonly needed: true; readonly reason: string };

/**
 * Whether the stack must be synthesized before a local run: when its cdk.tf.json is missing, or
 * older than any source synth reads. Pure, over modification times.
 */
export function synthDecision(
  stackFile: string,
  stackMtimeMs: number | undefined,
  sources: readonly SourceFile[],
): SynthDecision {
  if (stackMtimeMs === undefined) return { needed: true, reason: `${stackFile} does not exist` };
  let newest: SourceFile | undefined;
  for (const source of sources)
    if (source.mtimeMs > stackMtimeMs && (!newest || source.mtimeMs > newest.mtimeMs)) newest = source;
  if (!newest) return { needed: false };
  const others = sources.filter((source) => source.mtimeMs > stackMtimeMs).length - 1;
  return {
    needed: true,
    reason: `${newest.path}${others > 0 ? ` (and ${others} more)` : ""} changed since ${stackFile} was synthesized`,
  };
}

/** Every file under the synth sources, with its modification time (dot folders and node_modules skipped). */
function listSourceFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const visit = (relative: string) => {
    const absolute = path.join(root, relative);
    if (!existsSync(absolute)) return;
    const stat = statSync(absolute);
    if (!stat.isDirectory()) {
      files.push({ path: relative.split(path.sep).join("/"), mtimeMs: stat.mtimeMs });
      return;
    }
    for (const entry of readdirSync(absolute)) {
      if (entry.startsWith(".") || entry === "node_modules") continue;
      visit(path.join(relative, entry));
    }
  };
  for (const source of SYNTH_SOURCES) visit(source);
  return files;
}

/** cdk.tf.json of a stack, relative to the project root. */
export function stackFileOf(environment: string): string {
  return `cdktf.out/stacks/${environment}/cdk.tf.json`;
}

export function mtimeOf(file: string): number | undefined {
  return existsSync(file) ? statSync(file).mtimeMs : undefined;
}

/** The stacks synthesized so far: folders of cdktf.out/stacks holding a cdk.tf.json. */
export function synthesizedEnvironments(root: string): string[] {
  const stacks = path.join(root, "cdktf.out", "stacks");
  if (!existsSync(stacks)) return [];
  return readdirSync(stacks)
    .filter((name) => existsSync(path.join(stacks, name, "cdk.tf.json")))
    .sort();
}

/** The decision for one environment of the project at `root`. */
export function checkSynth(root: string, environment: string): SynthDecision {
  const stackFile = stackFileOf(environment);
  return synthDecision(stackFile, mtimeOf(path.join(root, stackFile)), listSourceFiles(root));
}

/**
 * Runs the project's synth (`npm run synth`'s command) in `root`; its output goes to stderr, so
 * stdout keeps only what the caller prints. Rejects with the exit status on failure; aborting kills it.
 */
export function synthesize(root: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The local run reads cdktf.out: a CDKTF_OUTDIR of the caller's must not send the synth elsewhere.
    const { CDKTF_OUTDIR: _, ...env } = process.env;
    const child = spawn(process.execPath, ["scripts/run-ts.mjs", "main.ts"], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "inherit"],
      ...(signal ? { signal } : {}),
    });
    child.stdout.pipe(process.stderr, { end: false });
    child.once("error", reject);
    child.once("exit", (code, killedBy) => {
      if (code === 0) resolve();
      else
        reject(new Error(`synth (node scripts/run-ts.mjs main.ts) failed with ${killedBy ?? `exit status ${code}`}`));
    });
  });
}
