/**
 * The seed state the review plans the base against: read from a stack's cdk.tf.json alone, it must
 * resolve what cdktf writes (references and templates of references), fill what the provider would
 * (defaults, tags_all, stand-ins for what others refer to), and give up, never guess, on what it does
 * not follow: the review then plans from nothing as before. A small hand-written schema stands in for
 * the provider's here; test/review/seed-state-terraform.test.ts runs the real one.
 */
import { describe, expect, it } from "vitest";
import type { ResourceChange } from "../../review/plan-json.js";
import { type StateV4, settlesState } from "../../review/plan-state.js";
import { PROVIDER_DEFAULTS } from "../../review/provider-defaults.js";
import type { ProviderSchemas } from "../../review/schema-types.js";
import { inertUnknowns, seedState } from "../../review/seed-state.js";

const AWS = "registry.terraform.io/hashicorp/aws";

const schemas: ProviderSchemas = {
  provider_schemas: {
    [AWS]: {
      resource_schemas: {
        aws_sqs_queue: {
          version: 0,
          block: {
            attributes: {
              name: { type: "string", optional: true, computed: true },
              arn: { type: "string", computed: true },
              id: { type: "string", computed: true },
              url: { type: "string", computed: true },
              policy: { type: "string", optional: true, computed: true },
              delay_seconds: { type: "number", optional: true },
              fifo_queue: { type: "bool", optional: true },
              visibility_timeout_seconds: { type: "number", optional: true },
              redrive_policy: { type: "string", optional: true, computed: true },
              tags: { type: ["map", "string"], optional: true },
              tags_all: { type: ["map", "string"], optional: true, computed: true },
            },
          },
        },
        aws_lambda_event_source_mapping: {
          version: 0,
          block: {
            attributes: {
              id: { type: "string", computed: true },
              uuid: { type: "string", computed: true },
              event_source_arn: { type: "string", optional: true },
              function_name: { type: "string", required: true },
              batch_size: { type: "number", optional: true },
              enabled: { type: "bool", optional: true },
              function_response_types: { type: ["set", "string"], optional: true },
            },
            block_types: {
              filter_criteria: {
                nesting_mode: "list",
                block: {
                  block_types: {
                    filter: {
                      nesting_mode: "set",
                      block: { attributes: { pattern: { type: "string", optional: true } } },
                    },
                  },
                },
              },
            },
          },
        },
        aws_iam_role_policy: {
          version: 0,
          block: {
            attributes: {
              id: { type: "string", computed: true },
              name: { type: "string", optional: true, computed: true },
              policy: { type: "string", required: true },
              role: { type: "string", required: true },
            },
          },
        },
      },
    },
  },
};

function stack(resource: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    provider: { aws: [{ region: "eu-west-1", default_tags: [{ tags: { team: "orders", env: "dev" } }] }] },
    terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } },
    resource,
    ...extra,
  };
}

function attributesOf(state: StateV4 | undefined, type: string, name: string): Record<string, unknown> {
  const resource = state?.resources.find((entry) => entry.type === type && entry.name === name);
  if (!resource) throw new Error(`no ${type}.${name} in ${JSON.stringify(state)}`);
  return resource.instances[0]?.attributes ?? {};
}

const QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:orders-dev";
const OPTIONS = { lineage: "lineage", terraformVersion: "1.11.4" };

