/**
 * The AWS provider a review workspace keeps running for terraform to attach to (review/provider-server.ts):
 * plans through it equal plans through the providers terraform starts itself; a stack one running
 * provider could plan differently (an aliased configuration, a module) gets none and plans as usual;
 * a command that fails through it runs again without it; and it ends with its workspace, or with the
 * process that started it, even one killed by SIGKILL.
 * Real terraform and the real provider from the mirror.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanJson } from "../../review/plan-json.js";
import { providerSchemas } from "../../review/provider-schemas.js";
import { seedState } from "../../review/seed-state.js";
import { init, prepareOfflineCopy, terraform, terraformVersion } from "../../review/terraform.js";
import { Workspace } from "../../review/workspace.js";
import { processesIn } from "../support/processes.js";
import { projectSynth } from "../support/shared-stacks.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

async function gone(folder: string, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (processesIn(folder).length === 0) return true;
    await sleep(100);
  }
  return processesIn(folder).length === 0;
}

/** What the comparison reads of a plan: everything terraform decided, nothing about when it ran. */
function decided(plan: PlanJson & Record<string, unknown>) {
  return {
    resource_changes: plan.resource_changes,
    configuration: plan.configuration,
    planned_values: plan.planned_values,
    prior_state: (plan.prior_state as { values?: unknown } | undefined)?.values,
  };
}

