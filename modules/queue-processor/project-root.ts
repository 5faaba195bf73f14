import { existsSync } from "node:fs";
import path from "node:path";

/** What marks the app's folder, most specific first. */
const ROOT_MARKERS = ["cdktf.json", "package.json"] as const;

/**
 * The app's folder, which relative `handler.entry` paths are resolved from: the nearest folder that
 * holds `cdktf.json` (else `package.json`) above the app's main script (`process.argv[1]`), never
 * inside `node_modules` (a test runner's or loader's own script). The current directory plays no
 * part, so `node app/main.js` from anywhere synthesizes the same stack. Undefined when the process
 * has no main script or no such folder exists; the caller then has to say `projectRoot`.
 */
export function appProjectRoot(mainScript: string | undefined): string | undefined {
  if (!mainScript) return undefined;
  const start = outsideNodeModules(path.dirname(path.resolve(mainScript)));
  for (const marker of ROOT_MARKERS) {
    const found = nearestFolderWith(start, marker);
    if (found) return found;
  }
  return undefined;
}

function outsideNodeModules(folder: string): string {
  const parts = folder.split(path.sep);
  const first = parts.indexOf("node_modules");
  return first === -1 ? folder : parts.slice(0, first).join(path.sep) || path.sep;
}

function nearestFolderWith(start: string, marker: string): string | undefined {
  for (let folder = start; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, marker))) return folder;
    if (path.dirname(folder) === folder) return undefined;
  }
}