describe("seedState", () => {
  it("resolves whole references and templates of references to the stand-ins the review gives AWS's values", () => {
    const state = seedState(
      stack({
        aws_sqs_queue: {
          work: { name: "orders-dev", redrive_policy: '{"deadLetterTargetArn":"${aws_sqs_queue.dlq.arn}"}' },
          dlq: { name: "orders-dev-dlq" },
        },
        aws_lambda_event_source_mapping: {
          mapping: {
            event_source_arn: "${aws_sqs_queue.work.arn}",
            function_name: "${aws_sqs_queue.work.name}-fn",
            batch_size: "10",
            enabled: "true",
            function_response_types: ["ReportBatchItemFailures"],
          },
        },
      }),
      schemas,
      OPTIONS,
    );
    const mapping = attributesOf(state, "aws_lambda_event_source_mapping", "mapping");
    expect(mapping.event_source_arn).toBe(QUEUE_ARN);
    expect(mapping.function_name).toBe("orders-dev-fn");
    // Terraform converts a configured string to the attribute's type; so does the seed.
    expect(mapping.batch_size).toBe(10);
    expect(mapping.enabled).toBe(true);
    expect(mapping.function_response_types).toEqual(["ReportBatchItemFailures"]);
    expect(attributesOf(state, "aws_sqs_queue", "work").redrive_policy).toBe(
      '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:orders-dev-dlq"}',
    );
    expect(state).toMatchObject({ version: 4, lineage: "lineage", terraform_version: "1.11.4" });
    expect(state?.resources.map((resource) => resource.provider)).toEqual([
      `provider["${AWS}"]`,
      `provider["${AWS}"]`,
      `provider["${AWS}"]`,
    ]);
  });

  it("fills what the provider would: its defaults, tags_all from the default tags, stand-ins for what AWS computes", () => {
    const config = stack({
      aws_sqs_queue: {
        work: { name: "orders-dev", tags: { env: "prod-like" }, visibility_timeout_seconds: 180 },
        lonely: { name: "lonely" },
        watched: { name: "watched" },
        called: { name: "called" },
      },
      aws_lambda_event_source_mapping: {
        mapping: { event_source_arn: "${aws_sqs_queue.work.arn}", function_name: "fn" },
      },
      aws_iam_role_policy: { p: { role: "r", policy: "{}", name: "${aws_sqs_queue.work.url}" } },
    });
    // The change under review refers to what the base never did: those values are in the seed too.
    const change = stack(
      {
        aws_iam_role_policy: {
          q: { role: "r", policy: "${aws_sqs_queue.watched.policy}" },
          // Inside a function call, and through a moved block's new address.
          upper: { role: "${upper(aws_sqs_queue.called.policy)}", policy: "{}" },
          moved: { role: "r", policy: "${aws_sqs_queue.renamed.redrive_policy}" },
        },
      },
      { moved: [{ from: "aws_sqs_queue.lonely", to: "aws_sqs_queue.renamed" }] },
    );
    const state = seedState(config, schemas, { ...OPTIONS, referencedBy: [change] });
    const work = attributesOf(state, "aws_sqs_queue", "work");
    expect(work).toMatchObject({
      delay_seconds: PROVIDER_DEFAULTS.aws_sqs_queue?.delay_seconds,
      fifo_queue: false,
      visibility_timeout_seconds: 180,
      tags_all: { team: "orders", env: "prod-like" },
      url: "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dev",
      arn: QUEUE_ARN,
    });
    expect(attributesOf(state, "aws_iam_role_policy", "p").name).toBe(
      "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dev",
    );
    const lonely = attributesOf(state, "aws_sqs_queue", "lonely");
    // What only AWS sets gets a stand-in whether or not anything refers to it.
    expect(typeof lonely.id).toBe("string");
    expect(lonely.arn).toBe("arn:aws:sqs:eu-west-1:123456789012:lonely");
    expect(lonely.url).toBe("https://sqs.eu-west-1.amazonaws.com/123456789012/lonely");
    // What the configuration could set but leaves to AWS stays unset, unless something refers to it.
    expect(lonely.policy).toBeNull();
    expect(lonely.redrive_policy).toBe("unknown-lonely-redrive_policy");
    expect(attributesOf(state, "aws_sqs_queue", "called").policy).toBe("unknown-called-policy");
    expect(attributesOf(state, "aws_sqs_queue", "watched").policy).toBe("unknown-watched-policy");
    expect(attributesOf(state, "aws_sqs_queue", "watched").redrive_policy).toBeNull();
    expect(attributesOf(state, "aws_lambda_event_source_mapping", "mapping").filter_criteria).toEqual([]);
    expect(typeof attributesOf(state, "aws_lambda_event_source_mapping", "mapping").uuid).toBe("string");
  });

  it("takes an aliased provider's address and default tags for a resource that names it", () => {
    const config = stack({ aws_sqs_queue: { west: { name: "west", provider: "aws.west" }, home: { name: "home" } } });
    config.provider.aws.push({
      region: "us-west-2",
      alias: "west",
      default_tags: [{ tags: { team: "west" } }],
    } as never);
    const state = seedState(config, schemas, OPTIONS);
    const west = state?.resources.find((resource) => resource.name === "west");
    expect(west?.provider).toBe(`provider["${AWS}"].west`);
    expect(west?.instances[0]?.attributes.tags_all).toEqual({ team: "west" });
    expect(attributesOf(state, "aws_sqs_queue", "home").tags_all).toEqual({ team: "orders", env: "dev" });
  });

  it("leaves unset what it cannot work out (data sources, functions, directives, cycles) and keeps $${ literal", () => {
    const state = seedState(
      stack({
        aws_iam_role_policy: {
          fromData: { role: "r", policy: "${data.aws_iam_policy_document.p.json}" },
          fromFunction: { role: "r", policy: '${jsonencode({"a" = 1})}' },
          fromDirective: { role: "r", policy: "%{ if true }x%{ endif }" },
          fromVariable: { role: "r", policy: "${var.policy}" },
          literal: { role: "r", policy: "$${not.a.reference}" },
          cycleA: { role: "${aws_iam_role_policy.cycleB.role}", policy: "{}" },
          cycleB: { role: "${aws_iam_role_policy.cycleA.role}", policy: "{}" },
          missing: { role: "${aws_iam_role_policy.nowhere.role}", policy: "{}" },
        },
      }),
      schemas,
      OPTIONS,
    );
    for (const name of ["fromData", "fromFunction", "fromDirective", "fromVariable"]) {
      expect(attributesOf(state, "aws_iam_role_policy", name).policy, name).toBeNull();
    }
    expect(attributesOf(state, "aws_iam_role_policy", "literal").policy).toBe("${not.a.reference}");
    expect(attributesOf(state, "aws_iam_role_policy", "cycleA").role).toBeNull();
    expect(attributesOf(state, "aws_iam_role_policy", "cycleB").role).toBeNull();
    expect(attributesOf(state, "aws_iam_role_policy", "missing").role).toBeNull();
  });

  it("gives up (undefined: the review plans from nothing) on modules, count, for_each and resource types it has no schema for", () => {
    const queue = { aws_sqs_queue: { work: { name: "w" } } };
    const variants: [string, unknown][] = [
      ["a module", stack(queue, { module: { app: { source: "./app" } } })],
      ["count", stack({ aws_sqs_queue: { work: { name: "w", count: 2 } } })],
      ["for_each", stack({ aws_sqs_queue: { work: { name: "w", for_each: "${toset([])}" } } })],
      ["an unknown type", stack({ aws_sns_topic: { alarms: { name: "a" } } })],
      ["another provider", stack({ google_pubsub_topic: { t: { name: "t" } } })],
      ["a malformed resource block", stack({ aws_sqs_queue: ["work"] })],
      // A plan against the seed keeps the seed's value of an ignored argument, where a create takes the configured one.
      [
        "ignore_changes of one argument",
        stack({ aws_sqs_queue: { work: { name: "w", lifecycle: { ignore_changes: ["policy"] } } } }),
      ],
      ["ignore_changes all", stack({ aws_sqs_queue: { work: { name: "w", lifecycle: { ignore_changes: "all" } } } })],
      [
        "ignore_changes in a list of lifecycle blocks",
        stack({ aws_sqs_queue: { work: { name: "w", lifecycle: [{ ignore_changes: ["tags"] }] } } }),
      ],
      [
        "ignore_changes on a resource the rest does not refer to",
        stack({
          aws_sqs_queue: { work: { name: "w" }, other: { name: "o", lifecycle: { ignore_changes: ["${tags}"] } } },
        }),
      ],
      ["not an object", "cdk.tf.json"],
    ];
    for (const [what, config] of variants) expect(seedState(config, schemas, OPTIONS), what).toBeUndefined();
  });

  it("seeds a resource whose lifecycle ignores nothing", () => {
    const variants: [string, unknown][] = [
      ["an empty ignore_changes", { ignore_changes: [] }],
      ["create_before_destroy", { create_before_destroy: true }],
      ["prevent_destroy", [{ prevent_destroy: true }]],
    ];
    for (const [what, lifecycle] of variants) {
      const state = seedState(stack({ aws_sqs_queue: { work: { name: "w", lifecycle } } }), schemas, OPTIONS);
      expect(
        state?.resources.map((resource) => resource.name),
        what,
      ).toEqual(["work"]);
    }
  });
});

