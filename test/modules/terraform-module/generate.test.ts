import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generateModule } from "../../../modules/terraform-module/generate.js";
import { tempDir } from "../../support/temp-dirs.js";

const read = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((file) => [file, readFileSync(path.join(dir, file))]));
const parsed = (files: Record<string, Buffer>, file: string) => JSON.parse(files[file]!.toString("utf8"));

describe("npm run build:module's generator", () => {
  let first: Record<string, Buffer>;
  let second: Record<string, Buffer>;

  beforeAll(() => {
    const [a, b] = [tempDir("module-a"), tempDir("module-b")];
    generateModule(a);
    generateModule(b);
    [first, second] = [read(a), read(b)];
  }, 60_000);

  it("writes the same bytes twice", () => {
    expect(Object.keys(first).sort()).toEqual([
      "README.md",
      "archiver.zip",
      "main.tf.json",
      "outputs.tf.json",
      "variables.tf.json",
    ]);
    for (const file of Object.keys(first)) expect(second[file]!.equals(first[file]!), file).toBe(true);
  });

  it("is what npm run build:module writes", () => {
    const dir = path.join(tempDir("module-cli"), "queue-processor");
    execFileSync("npm", ["run", "--silent", "build:module", "--", dir], { stdio: "ignore" });
    const written = read(dir);
    expect(Object.keys(written).sort()).toEqual(Object.keys(first).sort());
    for (const file of Object.keys(first)) expect(written[file]!.equals(first[file]!), file).toBe(true);
  });

  it("declares no provider and no backend, only the provider and Terraform versions it needs", () => {
    const main = parsed(first, "main.tf.json");
    expect(Object.keys(main).sort()).toEqual(["data", "locals", "resource", "terraform"]);
    expect(Object.keys(main.terraform).sort()).toEqual(["required_providers", "required_version"]);
  });

  it("has every variable described and typed, and the README lists every variable and output", () => {
    const variables = parsed(first, "variables.tf.json").variable as Record<
      string,
      { type: string; description: string }
    >;
    const outputs = parsed(first, "outputs.tf.json").output as Record<string, unknown>;
    const readme = first["README.md"]!.toString("utf8");
    for (const [name, variable] of Object.entries(variables)) {
      expect(variable.description.length, name).toBeGreaterThan(10);
      expect(variable.type, name).toBeTruthy();
      expect(readme).toContain(`| \`${name}\` |`);
    }
    for (const name of Object.keys(outputs)) expect(readme).toContain(`| \`${name}\` |`);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        "queue_url",
        "dead_letter_queue_arn",
        "function_arn",
        "role_arn",
        "alarm_names",
        "event_source_mapping_uuid",
        "archive_bucket_name",
      ]),
    );
  });

  it("takes its defaults from the construct: timeout 30 s, 256 MB, arm64, batch 10, retain mode", () => {
    const variables = parsed(first, "variables.tf.json").variable as Record<string, { default?: unknown }>;
    expect(variables.timeout_seconds!.default).toBe(30);
    expect(variables.memory_size_mb!.default).toBe(256);
    expect(variables.architecture!.default).toBe("arm64");
    expect(variables.batch_size!.default).toBe(10);
    expect(variables.dead_letters_mode!.default).toBe("retain");
    expect("default" in variables.handler_zip_path!).toBe(false);
  });
});
