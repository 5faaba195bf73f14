/**
 * iam-wildcard and iam-wildcard-exception on real terraform plans: each resource of the
 * iam-wildcard-variants fixture (HCL heredoc and jsonencode, JSON-syntax templates, policy documents,
 * values known only at apply) is one way a wildcard can be written, or one that must not be flagged.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPlan, type Finding } from "../../../review/policy/index.js";
import { FIXTURES_DIR } from "../../fixtures/plans/generate.js";

const plan = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES_DIR, name, "plan.json"), "utf8"));

/** The addresses a plan changes: a test that expects no finding for an address checks that it is there. */
function addresses(name: string): Set<string> {
  return new Set((plan(name) as { resource_changes: { address: string }[] }).resource_changes.map((c) => c.address));
}

function iamFindings(input: unknown): Finding[] {
  return checkPlan(input).filter((finding) => finding.rule.startsWith("iam-wildcard"));
}

describe("iam-wildcard on iam-wildcard-variants (real terraform plan)", () => {
  const findings = iamFindings(plan("iam-wildcard-variants"));
  const messages = (address: string) =>
    findings.filter((finding) => finding.address === address).map((finding) => finding.message);

  const BLOCKED: readonly [address: string, what: string, words: readonly string[]][] = [
    ["aws_iam_policy.heredoc_not_action", "NotAction in a heredoc", ['NotAction "iam:*" (every other action)']],
    ["aws_iam_policy.jsonencode_not_resource", "NotResource in jsonencode", ['NotResource "arn:aws:s3:::secrets/*"']],
    ["aws_iam_policy.partial_arn", "a partial wildcard in an ARN", ['resource "arn:aws:dynamodb:*:*:table/*"']],
    ["aws_iam_policy.question_mark_action", "? in an action given as a string", ['action "iam:?assRole"']],
    ["aws_iam_policy.prefix_action", "a prefix wildcard beside an exact action", ['action "s3:Get*"']],
    ["aws_iam_policy.lower_case_keys", "lower-case element names", ['elements "action", "resource"']],
    ["aws_iam_policy.lower_case_effect", "an Effect IAM does not read as Allow or Deny", ['Effect "allow"']],
    ["aws_iam_policy.lower_case_statement", "a lower-case Statement key", ['no "Statement" (it has "statement")']],
    [
      "aws_iam_policy.log_streams_other_action",
      "log streams for an action other than writing them",
      [':log-stream:*" (for "logs:GetLogEvents")'],
    ],
    [
      "aws_iam_user_policy.question_mark_arn",
      "? in an ARN",
      ['resource "arn:aws:sqs:us-east-1:123456789012:orders-?"'],
    ],
    ["aws_iam_group_policy.star_action_string", 'Action "*" as a string', ['action "*"']],
    [
      "aws_iam_role_policy.template_partial",
      "/* after an interpolated ARN (JSON-syntax policy)",
      ['resource "${…}/*"'],
    ],
    [
      "aws_iam_role_policy.template_document",
      "/* after an interpolated ARN (JSON-syntax policy document)",
      ['resource "${…}/*"', "data.aws_iam_policy_document.json_objects"],
    ],
    [
      "aws_iam_role_policy.document_hidden_resource",
      "an HCL document resource known only after apply",
      ["resource the plan does not show", "data.aws_iam_policy_document.bucket_objects"],
    ],
    [
      "aws_iam_role_policy.unknown_policy",
      "a policy copied from a computed attribute",
      ["a policy the plan cannot show"],
    ],
    [
      "aws_iam_role_policy.jsonencode_unknown",
      "an HCL jsonencode of an unknown ARN",
      ["a policy the plan cannot show"],
    ],
    [
      "aws_iam_role_policy_attachment.managed_admin",
      "an attached AWS managed policy",
      ['attaches "arn:aws:iam::aws:policy/AdministratorAccess", a policy the plan does not show'],
    ],
  ];

  for (const [address, what, words] of BLOCKED) {
    it(`blocks ${what} (${address})`, () => {
      const found = findings.filter((finding) => finding.address === address);
      expect(found.map((finding) => [finding.rule, finding.severity])).toEqual([["iam-wildcard", "blocking"]]);
      for (const word of words) expect(found[0]!.message).toContain(word);
      // A statement it can read names the way out; a policy it cannot read has no Sid to show.
      expect(found[0]!.message).toMatch(/DeliberateWildcard|cannot show|does not show/);
    });
  }

  it("blocks NotAction and NotResource in a policy document, one finding per statement", () => {
    const found = messages("aws_iam_role_policy.document_not_elements");
    expect(found).toHaveLength(2);
    expect(found[0]).toContain('NotAction "sqs:DeleteQueue" (every other action)');
    expect(found[1]).toContain("NotResource (known after apply) (every other resource)");
  });

  it("passes X-Ray's write actions on * in any case, a function's own log streams, an exact interpolated ARN, an attached policy of the plan", () => {
    for (const address of [
      "aws_iam_policy.xray_mixed_case_exact",
      "aws_iam_policy.own_log_streams_exact",
      "aws_iam_role_policy.template_exact",
      "aws_iam_role_policy_attachment.own_policy",
    ]) {
      expect(messages(address), address).toEqual([]);
    }
  });

  it("reports nothing else", () => {
    const expected = new Set([...BLOCKED.map(([address]) => address), "aws_iam_role_policy.document_not_elements"]);
    expect(findings.filter((finding) => !expected.has(finding.address))).toEqual([]);
  });
});

