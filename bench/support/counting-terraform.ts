import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One terraform invocation: its subcommand (`plan`, `show`, `init`...) and the folder it ran in. */
export interface TerraformInvocation {
  readonly command: string;
  readonly dir: string;
}

/** The real terraform on PATH, or a clear failure: the count must be of real runs. */
function realTerraform(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "terraform");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  throw new Error("terraform is not on PATH; the terraform count needs the real one");
}

/**
 * A `terraform` that writes each invocation to a log, then becomes the real one (`exec`: the same
 * process, its signals and exit status untouched), kept in `dir` with its log. `env` puts it first on
 * PATH for a child. Used by the review's tests and bench/review.
 */
export function countingTerraform(dir: string): { env: NodeJS.ProcessEnv; invocations: () => TerraformInvocation[] } {
  const bin = path.join(dir, "bin");
  const log = path.join(dir, "invocations.tsv");
  const real = realTerraform();
  for (const value of [log, real]) {
    if (!/^[\w./-]+$/.test(value)) throw new Error(`cannot quote ${JSON.stringify(value)} in the shim`);
  }
  mkdirSync(bin, { recursive: true });
  const shim = path.join(bin, "terraform");
  writeFileSync(shim, `#!/bin/sh\nprintf '%s\\t%s\\n' "$1" "$PWD" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(shim, 0o755);
  return {
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    invocations: () =>
      (existsSync(log) ? readFileSync(log, "utf8") : "")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [command = "", cwd = ""] = line.split("\t");
          return { command, dir: cwd };
        }),
  };
}
