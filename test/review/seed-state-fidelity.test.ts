/**
 * The review's verdict does not depend on the seed state. For a change that refers to what the base
 * never did (AWS-computed attributes, in a tag and in a required argument), the report and every
 * value the change configures equal those of the review's first method: the base planned from
 * nothing and settled by re-plans. A base whose `lifecycle.ignore_changes` hides what the seed cannot
 * work out (a data source's policy) is not seeded, and its plan keeps the policy the create set. Real terraform on the review fixture's dev stack; plans counted by a logging
 * `terraform` first on PATH, so the seed is shown to be used where it fits.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingTerraform } from "../../bench/support/counting-terraform.js";
import type { ResourceChange } from "../../review/plan-json.js";
import { applyPlan, emptyState, managedChanges, type StateV4 } from "../../review/plan-state.js";
import { providerSchemas } from "../../review/provider-schemas.js";
import { type EnvironmentReview, reviewEnvironment } from "../../review/review-environment.js";
import { renderReview } from "../../review/review-report.js";
import { terraformVersion } from "../../review/terraform.js";
import { type SharedTerraform, Workspace, type WorkspacePlan } from "../../review/workspace.js";
import { type FixtureStack, fixtureStackWith } from "../support/fixture-stack.js";
import { tempDir } from "../support/temp-dirs.js";
import { TERRAFORM_HOOK_TIMEOUT_MS } from "../support/terraform.js";

type Body = Record<string, unknown>;

function resource(stack: FixtureStack, type: string, name: string): Body {
  const body = stack.resource[type]?.[name];
  if (!body) throw new Error(`the fixture stack has no ${type}.${name}`);
  return body;
}

/** The review's first method: the base planned from nothing and re-planned until no change, then the head against it. */
async function reviewFromNothing(base: string, head: string, scratch: string, shared: SharedTerraform) {
  const workspace = await Workspace.create(base, path.join(scratch, "base"), shared);
  let state: StateV4;
  try {
    const schemas = await providerSchemas(workspace);
    state = applyPlan(emptyState("from-nothing", terraformVersion()), await workspace.plan(undefined), schemas);
    for (let round = 0; round < 6; round++) {
      const again = await workspace.changesFrom(state);
      if (!again || managedChanges(again).length === 0) break;
      state = applyPlan(state, again, schemas);
    }
  } finally {
    await workspace.close();
  }
  const headWorkspace = await Workspace.create(head, path.join(scratch, "head"), shared);
  try {
    return await headWorkspace.plan(state);
  } finally {
    await headWorkspace.close();
  }
}

const report = (plan: WorkspacePlan) =>
  renderReview({
    baseRef: "base",
    baseCommit: "0",
    reviews: [{ environment: "dev", plan, settled: true, derivedChanges: [] } satisfies EnvironmentReview],
  }).markdown;

/** `address.attribute = value` for every attribute the head's stack configures, as its plan has it after the change. */
function configuredValues(plan: WorkspacePlan, head: string): string[] {
  const stack = JSON.parse(readFileSync(path.join(head, "cdk.tf.json"), "utf8")) as FixtureStack;
  return (plan.resource_changes ?? [])
    .filter((change: ResourceChange) => change.mode === "managed")
    .flatMap((change) =>
      Object.keys(stack.resource[change.type]?.[change.name] ?? {})
        .filter((attribute) => attribute !== "lifecycle")
        .map(
          (attribute) =>
            `${change.address}.${attribute} = ${JSON.stringify((change.change.after as Body | null)?.[attribute])}`,
        ),
    )
    .sort();
}

interface Compared {
  readonly seeded: EnvironmentReview;
  readonly fromNothing: WorkspacePlan | undefined;
  readonly head: string;
  readonly plans: number;
}

