import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { QueueProcessorConfigError } from "../../../modules/index.js";
import { appProjectRoot } from "../../../modules/queue-processor/project-root.js";
import { synthProcessor } from "../../support/synth.js";
import { tempDir } from "../../support/temp-dirs.js";

/** An app folder with the given marker files and a main script two folders down. */
function appTree(markers: readonly string[]): { root: string; main: string } {
  const root = path.join(tempDir("project-root"), "team", "app");
  mkdirSync(path.join(root, "src", "bin"), { recursive: true });
  for (const marker of markers) writeFileSync(path.join(root, marker), "{}");
  const main = path.join(root, "src", "bin", "main.js");
  writeFileSync(main, "");
  return { root, main };
}

const HANDLER = "export const handler = async () => ({ batchItemFailures: [] });\n";

describe("the app's folder (projectRoot)", () => {
  it("is the nearest folder with cdktf.json above the main script", () => {
    const { root, main } = appTree(["cdktf.json", "package.json"]);
    writeFileSync(path.join(root, "src", "package.json"), "{}");
    expect(appProjectRoot(main)).toBe(root);
  });

  it("is the nearest folder with package.json when no cdktf.json is found", () => {
    const { root, main } = appTree(["package.json"]);
    expect(appProjectRoot(main)).toBe(root);
  });

  it("looks from outside node_modules when the main script is a tool's (a test runner, a loader)", () => {
    const { root } = appTree(["cdktf.json"]);
    const toolScript = path.join(root, "node_modules", "vitest", "vitest.mjs");
    mkdirSync(path.dirname(toolScript), { recursive: true });
    writeFileSync(path.join(root, "node_modules", "vitest", "package.json"), "{}");
    expect(appProjectRoot(toolScript)).toBe(root);
  });

  it("is unknown without a main script (the construct then asks for projectRoot)", () => {
    expect(appProjectRoot(undefined)).toBeUndefined();
    expect(appProjectRoot("")).toBeUndefined();
  });

  it("resolves a relative handler.entry from projectRoot, whatever the current directory", () => {
    const { root } = appTree(["cdktf.json"]);
    mkdirSync(path.join(root, "handlers"));
    writeFileSync(path.join(root, "handlers", "orders.ts"), HANDLER);
    expect(process.cwd()).not.toBe(root);
    const { processor } = synthProcessor({ projectRoot: root, handler: { entry: "handlers/orders.ts" } });
    expect(processor.codeZipBytes).toBeGreaterThan(0);
  });

  it("names the resolved path when the entry is not under projectRoot", () => {
    const { root } = appTree(["cdktf.json"]);
    // The entry exists relative to the current directory (this repository), not to projectRoot.
    expect(() =>
      synthProcessor({ projectRoot: root, handler: { entry: "functions/order-processor/handler.ts" } }),
    ).toThrow(path.join(root, "functions/order-processor/handler.ts"));
  });

  it.each([
    ["a relative path", "apps/orders"],
    ["a folder that does not exist", "/nonexistent/queue-processor-app"],
    ["a file", path.resolve("package.json")],
    ["an empty string", ""],
    ["a number", 42],
  ])("refuses %s at synth, naming projectRoot and the value", (_kind, projectRoot) => {
    let error: unknown;
    try {
      synthProcessor({ projectRoot: projectRoot as string });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(QueueProcessorConfigError);
    expect((error as QueueProcessorConfigError).message).toMatch(
      /projectRoot must be the absolute path of an existing folder \(got /,
    );
  });
});
