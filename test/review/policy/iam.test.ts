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
