import { App, TerraformStack, TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { QueueProcessorConfigError } from "../../../modules/index.js";
import { checkStatement } from "../../../modules/queue-processor/validation/statement-rules.js";
import { type Statement, synthProcessor } from "../../support/synth.js";

const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

/** A reference as cdktf hands it to the construct: `${TfToken[...]}` until synth resolves it. */
function reference(): string {
  const stack = new TerraformStack(new App(), "references");
  return new TerraformVariable(stack, "arn", { type: "string" }).stringValue;
}

function codesOf(statement: unknown): string[] {
  return checkStatement(statement, []).errors.map((issue) => issue.code);
}

function messagesOf(statement: unknown): string[] {
  return checkStatement(statement, []).errors.map((issue) => issue.message);
}

/** What addToRolePolicy throws for a statement, after the construct's own statements. */
function thrownBy(statement: unknown): unknown {
  let thrown: unknown;
  synthProcessor({}, (processor) => {
    try {
      processor.addToRolePolicy(statement as never);
    } catch (error) {
      thrown = error;
    }
  });
  return thrown;
}

describe("addToRolePolicy", () => {
  describe("wildcards", () => {
    it.each([
      ["a service wildcard", "dynamodb:*"],
      ["a wildcard inside an action", "s3:Get*Object"],
      ["a single-character wildcard", "iam:?assRole"],
      ["the bare '*'", "*"],
    ])("refuses %s in an action", (_title, action) => {
      expect(codesOf({ sid: "Grant", actions: [action], resources: [TABLE] })).toEqual(["policy-action-wildcard"]);
    });

    it.each([
      ["the bare '*'", "*"],
      ["wildcards for region and account", "arn:aws:dynamodb:*:*:table/*"],
      ["a trailing wildcard", `${TABLE}*`],
      ["a single-character wildcard", "arn:aws:s3:::reports/?ey"],
      ["a wildcard after a reference", () => `${reference()}/index/*`],
    ])("refuses %s in a resource", (_title, resource) => {
      const value = typeof resource === "function" ? resource() : resource;
      expect(codesOf({ sid: "Grant", actions: ["dynamodb:Query"], resources: [value] })).toEqual([
        "policy-resource-wildcard",
      ]);
    });

    it("names the wildcard and says how to state a deliberate one", () => {
      expect(
        messagesOf({ sid: "Grant", actions: ["dynamodb:GetItem"], resources: ["arn:aws:dynamodb:*:*:table/*"] }),
      ).toEqual([
        'addToRolePolicy: resources must name exact ARNs; "*" and "?" are wildcards, allowed only as the resource "*" of actions that support no resource-level permissions (xray:PutTelemetryRecords, xray:PutTraceSegments) or with a DeliberateWildcard... sid and a wildcardReason (got "arn:aws:dynamodb:*:*:table/*")',
      ]);
    });

    it("allows the resource '*' for X-Ray's actions only, and no partial wildcard even for them", () => {
      const xray = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
      expect(codesOf({ sid: "Traces", actions: xray, resources: ["*"] })).toEqual([]);
      expect(codesOf({ sid: "Traces", actions: [...xray, "s3:GetObject"], resources: ["*"] })).toEqual([
        "policy-resource-wildcard",
      ]);
      expect(codesOf({ sid: "Traces", actions: xray, resources: ["arn:aws:xray:*:123456789012:*"] })).toEqual([
        "policy-resource-wildcard",
      ]);
    });

    it("accepts a list reference as the resources, as cdktf hands over a list attribute", () => {
      const stack = new TerraformStack(new App(), "lists");
      const arns = new TerraformVariable(stack, "arns", { type: "list(string)" }).listValue;
      expect(codesOf({ sid: "Grant", actions: ["s3:GetObject"], resources: arns })).toEqual([]);
      expect(codesOf({ sid: "Grant", actions: ["s3:GetObject"], resources: ["#{TfToken[TOKEN.987654]}"] })).toEqual([
        "policy-resource-invalid",
      ]);
    });

    it("accepts exact ARNs, references, and IAM policy variables written so that Terraform leaves them alone", () => {
      for (const resource of [
        TABLE,
        reference(),
        `${reference()}/index/by-customer`,
        "arn:aws:s3:::reports/&{aws:username}",
        "arn:aws:s3:::reports/$${aws:username}",
      ]) {
        expect(codesOf({ sid: "Grant", actions: ["s3:GetObject"], resources: [resource] }), resource).toEqual([]);
      }
    });
  });

  describe("a deliberate wildcard", () => {
    const inventory = {
      sid: "DeliberateWildcardS3Inventory",
      actions: ["s3:PutObject"],
      resources: ["arn:aws:s3:::inventory-reports/*"],
      wildcardReason: "S3 Inventory chooses the object keys",
    };

    it("is accepted with a DeliberateWildcard sid and a reason, and warned about by sid and reason", () => {
      const { errors, warnings } = checkStatement(inventory, []);
      expect(errors).toEqual([]);
      expect(warnings).toEqual([
        {
          code: "policy-wildcard-exception",
          path: "addToRolePolicy",
          message:
            'addToRolePolicy: statement "DeliberateWildcardS3Inventory" grants wildcards on purpose ("arn:aws:s3:::inventory-reports/*"); reason: "S3 Inventory chooses the object keys"',
        },
      ]);
    });

    it("covers wildcards in actions and the resource '*' too", () => {
      const statement = { ...inventory, actions: ["s3:Put*", "s3:?etObject"], resources: ["*"] };
      expect(checkStatement(statement, []).errors).toEqual([]);
    });

    it.each([
      [
        "the sid without a reason",
        { ...inventory, wildcardReason: undefined },
        /wildcardReason must say why \(got undefined\)/,
      ],
      [
        "the sid with an empty reason",
        { ...inventory, wildcardReason: "" },
        /wildcardReason must be a non-empty string/,
      ],
      [
        "the sid with a blank reason",
        { ...inventory, wildcardReason: "  \n" },
        /wildcardReason must be a non-empty string/,
      ],
      ["the sid with a reason that is no string", { ...inventory, wildcardReason: 5 }, /\(got 5\)/],
      [
        "a reason without the sid",
        { ...inventory, sid: "S3Inventory" },
        /sid must start with "DeliberateWildcard" \(got "S3Inventory"\)/,
      ],
      ["a reason with the sid in another case", { ...inventory, sid: "deliberateWildcardS3" }, /sid must start with/],
    ])("is refused with %s, and so are its wildcards", (_title, statement, message) => {
      const { errors, warnings } = checkStatement(statement, []);
      expect(errors.map((issue) => issue.code)).toEqual([
        "policy-wildcard-exception-incomplete",
        "policy-resource-wildcard",
      ]);
      expect(errors[0]!.message).toMatch(message);
      expect(warnings).toEqual([]);
    });

    it("still needs well-formed actions and resources with no Terraform template", () => {
      expect(codesOf({ ...inventory, actions: ["s3 PutObject"] })).toEqual(["policy-action-invalid"]);
      expect(codesOf({ ...inventory, resources: ['arn:aws:s3:::${lower("X")}/*'] })).toEqual([
        "terraform-template-in-value",
      ]);
      expect(codesOf({ ...inventory, notResources: [TABLE] })).toEqual(["policy-not-action"]);
    });
  });

  describe("the statement's shape", () => {
    it.each([
      ["notActions", { notActions: ["s3:DeleteObject"] }],
      ["notResources", { notResources: [TABLE] }],
      ["NotAction, as IAM spells it", { NotAction: "s3:DeleteObject" }],
      ["not_resources, as Terraform spells it", { not_resources: [TABLE] }],
    ])("refuses %s: on an Allow it grants everything but what it names", (_title, extra) => {
      const errors = checkStatement(
        { sid: "Grant", actions: ["s3:GetObject"], resources: [TABLE], ...extra },
        [],
      ).errors;
      expect(errors.map((issue) => issue.code)).toEqual(["policy-not-action"]);
      expect(errors[0]!.message).toContain("on an Allow it grants everything except what it names");
    });

    it("refuses an unknown key, suggesting the one meant, and any effect: statements are Allow", () => {
      expect(messagesOf({ sid: "Grant", actions: ["s3:GetObject"], resource: [TABLE] })).toEqual([
        "addToRolePolicy: resource is not a known property of a statement (allowed: sid, actions, resources, wildcardReason; statements are always Allow); did you mean resources?",
        'addToRolePolicy: resources must be an array of strings like ["arn:aws:dynamodb:...:table/orders"] (got undefined)',
      ]);
      expect(codesOf({ sid: "Grant", effect: "Deny", actions: ["s3:GetObject"], resources: [TABLE] })).toEqual([
        "policy-statement-unknown-property",
      ]);
    });

    it.each([
      ["null", null, "policy-statement-invalid", "(got null)"],
      ["a string", "s3:GetObject", "policy-statement-invalid", '(got "s3:GetObject")'],
      ["an array", [{ sid: "A" }], "policy-statement-invalid", '(got [{"sid":"A"}])'],
      [
        "actions as one string",
        { sid: "A", actions: "s3:GetObject", resources: [TABLE] },
        "policy-actions-invalid",
        '(got "s3:GetObject")',
      ],
      [
        "resources as a number",
        { sid: "A", actions: ["s3:GetObject"], resources: 5 },
        "policy-resources-invalid",
        "(got 5)",
      ],
      [
        "a resource that is a number",
        { sid: "A", actions: ["s3:GetObject"], resources: [TABLE, 5] },
        "policy-resources-invalid",
        "(got 5)",
      ],
      [
        "an action that is null",
        { sid: "A", actions: [null], resources: [TABLE] },
        "policy-actions-invalid",
        "(got null)",
      ],
      ["no actions", { sid: "A", actions: [], resources: [TABLE] }, "policy-actions-empty", "(got [])"],
      [
        "a sid that is a number",
        { sid: 5, actions: ["s3:GetObject"], resources: [TABLE] },
        "policy-sid-invalid",
        "(got 5)",
      ],
      [
        "a sid that is NaN",
        { sid: Number.NaN, actions: ["s3:GetObject"], resources: [TABLE] },
        "policy-sid-invalid",
        "(got NaN)",
      ],
      [
        "a resource that is no ARN",
        { sid: "A", actions: ["s3:GetObject"], resources: ["orders-table"] },
        "policy-resource-invalid",
        '(got "orders-table")',
      ],
    ])("reports %s in the one error format", (_title, statement, code, shown) => {
      const errors = checkStatement(statement, []).errors;
      expect(errors.map((issue) => issue.code)).toEqual([code]);
      expect(errors[0]!.message).toMatch(/^addToRolePolicy: /);
      expect(errors[0]!.message.endsWith(shown)).toBe(true);
    });

    it("throws a QueueProcessorConfigError, never a raw TypeError, from the construct", () => {
      for (const statement of [null, undefined, { sid: "A", actions: "s3:GetObject", resources: 5 }, { sid: "A" }]) {
        const thrown = thrownBy(statement);
        expect(thrown, JSON.stringify(statement)).toBeInstanceOf(QueueProcessorConfigError);
      }
      const thrown = thrownBy({ sid: "ReadOrders", actions: "dynamodb:GetItem", resources: [TABLE, 5] });
      expect((thrown as QueueProcessorConfigError).codes).toEqual([
        "policy-actions-invalid",
        "policy-resources-invalid",
      ]);
      expect((thrown as Error).message).toContain(
        '[policy-actions-invalid] addToRolePolicy: actions must be an array of strings like ["dynamodb:PutItem"] (got "dynamodb:GetItem")',
      );
    });
  });

  describe("in the synthesized policy", () => {
    function statements(synth: ReturnType<typeof synthProcessor>["synth"]): Statement[] {
      return synth.statements(synth.only("aws_iam_role_policy").policy);
    }

    it("keeps a deliberate wildcard as given, warns at synth with its sid and reason, and leaves the reason out of IAM", () => {
      const { synth, processor } = synthProcessor({}, (created) =>
        created.addToRolePolicy({
          sid: "DeliberateWildcardReports",
          actions: ["s3:PutObject"],
          resources: ["arn:aws:s3:::reports/*"],
          wildcardReason: "report keys carry the date",
        }),
      );
      expect(statements(synth).at(-1)).toEqual({
        sid: "DeliberateWildcardReports",
        effect: "Allow",
        actions: ["s3:PutObject"],
        resources: ["arn:aws:s3:::reports/*"],
      });
      const warnings = processor.node.metadata
        .filter((entry) => entry.type === "@cdktf/warn")
        .map((entry) => entry.data);
      expect(warnings).toEqual([
        '[policy-wildcard-exception] addToRolePolicy: statement "DeliberateWildcardReports" grants wildcards on purpose ("arn:aws:s3:::reports/*"); reason: "report keys carry the date"',
      ]);
    });

    it("grants its own log group's streams (the wildcard the plan review accepts as AWS's), without a warning", () => {
      const { synth, processor } = synthProcessor();
      const logs = statements(synth).find((statement) => statement.actions.includes("logs:PutLogEvents"));
      expect(logs?.sid).toBe("WriteOwnLogs");
      expect(logs?.actions).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
      expect(logs?.resources).toHaveLength(1);
      expect(logs?.resources[0]).toMatch(/^\$\{aws_cloudwatch_log_group\.[A-Za-z0-9_-]+\.arn\}:log-stream:\*$/);
      expect(processor.node.metadata.filter((entry) => entry.type === "@cdktf/warn")).toEqual([]);
    });

    it("keeps the statement as it was when added, whatever the caller does to its arrays later", () => {
      const resources = [TABLE];
      const actions = ["dynamodb:GetItem"];
      const { synth } = synthProcessor({}, (created) => {
        created.addToRolePolicy({ sid: "ReadOrders", actions, resources });
        resources.push("*");
        actions.push("dynamodb:*");
      });
      expect(statements(synth).at(-1)).toMatchObject({ actions: ["dynamodb:GetItem"], resources: [TABLE] });
    });
  });
});
