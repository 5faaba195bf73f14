import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stableSourcePaths } from "../../../../functions/runtime/bundle/source-paths.js";
import { tempDir } from "../../../support/temp-dirs.js";

function mapWith(sources: string[]): Uint8Array {
  return Buffer.from(JSON.stringify({ version: 3, sources, mappings: "" }));
}
function sourcesOf(map: Uint8Array): string[] {
  return (JSON.parse(Buffer.from(map).toString("utf8")) as { sources: string[] }).sources;
}
function packageAt(folder: string, name: string): void {
  mkdirSync(path.join(folder, "dist", "esm"), { recursive: true });
  writeFileSync(path.join(folder, "package.json"), JSON.stringify({ name }));
  // A nested manifest without a name (a "type" marker) does not end the package.
  writeFileSync(path.join(folder, "dist", "esm", "package.json"), JSON.stringify({ type: "module" }));
}

describe("stableSourcePaths", () => {
  const base = tempDir("source-paths");
  const app = path.join(base, "work", "app");
  const linked = path.join(base, "elsewhere", "checkout", "packages", "runtime");
  packageAt(path.join(app, "node_modules", "fflate"), "fflate");
  packageAt(linked, "@queue-processor/runtime");
  packageAt(path.join(base, "work", "node_modules", "@scope", "hoisted"), "@scope/hoisted");

  it("keeps the app's own files relative to its root", () => {
    expect(sourcesOf(stableSourcePaths(mapWith(["handlers/orders.ts", "lib/util.ts"]), app))).toEqual([
      "handlers/orders.ts",
      "lib/util.ts",
    ]);
  });

  it("names a package's file node_modules/<name>/<path in the package>, wherever the package sits", () => {
    const sources = [
      "node_modules/fflate/dist/esm/index.mjs",
      path.relative(app, path.join(linked, "dist", "index.js")),
      "../node_modules/@scope/hoisted/dist/esm/x.js",
    ];
    expect(sourcesOf(stableSourcePaths(mapWith(sources), app))).toEqual([
      "node_modules/fflate/dist/esm/index.mjs",
      "node_modules/@queue-processor/runtime/dist/index.js",
      "node_modules/@scope/hoisted/dist/esm/x.js",
    ]);
  });

  it("leaves a map without sources as it is", () => {
    const map = Buffer.from(JSON.stringify({ version: 3, mappings: "" }));
    expect(stableSourcePaths(map, app)).toBe(map);
  });
});
