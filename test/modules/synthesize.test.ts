import { readFileSync } from "node:fs";
import path from "node:path";
import { Annotations, TerraformStack } from "cdktf";
import { afterEach, describe, expect, it } from "vitest";
import { synthesizeApp } from "../../modules/index.js";
import { tempDir } from "../support/temp-dirs.js";

/** What the cdktf CLI (0.21) sets for the app it runs, and then prints the manifest's annotations itself. */
const CLI_VARIABLE = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";

function synthWithOneWarning(): { exitCode: number; lines: string[]; outdir: string } {
  const outdir = tempDir("synthesize-app");
  process.env.CDKTF_OUTDIR = outdir;
  const lines: string[] = [];
  const exitCode = synthesizeApp(
    (app) => Annotations.of(new TerraformStack(app, "warned")).addWarning("the one warning"),
    (line) => lines.push(line),
  );
  return { exitCode, lines, outdir };
}

describe("synthesizeApp", () => {
  afterEach(() => {
    delete process.env.CDKTF_OUTDIR;
    delete process.env[CLI_VARIABLE];
  });

  it("prints each warning once when run without the cdktf CLI (npm run synth)", () => {
    const { exitCode, lines } = synthWithOneWarning();
    expect(exitCode).toBe(0);
    expect(lines).toEqual(["warning [warned] the one warning"]);
  });

  it("leaves the warnings to the cdktf CLI when it runs the app, and they are in the manifest it prints", () => {
    process.env[CLI_VARIABLE] = "true";
    const { exitCode, lines, outdir } = synthWithOneWarning();
    expect(exitCode).toBe(0);
    expect(lines).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks.warned.annotations).toEqual([
      { constructPath: "warned", level: "@cdktf/warn", message: "the one warning" },
    ]);
  });
});
