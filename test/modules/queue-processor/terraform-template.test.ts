import path from "node:path";
import { App, Fn, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import type { QueueProcessorProps } from "../../../modules/index.js";
import { checkQueueProcessorProps, QueueProcessorConfigError } from "../../../modules/index.js";
import { PLACEHOLDER_ENTRY, type SynthesizedStack, synthProcessor } from "../../support/synth.js";
import { tempDir } from "../../support/temp-dirs.js";
import { type OfflinePlan, planOffline, TERRAFORM_HOOK_TIMEOUT_MS } from "../../support/terraform.js";

const BASE: QueueProcessorProps = { name: "orders", handler: { entry: PLACEHOLDER_ENTRY } };

// biome-ignore lint/suspicious/noExplicitAny: the tests pass what TypeScript would refuse
function props(overrides: Record<string, any>): QueueProcessorProps {
  return { ...BASE, ...overrides } as QueueProcessorProps;
}

const withEnvironment = (environment: Record<string, string>) => props({ handler: { ...BASE.handler, environment } });
const withTags = (tags: Record<string, string>) => props({ tags });
const withFilter = (body: Record<string, unknown>) => props({ eventSource: { filterPatterns: [{ body }] } });

function issuesOf(input: QueueProcessorProps) {
  try {
    checkQueueProcessorProps(input);
    return [];
  } catch (error) {
    if (!(error instanceof QueueProcessorConfigError)) throw error;
    return error.issues;
  }
}

/** A reference as cdktf hands it over: `${TfToken[...]}` until synth resolves it. */
function reference(): string {
  return new TerraformVariable(new TerraformStack(new App(), "references"), "arn", { type: "string" }).stringValue;
}

describe("Terraform templates in user strings", () => {
  it.each([
    ["an environment value", withEnvironment({ GREETING: '${upper("x")}' }), "handler.environment.GREETING"],
    [
      "a file read in an environment value",
      withEnvironment({ CONFIG: 'a ${file("/etc/hostname")} b' }),
      "handler.environment.CONFIG",
    ],
    [
      "a directive in an environment value",
      withEnvironment({ MODE: "%{ if true }on%{ endif }" }),
      "handler.environment.MODE",
    ],
    [
      "a live template after an escaped one",
      withEnvironment({ MIXED: "$${ok} ${var.secret}" }),
      "handler.environment.MIXED",
    ],
    ["a tag value", withTags({ team: "${var.team}" }), "tags.team"],
    ["a tag key", withTags({ '${upper("k")}': "v" }), 'tags.${upper("k")}'],
    [
      "a filter pattern value",
      withFilter({ type: ["order_created", '${upper("x")}'] }),
      "eventSource.filterPatterns[0].body.type[1]",
    ],
    [
      "a filter pattern value nested deeper",
      withFilter({ detail: { state: [{ prefix: "%{x" }] } }),
      "eventSource.filterPatterns[0].body.detail.state[0].prefix",
    ],
    ["a filter pattern key", withFilter({ "${path.cwd}": ["x"] }), "eventSource.filterPatterns[0].body"],
    [
      "a hand-typed cdktf marker that cdktf never issued",
      withEnvironment({ FAKE: "${TfToken[TOKEN.987654]}" }),
      "handler.environment.FAKE",
    ],
    [
      "a '$' right before a reference",
      () => withEnvironment({ PRICE: `$${reference()}` }),
      "handler.environment.PRICE",
    ],
  ])("refuses %s, naming the field", (_title, input, fieldPath) => {
    const issues = issuesOf(typeof input === "function" ? input() : input);
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([["terraform-template-in-value", fieldPath]]);
    expect(issues[0]!.message).toMatch(/^\S+: the (value|tag key|tag value|key) (holds|has)/);
    expect(issues[0]!.message).toContain(
      'only literal text is allowed (write "$${" for a literal "${" and "%%{" for a literal "%{")',
    );
  });

  it("says what is wrong and echoes the value", () => {
    expect(issuesOf(withTags({ team: '${upper("x")}' }))[0]!.message).toBe(
      'tags.team: the tag value holds "${", which starts a template that Terraform would evaluate; only literal text is allowed (write "$${" for a literal "${" and "%%{" for a literal "%{") (got "${upper(\\"x\\")}")',
    );
    expect(issuesOf(withEnvironment({ PRICE: `$${reference()}` }))[0]!.message).toContain(
      'the value has a "$" right before a reference, which makes "$${" and leaves the reference unresolved',
    );
  });

  it("refuses templates in the strings checked against stricter patterns", () => {
    const cases: [QueueProcessorProps, string][] = [
      [props({ name: '${upper("x")}' }), "name-invalid"],
      [withEnvironment({ "${X}": "v" }), "environment-invalid"],
      [props({ queue: { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/${var.k}" } }), "kms-key-arn-invalid"],
      [props({ alarms: { topicArn: "arn:aws:sns:us-east-1:123456789012:${var.t}" } }), "alarm-topic-arn-invalid"],
    ];
    for (const [input, code] of cases) expect(issuesOf(input).map((issue) => issue.code)).toEqual([code]);
  });

  it.each([
    ["an escaped template", '$${upper("x")}'],
    ["an escaped directive", "%%{ if true }"],
    ["a '$' before an escaped template", "$$${x}"],
    ["a lone '$' and a lone '{'", "costs $5 {approx}"],
    ["'$' and '{' apart", "$ {x} % {y}"],
    ["a trailing '$' and '%'", "100% of $"],
    ["JSON", '{"a":[1,2]}'],
    ["an IAM policy variable as the provider writes it", "&{aws:username}"],
    ["lookalike characters", '＄｛upper("x")｝'],
  ])("accepts %s, which Terraform takes literally", (_title, value) => {
    expect(issuesOf(withEnvironment({ VALUE: value }))).toEqual([]);
    expect(issuesOf(withTags({ note: value }))).toEqual([]);
    expect(issuesOf(withFilter({ note: [value] }))).toEqual([]);
  });

  it("accepts references and cdktf functions, alone or inside the user's text", () => {
    const environment = {
      TABLE_ARN: reference(),
      ENDPOINT: `https://${reference()}/v1`,
      UPPER: Fn.upper("abc"),
      COST: `$ ${reference()}`,
    };
    expect(issuesOf(withEnvironment(environment))).toEqual([]);
  });
});

/** Every `${...}` Terraform would evaluate in a string of the document, wherever it is (keys too). */
function liveTemplates(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") {
    for (const match of value.matchAll(/(?<!\$)\$\{[^}]*\}|(?<!%)%\{[^}]*\}/g)) found.push(match[0]);
  } else if (Array.isArray(value)) {
    for (const item of value) liveTemplates(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      liveTemplates(key, found);
      liveTemplates(item, found);
    }
  }
  return found;
}

describe("a stack with literal '${' and '%{' in its values, planned by real terraform", () => {
  let synth: SynthesizedStack;
  let plan: OfflinePlan;
  const plannedValues = (type: string) =>
    (
      plan.plan as unknown as { resource_changes: { type: string; change: { after: Record<string, unknown> } }[] }
    ).resource_changes.find((change) => change.type === type)!.change.after;

  beforeAll(async () => {
    ({ synth } = synthProcessor(
      {
        handler: {
          entry: PLACEHOLDER_ENTRY,
          environment: {
            LITERAL_TEMPLATE: '$${upper("x")}',
            LITERAL_DIRECTIVE: "%%{ if true }y%%{ endif }",
            DOLLARS: "$$$${x}",
            PLAIN: "costs $5 {approx}, 100%",
            COMPUTED: Fn.upper("abc"),
          },
        },
        tags: { note: "$${not-a-template}" },
        eventSource: { filterPatterns: [{ body: { type: ["$${x}"] } }] },
      },
      (processor) => {
        // The function's variables are unknown in the plan as a whole (the queue URLs are); outputs of
        // the very same strings show what Terraform makes of them.
        for (const [name, value] of Object.entries(processor.config.handler.environment)) {
          new TerraformOutput(TerraformStack.of(processor), name, { value });
        }
      },
    ));
    plan = await planOffline(synth.stackDir, path.join(tempDir("template-plan"), "stack"));
  }, TERRAFORM_HOOK_TIMEOUT_MS);

  it("passes terraform validate", () => {
    expect(plan.validate).toMatchObject({ valid: true, error_count: 0 });
  });

  it("holds no live template in cdk.tf.json but cdktf's own references and function calls", () => {
    const live = liveTemplates(synth.json);
    expect(live.length).toBeGreaterThan(0);
    for (const template of live) {
      expect(template).toMatch(/^\$\{((data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+(\[\d+\])?|upper\("abc"\))\}$/);
    }
  });

  it("gives the function, the tags and the filter the literal text, evaluating only cdktf's function", () => {
    const outputs = (plan.plan as unknown as { planned_values: { outputs: Record<string, { value: string }> } })
      .planned_values.outputs;
    const variables = Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
    expect(variables).toEqual({
      LITERAL_TEMPLATE: '${upper("x")}',
      LITERAL_DIRECTIVE: "%{ if true }y%{ endif }",
      DOLLARS: "$$${x}",
      PLAIN: "costs $5 {approx}, 100%",
      COMPUTED: "ABC",
    });
    expect(plannedValues("aws_lambda_function").tags).toEqual({ note: "${not-a-template}" });
    expect(plannedValues("aws_sqs_queue").tags).toEqual({ note: "${not-a-template}" });
    const filter = plannedValues("aws_lambda_event_source_mapping").filter_criteria as {
      filter: { pattern: string }[];
    }[];
    expect(filter[0]!.filter[0]!.pattern).toBe('{"body":{"type":["${x}"]}}');
  });

  it("is never written when a value holds a live template: the synth stops first", () => {
    expect(() =>
      synthProcessor({ handler: { entry: PLACEHOLDER_ENTRY, environment: { HOST: '${file("/etc/hostname")}' } } }),
    ).toThrow(QueueProcessorConfigError);
  });
});
