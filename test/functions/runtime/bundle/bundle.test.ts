import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { BundleError, bundleFunction } from "../../../../functions/runtime/bundle/bundle.js";
import { tempDir } from "../../../support/temp-dirs.js";

const FIXTURE = "test/fixtures/handler-with-package.ts";

/**
 * The fixture in another checkout at another path, with node_modules a real folder as `npm ci`
 * makes it (hard-linked, so the copy is instant).
 */
function otherCheckout(): string {
  const root = path.join(tempDir("bundle-checkout"), "deep", "checkout");
  mkdirSync(path.dirname(path.join(root, FIXTURE)), { recursive: true });
  cpSync(FIXTURE, path.join(root, FIXTURE));
  cpSync("tsconfig.json", path.join(root, "tsconfig.json"));
  execFileSync("cp", ["-al", path.resolve("node_modules"), path.join(root, "node_modules")]);
  return root;
}

describe("bundleFunction", () => {
  it("gives the same zip bytes from another checkout at another path", () => {
    const here = bundleFunction({ entry: FIXTURE, outputDirectory: tempDir("bundle-a") });
    const there = bundleFunction({
      entry: FIXTURE,
      outputDirectory: tempDir("bundle-b"),
      workingDirectory: otherCheckout(),
    });
    expect(there.sha256Hex).toBe(here.sha256Hex);
    expect(readFileSync(there.zipPath).equals(readFileSync(here.zipPath))).toBe(true);
  });

  it("keeps package sources in the source map as node_modules/... paths", () => {
    const bundle = bundleFunction({
      entry: FIXTURE,
      outputDirectory: tempDir("bundle-c"),
      workingDirectory: otherCheckout(),
    });
    const map = JSON.parse(Buffer.from(unzipSync(readFileSync(bundle.zipPath))["index.js.map"]!).toString("utf8"));
    expect([...map.sources].sort()).toEqual([FIXTURE, "node_modules/fflate/esm/index.mjs"].sort());
  });

  it("produces minified CommonJS that exports handler and runs", async () => {
    const bundle = bundleFunction({ entry: FIXTURE, outputDirectory: tempDir("bundle-d") });
    const code = Buffer.from(unzipSync(readFileSync(bundle.zipPath))["index.js"]!).toString("utf8");
    expect(code).not.toMatch(/\n[ \t]+\S/);
    const module = { exports: {} as { handler?: () => Promise<number> } };
    new Function("module", "exports", "require", code)(module, module.exports, createRequire(import.meta.url));
    await expect(module.exports.handler!()).resolves.toBe(5);
    expect(bundle.handler).toBe("index.handler");
  });

  it("names the entry when the file does not exist", () => {
    expect(() => bundleFunction({ entry: "functions/missing.ts", outputDirectory: tempDir("bundle-e") })).toThrow(
      BundleError,
    );
  });
});