describe("inertUnknowns and settlesState", () => {
  const config = stack({
    aws_sqs_queue: { work: { name: "w", policy: "${data.aws_iam_policy_document.p.json}" }, dlq: { name: "d" } },
    aws_iam_role_policy: { p: { role: "r", policy: "{}", name: "${aws_sqs_queue.dlq.url}" } },
  });
  const inert = inertUnknowns(config, schemas);
  const update = (address: string, afterUnknown: unknown, actions = ["update"]): ResourceChange => {
    const [type = "", name = ""] = address.split(".");
    return {
      address,
      mode: "managed",
      type,
      name,
      provider_name: AWS,
      change: { actions, before: {}, after: {}, after_unknown: afterUnknown },
    };
  };

  it("counts an unknown as inert only when computed, left out of the configuration and referred to by nothing", () => {
    expect(inert(update("aws_sqs_queue.work", {}), "redrive_policy")).toBe(true);
    expect(inert(update("aws_sqs_queue.work", {}), "policy")).toBe(false); // configured
    expect(inert(update("aws_sqs_queue.dlq", {}), "url")).toBe(false); // referred to
    expect(inert(update("aws_sqs_queue.work", {}), "arn")).toBe(false); // identity
    expect(inert(update("aws_sqs_queue.work", {}), "delay_seconds")).toBe(false); // not computed
    expect(inert(update("aws_sqs_queue.elsewhere", {}), "redrive_policy")).toBe(false); // not in the stack
    expect(
      inert({ ...update("aws_sqs_queue.work", {}), address: "module.a.aws_sqs_queue.work" }, "redrive_policy"),
    ).toBe(false);
  });

  it("counts references of the change under review too: an unknown it reads is not inert", () => {
    const change = stack({
      aws_iam_role_policy: { q: { role: "r", policy: "x-${aws_sqs_queue.work.redrive_policy}" } },
    });
    const withChange = inertUnknowns(config, schemas, [change]);
    expect(withChange(update("aws_sqs_queue.work", {}), "redrive_policy")).toBe(false);
    expect(withChange(update("aws_sqs_queue.dlq", {}), "redrive_policy")).toBe(true);
  });

  it("settles an update whose only unknowns are inert, never a create, a replacement or a nested unknown", () => {
    const plan = (change: ResourceChange) => ({ format_version: "1.2", resource_changes: [change] });
    expect(settlesState(plan(update("aws_sqs_queue.work", { redrive_policy: true })), inert)).toBe(true);
    expect(settlesState(plan(update("aws_sqs_queue.work", { redrive_policy: true }))), "without inert").toBe(false);
    expect(settlesState(plan(update("aws_sqs_queue.work", { redrive_policy: true }, ["create"])), inert)).toBe(false);
    expect(
      settlesState(plan(update("aws_sqs_queue.work", { redrive_policy: true }, ["delete", "create"])), inert),
    ).toBe(false);
    expect(settlesState(plan(update("aws_sqs_queue.work", { tags_all: { a: true } })), inert)).toBe(false);
    expect(settlesState(plan(update("aws_sqs_queue.dlq", { url: true })), inert)).toBe(false);
  });
});
