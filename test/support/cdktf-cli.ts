/**
 * The cdktf CLI of the cdktf version this project pins (package.json), installed once into a cache folder
 * outside the project that survives between runs: ~424 MB and ~50 s to install, so it is no project
 * dependency. `--ignore-scripts` is enough: the one install script in its tree (node-pty's) only checks
 * the prebuilt binaries the package ships.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

const PROJECT = process.cwd();

/** The cdktf library version in package.json, which the CLI must match. */
function pinnedCdktfVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const version = manifest.dependencies.cdktf;
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(
      `package.json must pin cdktf to an exact version for the CLI test (got ${JSON.stringify(version)})`,
    );
  }
  return version;
}

/** `${XDG_CACHE_HOME:-~/.cache}/queue-processor/cdktf-cli-<version>`. */
function cdktfCliCache(version: string): string {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(cacheHome, "queue-processor", `cdktf-cli-${version}`);
}

function binaryIn(prefix: string): string {
  return path.join(prefix, "node_modules", ".bin", "cdktf");
}

/**
 * The path of the `cdktf` binary, installing it first when the cache lacks it. The install goes into a
 * folder of its own that is renamed into place only when complete, so an interrupted install is never
 * taken for a finished one; it is removed however the install ends.
 */
export function installedCdktfCli(version: string = pinnedCdktfVersion()): { binary: string; installed: boolean } {
  const cache = cdktfCliCache(version);
  if (existsSync(binaryIn(cache))) return { binary: binaryIn(cache), installed: false };
  const partial = `${cache}.partial-${process.pid}`;
  try {
    execFileSync(
      "npm",
      [
        "install",
        "--prefix",
        partial,
        "--no-save",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `cdktf-cli@${version}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"], timeout: 600_000 },
    );
    // Another run may have finished first: its copy is as good as ours. A folder without the binary is
    // what is left of an older, broken install.
    if (!existsSync(binaryIn(cache))) {
      rmSync(cache, { recursive: true, force: true });
      renameSync(partial, cache);
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return { binary: binaryIn(cache), installed: true };
}