describe("iam-wildcard-exception", () => {
  const findings = iamFindings(plan("iam-wildcard-exception-fail"));

  it("is advisory only for a Sid that starts with DeliberateWildcard, exactly", () => {
    expect(findings.map((finding) => [finding.rule, finding.severity, finding.address])).toEqual([
      ["iam-wildcard", "blocking", "aws_iam_policy.inventory"],
      ["iam-wildcard", "blocking", "aws_iam_policy.sid_not_prefix"],
      ["iam-wildcard", "blocking", "aws_iam_policy.wrong_case_sid"],
      ["iam-wildcard-exception", "advisory", "aws_iam_policy.inventory"],
      ["iam-wildcard-exception", "advisory", "aws_iam_role_policy.describe"],
    ]);
    // The deliberate statement does not excuse its neighbour in the same policy.
    expect(findings[0]!.message).toContain('action "dynamodb:Get*" in statement "ReadTable"');
    expect(findings[2]!.message).toContain('"deliberateWildcardLower"');
  });
});

describe("iam-wildcard on edited copies of our own prod plan", () => {
  const PERMISSIONS = "data.aws_iam_policy_document.order-processor_execution-role_permissions_3770C151";
  const ROLE_POLICY = "aws_iam_role_policy.order-processor_execution-role_policy_3DE309A7";
  type Document = {
    change: { after: { statement: Record<string, unknown>[] }; after_unknown: Record<string, unknown> };
  };
  type Config = { address: string; expressions: { statement: Record<string, { constant_value: unknown }>[] } };
  const ordersProd = () => {
    const input = structuredClone(plan("orders-prod")) as {
      resource_changes: ({ address: string } & Document)[];
      configuration: { root_module: { resources: Config[] } };
    };
    return {
      input,
      document: input.resource_changes.find((change) => change.address === PERMISSIONS)!,
      config: input.configuration.root_module.resources.find((resource) => resource.address === PERMISSIONS)!,
    };
  };
  const blocking = (input: unknown) =>
    checkPlan(input)
      .filter((finding) => finding.rule === "iam-wildcard")
      .map((finding) => finding.message);

  it("passes as synthesized: the log streams of its own log group are not a wildcard", () => {
    expect(blocking(ordersProd().input)).toEqual([]);
  });

  it("reads the literal parts of a resource known only after apply from the JSON-syntax configuration", () => {
    const { input, config } = ordersProd();
    // ConsumeWorkQueue: "${aws_sqs_queue....arn}" becomes "${aws_sqs_queue....arn}*".
    const resources = config.expressions.statement[0]!.resources!;
    resources.constant_value = [`${(resources.constant_value as string[])[0]}*`];
    expect(blocking(input)).toEqual([
      expect.stringContaining('allows resource "${…}*" (for "sqs:ChangeMessageVisibility"'),
    ]);
  });

  it("blocks an unknown Effect, an unknown action and a hidden resource list", () => {
    const cases: ((document: Document, config: Config) => void)[] = [
      (document) => {
        document.change.after_unknown.statement = [{ effect: true }];
        document.change.after.statement[0]!.effect = null;
      },
      (document, config) => {
        // Planned unknown, and configured as an expression the plan does not show (HCL, a function).
        document.change.after_unknown.statement = [{ actions: [true] }];
        config.expressions.statement[0]!.actions = { references: ["var.actions"] } as never;
      },
      (document, config) => {
        document.change.after_unknown.statement = [{ resources: true }];
        config.expressions.statement[0]!.resources = { references: ["var.arns"] } as never;
      },
    ];
    const expected = [
      "Effect missing or known only after apply",
      "action (known after apply) known only after apply",
      "resource the plan does not show",
    ];
    cases.forEach((edit, index) => {
      const { input, document, config } = ordersProd();
      edit(document, config);
      const found = blocking(input);
      expect(found, expected[index]).toHaveLength(1);
      expect(found[0]).toContain(expected[index]);
      expect(found[0]).toContain(ROLE_POLICY);
    });
  });

  it("passes a Deny whatever it names", () => {
    const { input, document, config } = ordersProd();
    config.expressions.statement.push({
      sid: { constant_value: "DenyAll" },
      effect: { constant_value: "Deny" },
      actions: { constant_value: ["*"] },
      resources: { constant_value: ["*"] },
    });
    document.change.after.statement.push({
      sid: "DenyAll",
      effect: "Deny",
      actions: ["*"],
      not_actions: null,
      resources: ["*"],
      not_resources: null,
      condition: [],
    });
    expect(blocking(input)).toEqual([]);
  });
});

