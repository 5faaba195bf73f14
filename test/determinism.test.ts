import { execFile, execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { projectSynth } from "./support/shared-stacks.js";
import { tempDir } from "./support/temp-dirs.js";
import { zipEntries } from "./support/zip-entries.js";

const PROJECT = process.cwd();
const SOURCES = [
  "main.ts",
  "config",
  "stacks",
  "modules",
  "functions",
  ".npmrc",
  "scripts",
  "package.json",
  "tsconfig.json",
  "cdktf.json",
];

async function synth(cwd: string, outdir: string, timeZone: string): Promise<void> {
  await promisify(execFile)("npm", ["run", "--silent", "synth"], {
    cwd,
    env: { ...process.env, CDKTF_OUTDIR: outdir, TZ: timeZone },
  });
}

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(root, full) : [path.relative(root, full)];
  });
}

describe("synth determinism", () => {
  // The suite's one `npm run synth` of this checkout, in UTC (see shared-stacks.ts).
  let first: string;
  const second = tempDir("determinism-b");
  // Another checkout: other path, fresh file times, node_modules a real folder as `npm ci` makes it.
  const otherCheckout = path.join(tempDir("determinism-checkout"), "somewhere", "else", "queue-processor");

  beforeAll(async () => {
    for (const source of SOURCES)
      cpSync(path.join(PROJECT, source), path.join(otherCheckout, source), { recursive: true });
    execFileSync("cp", ["-al", path.join(PROJECT, "node_modules"), path.join(otherCheckout, "node_modules")]);
    [first] = await Promise.all([projectSynth(), synth(otherCheckout, second, "Pacific/Chatham")]);
  });

  it("writes the same files, byte for byte, from two checkouts in two time zones", () => {
    const files = filesUnder(first).sort();
    expect(filesUnder(second).sort()).toEqual(files);
    expect(files.filter((file) => file.endsWith("cdk.tf.json"))).toHaveLength(3);
    expect(files.filter((file) => file.endsWith(".zip")).length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      expect(readFileSync(path.join(second, file)).equals(readFileSync(path.join(first, file))), file).toBe(true);
    }
  });

  it("writes no absolute path of the checkout or the output folder into any file", () => {
    for (const [outdir, checkout] of [
      [first, PROJECT],
      [second, otherCheckout],
    ] as const) {
      for (const file of filesUnder(outdir)) {
        const bytes = readFileSync(path.join(outdir, file));
        const texts = file.endsWith(".zip")
          ? Object.values(unzipSync(bytes)).map((content) => Buffer.from(content).toString("utf8"))
          : [bytes.toString("utf8")];
        for (const text of texts) {
          expect(text.includes(checkout), `${file} mentions ${checkout}`).toBe(false);
          expect(text.includes(outdir), `${file} mentions ${outdir}`).toBe(false);
        }
      }
    }
  });

  it("zips sorted entries with the fixed 1980-01-01 00:00 time and mode 0644", () => {
    const zipFile = filesUnder(first).find((file) => file.endsWith(".zip"))!;
    const entries = zipEntries(readFileSync(path.join(first, zipFile)));
    expect(entries.map((entry) => entry.name)).toEqual(["index.js", "index.js.map"]);
    for (const entry of entries) {
      expect(entry.dosDate).toBe((0 << 9) | (1 << 5) | 1);
      expect(entry.dosTime).toBe(0);
      expect(entry.madeByOs).toBe(3);
      expect(entry.unixMode).toBe(0o100644);
    }
  });

  it("bundles a source map whose sources are relative to the project", () => {
    // prod also bundles the archiver: every zip's map is relative, and one is the order processor's.
    const zipFiles = filesUnder(first).filter((file) => file.endsWith(".zip"));
    const sources = zipFiles.flatMap((zipFile) => {
      const contents = unzipSync(readFileSync(path.join(first, zipFile)));
      const map = JSON.parse(Buffer.from(contents["index.js.map"]!).toString("utf8")) as { sources: string[] };
      expect(Buffer.from(contents["index.js"]!).toString("utf8")).toMatch(/\/\/# sourceMappingURL=index\.js\.map\n$/);
      return map.sources;
    });
    expect(sources).toContain("functions/order-processor/handler.ts");
    expect(sources.filter((source) => path.isAbsolute(source) || source.startsWith(".."))).toEqual([]);
  });
});
