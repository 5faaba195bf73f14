import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

/** The processes whose working folder is `folder` or inside it (Linux: /proc), with their TMPDIR. */
export function processesIn(folder: string): { pid: string; tmpdir: string | undefined }[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        if (cwd !== folder && !cwd.startsWith(`${folder}${path.sep}`)) return [];
        const environment = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
        return [{ pid, tmpdir: environment.find((entry) => entry.startsWith("TMPDIR="))?.slice("TMPDIR=".length) }];
      } catch {
        return []; // ended meanwhile, or not ours to read
      }
    });
}