describe("iam-wildcard on iam-wildcard-hidden: expressions with more in them than a document or a policy ARN (real terraform plan)", () => {
  const findings = iamFindings(plan("iam-wildcard-hidden"));
  const only = (address: string) => {
    const found = findings.filter((finding) => finding.address === address);
    expect(
      found.map((finding) => [finding.rule, finding.severity]),
      address,
    ).toEqual([["iam-wildcard", "blocking"]]);
    return found[0]!.message;
  };

  const UNREADABLE: readonly [address: string, what: string, refersTo: string][] = [
    [
      "aws_iam_role_policy.document_or_variable",
      "a condition that may pick a variable over the document (HCL)",
      "var.override_policy, data.aws_iam_policy_document.send.json",
    ],
    [
      "aws_iam_role_policy.document_edited_by_variable",
      "replace() of the document with a variable (HCL)",
      "data.aws_iam_policy_document.send.json, var.override_policy",
    ],
    [
      "aws_iam_role_policy.document_merged_with_queue_policy",
      "coalesce() of another resource's policy and the document (HCL)",
      "aws_sqs_queue.work.policy, data.aws_iam_policy_document.send.json",
    ],
    [
      "aws_iam_role_policy.template_document_replaced",
      'replace() of the document with constants (JSON syntax shows the call: "${replace(...)}")',
      "data.aws_iam_policy_document.send.json",
    ],
    [
      "aws_iam_role_policy.template_document_other_attribute",
      "another attribute of the document (minified_json)",
      "data.aws_iam_policy_document.send.minified_json",
    ],
    [
      "module.grants_variable.aws_iam_role_policy.passed",
      "a module variable whose caller passes a condition on a variable",
      "var.policy_json",
    ],
    [
      "aws_iam_role_policy.merged_with_variable",
      "a document that merges a variable into source_policy_documents",
      "data.aws_iam_policy_document.send.json, var.override_policy",
    ],
  ];
  for (const [address, what, refersTo] of UNREADABLE) {
    it(`blocks a policy of ${what} as one the plan cannot show (${address})`, () => {
      const message = only(address);
      expect(message).toContain("the plan cannot show what it grants");
      expect(message).toContain(`(it refers to ${refersTo})`);
    });
  }

  const ATTACHED: readonly [address: string, what: string, words: string][] = [
    [
      "aws_iam_role_policy_attachment.coalesce_variable",
      "coalesce() of a variable and a policy's ARN",
      "a policy known only after apply (it refers to var.override_arn, aws_iam_policy.exact.arn)",
    ],
    [
      "aws_iam_role_policy_attachment.through_local",
      "a local holding a policy's ARN",
      "(it refers to local.policy_arn)",
    ],
    [
      "aws_iam_role_policy_attachment.template_other_attribute",
      "another attribute of a policy of the plan (JSON syntax)",
      "(it refers to aws_iam_policy.exact.policy_id)",
    ],
    [
      "module.grants_variable.aws_iam_role_policy_attachment.passed",
      "a module variable whose caller passes coalesce() of a variable and a policy's ARN",
      "(it refers to var.policy_arn)",
    ],
    [
      "aws_iam_role_policy_attachment.managed_named_like_own",
      "the AWS managed AdministratorAccess beside a policy of the plan named AdministratorAccess",
      '"arn:aws:iam::aws:policy/AdministratorAccess"',
    ],
    [
      "aws_iam_role.managed_admin",
      "an AWS managed policy in a role's managed_policy_arns",
      '"arn:aws:iam::aws:policy/AdministratorAccess" (managed_policy_arns)',
    ],
    [
      "aws_iam_role.managed_from_variable",
      "a role's managed_policy_arns from a variable",
      '"arn:aws:iam::aws:policy/PowerUserAccess" (managed_policy_arns)',
    ],
    [
      "aws_iam_role.managed_mixed",
      "a role's managed_policy_arns known only after apply, whose constant element HCL does not show",
      "(it refers to aws_iam_policy.exact.arn) (managed_policy_arns)",
    ],
    [
      "aws_iam_role_policy_attachments_exclusive.admin",
      "an exclusive attachment of an AWS managed policy",
      '"arn:aws:iam::aws:policy/AdministratorAccess" (policy_arns)',
    ],
    [
      "aws_iam_role_policy_attachments_exclusive.own_and_managed",
      "an exclusive attachment of a policy of the plan and a managed one (HCL)",
      '"arn:aws:iam::aws:policy/ReadOnlyAccess" (policy_arns)',
    ],
    [
      "aws_iam_role_policy_attachments_exclusive.template_own_and_managed",
      "an exclusive attachment of a policy of the plan and a managed one (JSON syntax)",
      '"arn:aws:iam::aws:policy/AdministratorAccess" (policy_arns)',
    ],
    [
      "aws_iam_user_policy_attachments_exclusive.user_admin",
      "a user's exclusive attachment of an AWS managed policy",
      '"arn:aws:iam::aws:policy/AdministratorAccess" (policy_arns)',
    ],
  ];
  for (const [address, what, words] of ATTACHED) {
    it(`blocks ${what} as an attachment the plan does not show (${address})`, () => {
      const message = only(address);
      expect(message).toContain(`${address} attaches `);
      expect(message).toContain(words);
      expect(message).toContain("a policy the plan does not show");
    });
  }

  it("passes exactly a document's json, and exactly a policy of the plan attached every way", () => {
    for (const address of [
      "aws_iam_role_policy.document_exact",
      "aws_iam_role_policy.template_document_exact",
      "aws_iam_role_policy_attachment.exact",
      "aws_iam_role_policy_attachment.template_exact",
      "aws_iam_role_policy_attachments_exclusive.own",
      "aws_iam_group_policy_attachments_exclusive.group_own",
      "aws_iam_role.template_managed_own",
      "aws_iam_role.managed_empty",
      "aws_iam_role.processor",
      // Through a module variable whose caller passes exactly the document, or the policy's ARN
      "module.grants_exact.aws_iam_role_policy.passed",
      "module.grants_exact.aws_iam_role_policy_attachment.passed",
      // A module output that is exactly a document's json
      "aws_iam_role_policy.module_output",
    ]) {
      expect(addresses("iam-wildcard-hidden").has(address), address).toBe(true);
      expect(
        findings.filter((finding) => finding.address === address),
        address,
      ).toEqual([]);
    }
  });

  it("reports nothing else", () => {
    const expected = new Set([...UNREADABLE, ...ATTACHED].map(([address]) => address));
    expect(findings.filter((finding) => !expected.has(finding.address))).toEqual([]);
  });
});

