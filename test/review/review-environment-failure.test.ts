/**
 * A base the review cannot plan fails the environment only once the change's workspace, initialised
 * meanwhile, is done with its scratch folder: the caller removes that folder next, and a terraform
 * still writing there, or a provider still serving from it, would leave part of it behind. Real
 * terraform on the review fixture's dev stack.
 */
import { cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { reviewEnvironment } from "../../review/review-environment.js";
import { FIXTURE_STACK } from "../support/fixture-stack.js";
import { processesIn } from "../support/processes.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

it(
  "rejects for a base it cannot read only after the change's terraform init has ended and its provider stopped",
  async () => {
    const parent = tempDir("environment-failure");
    const base = path.join(parent, "base");
    const head = path.join(parent, "head");
    cpSync(FIXTURE_STACK, base, { recursive: true });
    cpSync(FIXTURE_STACK, head, { recursive: true });
    for (const broken of ["{", "", "[1,", '{"resource":'] as const) {
      writeFileSync(path.join(base, "cdk.tf.json"), broken);
      const scratch = path.join(parent, `scratch-${broken.length}`);
      const shared = { pluginCache: path.join(parent, "plugin-cache"), dataRoot: path.join(scratch, "data") };
      await expect(reviewEnvironment("dev", base, head, scratch, shared), JSON.stringify(broken)).rejects.toThrow(
        /JSON/,
      );
      expect(
        processesIn(scratch).map(({ pid }) => pid),
        JSON.stringify(broken),
      ).toEqual([]);
    }
  },
  TERRAFORM_HOOK_TIMEOUT_MS,
);
