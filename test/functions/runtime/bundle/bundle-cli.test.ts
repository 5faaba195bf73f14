import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bundleFunction, LAMBDA_PROVIDED_MODULES } from "../../../../functions/runtime/bundle/bundle.js";
import { tempDir } from "../../../support/temp-dirs.js";

const CLI = "functions/runtime/bundle/cli.ts";
const ENTRY = "functions/order-processor/handler.ts";

async function bundleCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--conditions=@queue-processor/source", "--import", "tsx", CLI, ...args],
      { encoding: "utf8" },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe("queue-processor-bundle", () => {
  it("writes the zip the construct ships, byte for byte, and says its source_code_hash", async () => {
    const out = path.join(tempDir("bundle-cli"), "build", "order-processor.zip");
    const result = await bundleCli([ENTRY, "--out", out, "--json"]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { zip: string; sourceCodeHash: string; handler: string };
    const shipped = bundleFunction({
      entry: ENTRY,
      outputDirectory: tempDir("bundle-cli-construct"),
      externalModules: LAMBDA_PROVIDED_MODULES,
      conditions: ["@queue-processor/source"],
    });
    expect(printed).toMatchObject({ zip: out, sourceCodeHash: shipped.sha256Base64, handler: "index.handler" });
    expect(readFileSync(out).equals(readFileSync(shipped.zipPath))).toBe(true);
    // Only the zip asked for: the bundler's hash-named file was renamed, not left beside it.
    expect(readdirSync(path.dirname(out))).toEqual(["order-processor.zip"]);
  });

  it("bundles the AWS SDK only when asked", async () => {
    const folder = tempDir("bundle-cli-sdk");
    const lean = await bundleCli([ENTRY, "--out", path.join(folder, "lean.zip"), "--json"]);
    const fat = await bundleCli([ENTRY, "--out", path.join(folder, "fat.zip"), "--bundle-aws-sdk", "--json"]);
    const size = (result: { stdout: string }) => (JSON.parse(result.stdout) as { zipBytes: number }).zipBytes;
    expect(size(fat)).toBeGreaterThan(size(lean) * 2);
  });

  it.each([
    ["no entry", ["--out", "x.zip"], /the handler's entry file is missing/],
    ["no --out", [ENTRY], /--out <file\.zip> is missing/],
    [
      "--out that is no zip",
      [ENTRY, "--out", "build/handler"],
      /--out must name a \.zip file \(got "build\/handler"\)/,
    ],
    ["two entries", [ENTRY, "other.ts", "--out", "x.zip"], /one entry only \(got also "other\.ts"\)/],
    ["an unknown option", [ENTRY, "--out", "x.zip", "--minify"], /Unknown option '--minify'/],
    [
      "an entry that does not exist",
      ["functions/missing.ts", "--out", "x.zip"],
      /no such file "functions\/missing\.ts"/,
    ],
  ])("refuses %s with exit 2 and says why", async (_case, args, message) => {
    const cwdZip = path.resolve("x.zip");
    const result = await bundleCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(readdirSync(path.dirname(cwdZip))).not.toContain("x.zip");
  });
});