describe("iam-wildcard on iam-wildcard-log-streams: a function's own log streams, decided from the plan (real terraform plan)", () => {
  const findings = iamFindings(plan("iam-wildcard-log-streams"));
  const blocked = (address: string) => findings.filter((finding) => finding.address === address);

  it("passes the two write actions on the streams of one log group: referenced, known by its (stand-in) ARN, named, per instance", () => {
    for (const address of [
      // "${aws_cloudwatch_log_group.own.arn}:log-stream:*", the ARN known only after apply
      "aws_iam_role_policy.own_group",
      // The log group exists with the ARN the review's state gave it (a stand-in of another shape):
      // the document is read at plan with that ARN, and it is the ARN of a log group of the plan.
      "aws_iam_role_policy.existing_group",
      // A known ARN of one named log group
      "aws_iam_role_policy.named_group",
      // "${aws_cloudwatch_log_group.each[each.key].arn}:log-stream:*" in a document per instance
      'aws_iam_role_policy.each_group["fast"]',
      'aws_iam_role_policy.each_group["slow"]',
    ]) {
      expect(addresses("iam-wildcard-log-streams").has(address), address).toBe(true);
      expect(blocked(address), address).toEqual([]);
    }
  });

  const BLOCKED: readonly [address: string, what: string, resource: string][] = [
    ["aws_iam_role_policy.queue_streams", "a queue's ARN (a reference to no log group)", '"${…}:log-stream:*"'],
    [
      "aws_iam_role_policy.existing_queue_streams",
      "a known queue ARN",
      '"arn:aws:sqs:us-east-1:123456789012:streams-existing:log-stream:*"',
    ],
    [
      "aws_iam_role_policy.group_name_streams",
      "a log group's name, not its ARN",
      '"/aws/lambda/streams-own:log-stream:*"',
    ],
    ["aws_iam_role_policy.local_group", "a local (the plan does not show what it holds)", '"${…}:log-stream:*"'],
    ["aws_iam_role_policy.function_of_group", "replace() of a log group's ARN", '"${…}:log-stream:*"'],
    ["aws_iam_role_policy.suffixed_group", "a wildcard after a log group's ARN", '"${…}-*:log-stream:*"'],
    [
      "aws_iam_role_policy.wildcard_group",
      "a wildcard in the log group's name",
      '"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*:log-stream:*"',
    ],
    ["aws_iam_role_policy.extra_action", "a third action beside the two", '"logs:GetLogEvents"'],
  ];
  for (const [address, what, resource] of BLOCKED) {
    it(`blocks log streams of ${what} (${address})`, () => {
      const found = blocked(address);
      expect(found.map((finding) => [finding.rule, finding.severity])).toEqual([["iam-wildcard", "blocking"]]);
      expect(found[0]!.message).toContain(resource);
      expect(found[0]!.message).toContain('statement "WriteOwnLogs"');
    });
  }

  it("reports nothing else", () => {
    const expected = new Set(BLOCKED.map(([address]) => address));
    expect(findings.filter((finding) => !expected.has(finding.address))).toEqual([]);
  });
});

describe("iam-wildcard on iam-wildcard-inline-dynamic: what a plan shows of a role's inline policies (real terraform plan)", () => {
  const input = plan("iam-wildcard-inline-dynamic") as {
    resource_changes: { address: string; change: { actions: string[]; after_unknown: Record<string, unknown> } }[];
  };
  const findings = iamFindings(input);
  const change = (address: string) => input.resource_changes.find((candidate) => candidate.address === address)!;

  it("blocks the wildcard of a dynamic block over a known collection, whose blocks the plan shows", () => {
    expect(findings.map((finding) => [finding.rule, finding.address])).toEqual([
      ["iam-wildcard", "aws_iam_role.dynamic_known"],
    ]);
    expect(findings[0]!.message).toContain('action "*" and resource "*"');
  });

  it("cannot see a dynamic block over a value known only after apply (the plan's limit, in the README): a new role's inline_policy is unknown as without one, an existing role is \"no-op\" with its state's blocks", () => {
    expect(change("aws_iam_role.dynamic_new").change.after_unknown.inline_policy).toBe(true);
    expect(change("aws_iam_role.dynamic_existing").change.actions).toEqual(["no-op"]);
    expect(change("aws_iam_role.none_existing").change.actions).toEqual(["no-op"]);
  });
});