describe("a workspace's own running AWS provider", () => {
  let prodDir: string;
  let scratch: string;
  let shared: { pluginCache: string; dataRoot: string };

  /** `use` on a scratch copy `name` of `stackDir`, closed however `use` ends. */
  async function withWorkspace(stackDir: string, name: string, use: (workspace: Workspace) => Promise<void>) {
    const workspace = await Workspace.create(stackDir, path.join(scratch, name), shared);
    try {
      await use(workspace);
    } finally {
      await workspace.close();
    }
  }

  beforeAll(async () => {
    prodDir = path.join(await projectSynth(), "stacks", "prod");
    scratch = tempDir("provider-server");
    shared = { pluginCache: path.join(scratch, "plugin-cache"), dataRoot: path.join(scratch, "data") };
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it(
    "plans prod, from nothing and against a seed, exactly as the providers terraform starts itself",
    async () => {
      await withWorkspace(prodDir, "attached", async (workspace) => {
        expect(workspace.attached).toBe(true);
        const seed = seedState(
          JSON.parse(readFileSync(path.join(prodDir, "cdk.tf.json"), "utf8")),
          await providerSchemas(workspace),
          { lineage: "attached", terraformVersion: terraformVersion() },
        );
        const attached = [await workspace.plan(undefined), await workspace.plan(seed)];

        // The same stack planned by terraform alone: its own provider processes, started per command.
        const plain = path.join(scratch, "plain");
        prepareOfflineCopy(prodDir, plain);
        await init(plain);
        const planned = [];
        for (const state of [undefined, seed]) {
          if (state) writeFileSync(path.join(plain, "terraform.tfstate"), JSON.stringify(state));
          await terraform(plain, [
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-refresh=false",
            "-out=plan.bin",
          ]);
          planned.push(JSON.parse(await terraform(plain, ["show", "-json", "plan.bin"])));
        }
        expect(attached.map(decided)).toEqual(planned.map(decided));
        expect(attached[1]?.resource_changes?.length).toBeGreaterThan(10);
      });
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it(
    "starts none for a stack one running provider could plan differently, which still plans as usual",
    async () => {
      const stacks = path.join(scratch, "stacks");
      const required = { aws: { source: "hashicorp/aws", version: "5.100.0" } };
      const queue = (provider?: string) => ({ name: "q", ...(provider ? { provider } : {}) });
      // The review's offline override covers the default configuration only: an aliased one says it itself.
      const offline = {
        access_key: "offline",
        secret_key: "offline",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
      };
      const variants: [string, Record<string, unknown>, Record<string, string>][] = [
        [
          "an aliased configuration beside the default",
          {
            provider: {
              aws: [
                { region: "us-east-1", default_tags: [{ tags: { home: "east" } }] },
                { alias: "west", region: "us-west-2", default_tags: [{ tags: { home: "west" } }], ...offline },
              ],
            },
            resource: { aws_sqs_queue: { east: queue(), west: queue("aws.west") } },
          },
          { east: "east", west: "west" },
        ],
        [
          "only an aliased configuration",
          {
            provider: {
              aws: [{ alias: "west", region: "us-west-2", default_tags: [{ tags: { home: "west" } }], ...offline }],
            },
            resource: { aws_sqs_queue: { west: queue("aws.west") } },
          },
          { west: "west" },
        ],
        [
          "configurations in the list form",
          {
            provider: [
              { aws: { region: "us-east-1", default_tags: [{ tags: { home: "east" } }] } },
              { aws: { alias: "west", region: "us-west-2", default_tags: [{ tags: { home: "west" } }], ...offline } },
            ],
            resource: { aws_sqs_queue: { east: queue(), west: queue("aws.west") } },
          },
          { east: "east", west: "west" },
        ],
        [
          "a configuration file beside the stack's",
          {
            provider: { aws: [{ region: "us-east-1", default_tags: [{ tags: { home: "east" } }] }] },
            resource: { aws_sqs_queue: { east: queue(), west: queue("aws.west") } },
          },
          { east: "east", west: "west" },
        ],
        [
          "a module",
          {
            provider: { aws: [{ region: "us-east-1", default_tags: [{ tags: { home: "east" } }] }] },
            module: { extra: { source: "./extra" } },
            resource: { aws_sqs_queue: { east: queue() } },
          },
          { east: "east" },
        ],
      ];
      for (const [what, body, homes] of variants) {
        const dir = path.join(stacks, what.replaceAll(" ", "-"));
        mkdirSync(path.join(dir, "extra"), { recursive: true });
        writeFileSync(path.join(dir, "extra", "main.tf.json"), "{}");
        if (what.includes("file beside")) {
          writeFileSync(
            path.join(dir, "west.tf.json"),
            JSON.stringify({
              provider: {
                aws: { alias: "west", region: "us-west-2", default_tags: { tags: { home: "west" } }, ...offline },
              },
            }),
          );
        }
        writeFileSync(
          path.join(dir, "cdk.tf.json"),
          JSON.stringify({ terraform: { required_providers: required }, ...body }),
        );
        await withWorkspace(dir, path.join("variants", what.replaceAll(" ", "-")), async (workspace) => {
          expect(workspace.attached, what).toBe(false);
          const plan = await workspace.plan(undefined);
          const tags = Object.fromEntries(
            (plan.resource_changes ?? []).map((change) => [
              change.name,
              (change.change.after as { tags_all?: { home?: string } }).tags_all?.home,
            ]),
          );
          expect(tags, what).toEqual(homes);
        });
      }
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it(
    "ends with close: no process left in the workspace, its socket folder removed",
    async () => {
      const workspace = await Workspace.create(prodDir, path.join(scratch, "closed"), shared);
      const running = processesIn(workspace.dir);
      await workspace.close();
      expect(running.length).toBeGreaterThan(0);
      const socketDir = running[0]?.tmpdir;
      expect(socketDir).toMatch(/qp-provider-/);
      expect(processesIn(workspace.dir)).toEqual([]);
      expect(existsSync(socketDir ?? "")).toBe(false);
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  it(
    "plans as terraform alone would when the running provider fails it (here: killed, as by a crash)",
    async () => {
      await withWorkspace(prodDir, "crashed", async (workspace) => {
        expect(workspace.attached).toBe(true);
        const providers = processesIn(workspace.dir).filter(({ pid }) =>
          readlinkSync(`/proc/${pid}/exe`).includes("terraform-provider-aws"),
        );
        expect(providers).toHaveLength(1);
        process.kill(Number(providers[0]?.pid), "SIGKILL");
        const plan = await workspace.plan(undefined);
        expect(plan.resource_changes?.length).toBeGreaterThan(10);
        expect(workspace.attached).toBe(false);
      });
    },
    TERRAFORM_HOOK_TIMEOUT_MS,
  );

  describe("started by a process killed with SIGKILL", () => {
    let child: ChildProcess | undefined;

    afterAll(() => {
      child?.kill("SIGKILL");
    });

    it(
      "ends with that process, its socket folder removed",
      async () => {
        const script = path.join(scratch, "keeps-a-workspace.mts");
        const dir = path.join(scratch, "orphaned");
        writeFileSync(
          script,
          `import { Workspace } from ${JSON.stringify(path.join(process.cwd(), "review", "workspace.ts"))};\n` +
            `const workspace = await Workspace.create(${JSON.stringify(prodDir)}, ${JSON.stringify(dir)}, ${JSON.stringify(shared)});\n` +
            `process.stdout.write(workspace.attached ? "attached\\n" : "not attached\\n");\n` +
            "setInterval(() => undefined, 60_000);\n",
        );
        child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
        let output = "";
        child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        for (let waited = 0; !output.includes("attached") && waited < 120_000; waited += 100) await sleep(100);
        expect(output).toBe("attached\n");
        const running = processesIn(dir);
        expect(running.length).toBeGreaterThan(0);
        const socketDir = running[0]?.tmpdir ?? "";
        expect(socketDir).toMatch(/qp-provider-/);
        const ended = once(child, "exit");
        child.kill("SIGKILL");
        await ended;
        expect(await gone(dir, 10_000)).toBe(true);
        expect(existsSync(socketDir)).toBe(false);
      },
      TERRAFORM_HOOK_TIMEOUT_MS,
    );
  });
});
