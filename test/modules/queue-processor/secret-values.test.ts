import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import type { QueueProcessorProps } from "../../../modules/index.js";
import { checkQueueProcessorProps, QueueProcessorConfigError, synthesizeApp } from "../../../modules/index.js";
import { QueueProcessor } from "../../../modules/queue-processor/construct.js";
import { PLACEHOLDER_ENTRY } from "../../support/synth.js";
import { tempDir } from "../../support/temp-dirs.js";

// Built at run time so that no scanner mistakes these test values for leaked credentials.
const ACCESS_KEY_ID = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
const SESSION_KEY_ID = ["ASIA", "Y34FZKBOKMUTVV7A"].join("");
const STRIPE_KEY = ["sk_live_", "4eC39HqLyjWDarjtT1zdp7dc"].join("");
const GITHUB_TOKEN = ["ghp_", "x".repeat(36)].join("");
const SLACK_TOKEN = ["xoxb-", "1234567890-abcdefghij"].join("");
const PEM = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEow...", "-----END RSA PRIVATE KEY-----"].join("\n");

const ADVICE =
  "environment variables are plain text in the function's configuration, the Terraform plan and the state. Keep the secret in AWS Secrets Manager or SSM Parameter Store (SecureString), pass its name or ARN, and let the function read it";

function warningsFor(environment: Record<string, string>) {
  const props: QueueProcessorProps = { name: "orders", handler: { entry: PLACEHOLDER_ENTRY, environment } };
  return checkQueueProcessorProps(props).warnings.filter((warning) => warning.code === "environment-secret-looking");
}

describe("secret-looking environment variables", () => {
  it.each([
    ["an AWS access key id", "KEY_ID", ACCESS_KEY_ID, "looks like an AWS access key id (AKIA... (20 characters))"],
    [
      "a temporary access key id inside a longer value",
      "UPSTREAM",
      `id=${SESSION_KEY_ID};region=eu`,
      "looks like an AWS access key id (ASIA... (33 characters))",
    ],
    ["a Stripe live key", "PAYMENTS", STRIPE_KEY, "looks like a Stripe live key (sk_live_... (32 characters))"],
    ["a GitHub token", "CI", GITHUB_TOKEN, "looks like a GitHub token (ghp_... (40 characters))"],
    ["a Slack token", "CHAT", SLACK_TOKEN, "looks like a Slack token (xoxb-... (26 characters))"],
    [
      "a PEM private key",
      "SIGNING",
      PEM,
      "looks like a private key (-----BEGIN RSA PRIVATE KEY-----... (71 characters))",
    ],
    ["a *_PASSWORD", "DB_PASSWORD", "hunter2hunter2", "is named like a secret (a value of 14 characters)"],
    ["a *_SECRET in lower case", "client_secret", "abc", "is named like a secret (a value of 3 characters)"],
    ["a *_TOKEN", "GITHUB_TOKEN", "not-a-real-one", "is named like a secret (a value of 14 characters)"],
    ["a *_API_KEY", "STRIPE_API_KEY", "k-9f8e7d6c", "is named like a secret (a value of 10 characters)"],
    ["a bare PASSWORD", "PASSWORD", "correct-horse", "is named like a secret (a value of 13 characters)"],
    ["a one-character secret", "PIN_SECRET", "7", "is named like a secret (a value of 1 character)"],
  ])(
    "warns about %s, pointing to Secrets Manager and SSM, without printing the value",
    (_title, name, value, reason) => {
      const warnings = warningsFor({ [name]: value });
      expect(warnings.map((warning) => warning.message)).toEqual([`handler.environment.${name} ${reason}: ${ADVICE}`]);
      expect(warnings[0]!.path).toBe(`handler.environment.${name}`);
      expect(warnings[0]!.message).not.toContain(value);
    },
  );

  it("warns about a reference under a secret's name: it is plain text in the configuration all the same", () => {
    const reference = new TerraformVariable(new TerraformStack(new App(), "s"), "v", { type: "string" }).stringValue;
    expect(warningsFor({ DB_PASSWORD: reference })[0]!.message).toContain(
      "is named like a secret (a reference to another resource's attribute)",
    );
  });

  it.each([
    ["an ordinary variable", "LOG_LEVEL", "DEBUG"],
    ["a name that only starts like a secret's", "TOKEN_BUCKET_SIZE", "100"],
    ["a name that only contains one", "PASSWORD_MIN_LENGTH", "12"],
    ["an SSM parameter name under a secret's name", "DB_PASSWORD", "/orders/prod/db-password"],
    [
      "a Secrets Manager ARN under a secret's name",
      "API_TOKEN",
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-AbCdEf",
    ],
    ["an empty value under a secret's name", "DB_PASSWORD", ""],
    ["a key id too short to be one", "KEY", "AKIA1234"],
    ["a key id inside a longer word", "KEY", `X${ACCESS_KEY_ID}9`],
    ["a test-mode Stripe key", "PAYMENTS", "sk_test_4eC39HqLyjWDarjtT1zdp7dc"],
    ["a public key", "VERIFYING", "-----BEGIN PUBLIC KEY-----"],
  ])("does not warn about %s", (_title, name, value) => {
    expect(warningsFor({ [name]: value })).toEqual([]);
  });

  it("keeps the value out of an error about the same variable too", () => {
    let thrown: unknown;
    try {
      checkQueueProcessorProps({
        name: "orders",
        handler: { entry: PLACEHOLDER_ENTRY, environment: { DB_PASSWORD: "pa${ss}word" } },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(QueueProcessorConfigError);
    expect((thrown as Error).message).toContain("(got a value of 11 characters)");
    expect((thrown as Error).message).not.toContain("pa${ss}word");
  });

  it("is printed by synthesizeApp as a warning, and the synth goes on", () => {
    const lines: string[] = [];
    process.env.CDKTF_OUTDIR = tempDir("secret-synth");
    let exitCode: number;
    try {
      exitCode = synthesizeApp(
        (app) => {
          const stack = new TerraformStack(app, "secrets");
          new AwsProvider(stack, "aws", { region: "us-east-1" });
          new QueueProcessor(stack, "orders", {
            name: "orders",
            handler: { entry: PLACEHOLDER_ENTRY, environment: { PAYMENTS: STRIPE_KEY } },
          });
        },
        (line) => lines.push(line),
      );
    } finally {
      delete process.env.CDKTF_OUTDIR;
    }
    expect(exitCode).toBe(0);
    expect(lines).toEqual([
      `warning [secrets/orders] [environment-secret-looking] handler.environment.PAYMENTS looks like a Stripe live key (sk_live_... (32 characters)): ${ADVICE}`,
    ]);
    expect(lines.join("\n")).not.toContain(STRIPE_KEY);
  });
});
