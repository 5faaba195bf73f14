/**
 * The review's scratch workspaces and what they share, with real terraform (counted by a logging
 * `terraform` first on PATH): one `terraform init` per set of providers and lock file, and the
 * provider schemas from a cache kept by terraform's version and the lock file, read whole or not at all.
 */
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingTerraform } from "../../bench/support/counting-terraform.js";
import { providerSchemas } from "../../review/provider-schemas.js";
import { Workspace } from "../../review/workspace.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

const AWS_ONLY = { aws: { source: "hashicorp/aws", version: "5.100.0" } };

function stack(parent: string, name: string, requiredProviders: unknown, lock?: string): string {
  const dir = path.join(parent, "stacks", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "cdk.tf.json"),
    JSON.stringify({
      terraform: { required_providers: requiredProviders },
      provider: { aws: [{ region: "eu-west-1" }] },
      resource: { aws_sqs_queue: { work: { name: `${name}-work` } } },
    }),
  );
  if (lock !== undefined) writeFileSync(path.join(dir, ".terraform.lock.hcl"), lock);
  return dir;
}

describe("review workspaces: one init per provider set", () => {
  const savedPath = process.env.PATH;
  const savedCache = process.env.XDG_CACHE_HOME;
  let counter: ReturnType<typeof countingTerraform>;
  let parent: string;
  let workspaces: Workspace[];
  let lockOfFirst: string;
  let cachedName = "";

  beforeAll(async () => {
    counter = countingTerraform(tempDir("workspace-terraform"));
    process.env.PATH = counter.env.PATH;
    process.env.XDG_CACHE_HOME = tempDir("workspace-cache");
    parent = tempDir("workspaces");
    const shared = { pluginCache: path.join(parent, "plugin-cache"), dataRoot: path.join(parent, "data") };
    const scratch = (name: string) => path.join(parent, "scratch", name);
    // Three copies without a lock file (like a stack before `npm run lock`), one with another provider set.
    workspaces = await Promise.all([
      Workspace.create(stack(parent, "dev", AWS_ONLY), scratch("dev"), shared),
      Workspace.create(stack(parent, "staging", AWS_ONLY), scratch("staging"), shared),
      Workspace.create(stack(parent, "prod", AWS_ONLY), scratch("prod"), shared),
      Workspace.create(
        stack(parent, "other", { aws: { source: "hashicorp/aws", version: ">= 5.0, < 6.0" } }),
        scratch("other"),
        shared,
      ),
    ]);
    lockOfFirst = readFileSync(path.join(scratch("dev"), ".terraform.lock.hcl"), "utf8");
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all((workspaces ?? []).map((workspace) => workspace.close()));
    process.env.PATH = savedPath;
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
  });

  it("initialises copies that agree on providers and lock once, another provider set on its own", () => {
    const inits = counter.invocations().filter((run) => run.command === "init");
    expect(inits).toHaveLength(2);
    expect(readdirSync(path.join(parent, "data"))).toHaveLength(2);
  });

  it("gives every copy sharing an init the lock file that init wrote, and each plans", async () => {
    expect(lockOfFirst).toContain('provider "registry.terraform.io/hashicorp/aws"');
    for (const workspace of workspaces.slice(0, 3)) {
      expect(readFileSync(path.join(workspace.dir, ".terraform.lock.hcl"), "utf8")).toBe(lockOfFirst);
    }
    const plans = await Promise.all(workspaces.map((workspace) => workspace.plan(undefined)));
    expect(plans.map((plan) => plan.resource_changes?.map((change) => change.change.actions.join()))).toEqual([
      ["create"],
      ["create"],
      ["create"],
      ["create"],
    ]);
  });

  it(
    "asks terraform for the schemas once per terraform version and lock file, then reads them from the cache",
    async () => {
      const providers = () => counter.invocations().filter((run) => run.command === "providers").length;
      const before = providers();
      const [first] = workspaces;
      if (!first) throw new Error("no workspace");
      const schemas = await providerSchemas(first);
      expect(Object.keys(schemas.provider_schemas)).toEqual(["registry.terraform.io/hashicorp/aws"]);
      expect(providers()).toBe(before + 1);
      const cacheDir = path.join(process.env.XDG_CACHE_HOME ?? "", "queue-processor", "provider-schemas");
      const [cached = ""] = readdirSync(cacheDir);
      expect(cached).toMatch(/^[0-9a-f]{64}\.json$/);
      cachedName = cached;

      // Another review (another cache folder holding the same file) reads it and runs no terraform.
      const other = tempDir("workspace-cache-copy");
      mkdirSync(path.join(other, "queue-processor", "provider-schemas"), { recursive: true });
      copyFileSync(path.join(cacheDir, cached), path.join(other, "queue-processor", "provider-schemas", cached));
      process.env.XDG_CACHE_HOME = other;
      expect(await providerSchemas(first)).toEqual(schemas);
      expect(providers()).toBe(before + 1);
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it(
    "asks terraform again when the cached file is unreadable (cut short, not JSON, not schemas), and mends it",
    async () => {
      const [first] = workspaces;
      if (!first) throw new Error("no workspace");
      const providers = () => counter.invocations().filter((run) => run.command === "providers").length;
      for (const broken of ['{"provider_schemas": {"registry', "not json", '{"format_version": "1.0"}']) {
        const cacheHome = tempDir("workspace-cache-broken");
        const cacheDir = path.join(cacheHome, "queue-processor", "provider-schemas");
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(path.join(cacheDir, cachedName), broken);
        process.env.XDG_CACHE_HOME = cacheHome;
        const before = providers();
        const schemas = await providerSchemas(first);
        expect(providers(), broken).toBe(before + 1);
        expect(JSON.parse(readFileSync(path.join(cacheDir, cachedName), "utf8"))).toEqual(schemas);
        expect(readdirSync(cacheDir)).toEqual([cachedName]);
      }
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it(
    "runs a failed init and a failed schema request again for the next workspace (faults injected by a terraform that fails until allowed)",
    async () => {
      const real = counter.env.PATH ?? "";
      const bin = tempDir("workspace-failing");
      // `init` and `providers` fail until `<command>.allowed` exists, however often they are retried.
      const allow = (command: string) => writeFileSync(path.join(bin, `${command}.allowed`), "");
      writeFileSync(
        path.join(bin, "terraform"),
        `#!/bin/sh\nfor command in init providers; do\n  if [ "$1" = "$command" ] && [ ! -e "${bin}/$command.allowed" ]; then\n` +
          `    echo "injected failure" >&2; exit 1\n  fi\ndone\nexec env PATH="${real}" terraform "$@"\n`,
      );
      chmodSync(path.join(bin, "terraform"), 0o755);
      process.env.PATH = `${bin}${path.delimiter}${real}`;
      process.env.XDG_CACHE_HOME = tempDir("workspace-cache-failing");
      let workspace: Workspace | undefined;
      try {
        const faulty = tempDir("workspaces-failing");
        const shared = { pluginCache: path.join(faulty, "plugin-cache"), dataRoot: path.join(faulty, "data") };
        const dir = stack(faulty, "dev", AWS_ONLY);
        await expect(Workspace.create(dir, path.join(faulty, "scratch", "first"), shared)).rejects.toThrow(
          /injected failure/,
        );
        allow("init");
        workspace = await Workspace.create(dir, path.join(faulty, "scratch", "second"), shared);
        await expect(providerSchemas(workspace)).rejects.toThrow(/injected failure/);
        allow("providers");
        expect(Object.keys((await providerSchemas(workspace)).provider_schemas)).toEqual([
          "registry.terraform.io/hashicorp/aws",
        ]);
      } finally {
        await workspace?.close();
        process.env.PATH = real;
      }
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );
});