describe("the seed state gives the verdict of a base planned from nothing", () => {
  const savedPath = process.env.PATH;
  let computedReferences: Compared;
  let ignoredChanges: Compared;

  beforeAll(async () => {
    const counter = countingTerraform(tempDir("fidelity-terraform"));
    process.env.PATH = counter.env.PATH;
    const parent = tempDir("fidelity");
    const shared = { pluginCache: path.join(parent, "plugin-cache"), dataRoot: path.join(parent, "data") };
    const compare = async (
      name: string,
      editBase: (stack: FixtureStack) => void,
      editHead: (stack: FixtureStack) => void,
      againstFromNothing: boolean,
    ) => {
      const base = fixtureStackWith(parent, `${name}-base`, editBase);
      const head = fixtureStackWith(parent, `${name}-head`, (stack) => {
        editBase(stack);
        editHead(stack);
      });
      const seededScratch = path.join(parent, `${name}-seeded`);
      const [seeded, fromNothing] = await Promise.all([
        reviewEnvironment("dev", base, head, seededScratch, shared),
        againstFromNothing
          ? reviewFromNothing(base, head, path.join(parent, `${name}-from-nothing`), shared)
          : undefined,
      ]);
      const plans = counter
        .invocations()
        .filter((run) => run.command === "plan" && run.dir.startsWith(`${seededScratch}${path.sep}`)).length;
      return { seeded, fromNothing, head, plans };
    };

    [computedReferences, ignoredChanges] = await Promise.all([
      compare(
        "computed",
        (stack) => {
          // Referred to inside a function call: null there fails the plan ("Invalid function argument").
          resource(stack, "aws_cloudwatch_metric_alarm", "dlq_not_empty").alarm_description =
            "${upper(aws_sqs_queue.work.policy)}";
        },
        (stack) => {
          // Attributes only AWS knows, which nothing in the base refers to: computed-only, and optional but computed.
          resource(stack, "aws_sqs_queue", "work").tags = {
            worker: "${aws_lambda_function.worker.qualified_arn}",
            policy: "${aws_sqs_queue.dlq.policy}",
          };
          stack.resource.aws_lambda_alias = {
            live: {
              name: "live",
              function_name: "${aws_lambda_function.worker.function_name}",
              // Required: a null here is not a value the review may make up.
              function_version: "${aws_lambda_function.worker.version}",
            },
          };
          resource(stack, "aws_lambda_event_source_mapping", "worker").batch_size = 7;
        },
        true,
      ),
      compare(
        "ignored",
        (stack) => {
          // A policy the seed cannot work out (a data source), which a plan against any state then ignores.
          stack.data = {
            aws_iam_policy_document: {
              tls_only: {
                statement: [
                  {
                    effect: "Deny",
                    actions: ["sqs:*"],
                    principals: [{ type: "*", identifiers: ["*"] }],
                    resources: ["*"],
                    condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
                  },
                ],
              },
            },
          };
          Object.assign(resource(stack, "aws_sqs_queue", "dlq"), {
            policy: "${data.aws_iam_policy_document.tls_only.json}",
            lifecycle: { ignore_changes: ["policy"] },
          });
        },
        (stack) => {
          resource(stack, "aws_lambda_event_source_mapping", "worker").batch_size = 7;
        },
        // Given up on, the seed leaves the base to the first method itself: what matters is the policy it plans.
        false,
      ),
    ]);
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  afterAll(() => {
    process.env.PATH = savedPath;
  });

  it("uses the seed for a change that refers to attributes the base never did: one base plan and the head's", () => {
    expect(computedReferences.plans).toBe(2);
    expect(computedReferences.seeded.settled).toBe(true);
  });

  it("plans the same values for what the change configures, and reports the same", () => {
    const { seeded, fromNothing, head } = computedReferences;
    if (!fromNothing) throw new Error("no plan from nothing to compare with");
    expect(configuredValues(seeded.plan, head)).toEqual(configuredValues(fromNothing, head));
    expect(report(seeded.plan)).toBe(report(fromNothing));
    const tags = managedChanges(seeded.plan).find((change) => change.address === "aws_sqs_queue.work")?.change.after as
      | Body
      | undefined;
    expect(Object.keys((tags?.tags as Body | undefined) ?? {}).sort()).toEqual(["policy", "worker"]);
  });

  it("does not seed a base with ignore_changes: the change's plan keeps the policy the base's create set", () => {
    const { seeded, plans } = ignoredChanges;
    expect(plans).toBeGreaterThan(2);
    const changes = seeded.plan.resource_changes ?? [];
    const dlq = changes.find((change) => change.address === "aws_sqs_queue.dlq")?.change;
    expect(dlq?.actions).toEqual(["no-op"]);
    expect(JSON.parse(String((dlq?.after as Body | undefined)?.policy))).toMatchObject({
      Statement: [{ Effect: "Deny", Action: "sqs:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    });
    expect(managedChanges(seeded.plan).map((change) => `${change.address} ${change.change.actions.join()}`)).toEqual([
      "aws_lambda_event_source_mapping.worker update",
    ]);
  });
});
