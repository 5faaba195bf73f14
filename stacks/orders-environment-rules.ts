import type { ConfigIssue } from "@queue-processor/construct";
import { describeValue } from "@queue-processor/construct";

/** What an orders environment's settings outside the construct must look like. */
const FORMATS = {
  /** It names the stack, the table `orders-<name>` and the default tag `environment`. */
  name: { pattern: /^[A-Za-z0-9_-]{1,40}$/, allowed: '1-40 characters of A-Z, a-z, 0-9, "-" or "_"' },
  region: { pattern: /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, allowed: "an AWS region like us-east-1" },
  /** S3's bucket naming rules, as far as a pattern can say them. */
  bucket: {
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    allowed: 'an S3 bucket name: 3-63 characters of a-z, 0-9, "." or "-"',
  },
} as const;

interface EnvironmentStrings {
  readonly name: unknown;
  readonly region: unknown;
  readonly stateBackend?: { readonly bucket: unknown; readonly region?: unknown };
}

/**
 * The strings of an orders environment that the stack writes into `cdk.tf.json` itself (the
 * processor's props are the construct's to check). Each has a strict format, so none can carry a
 * Terraform template, and a wrong bucket from `QP_STATE_BUCKET_<ENV>` fails the synth, not the init.
 */
export function ordersEnvironmentIssues(environment: EnvironmentStrings): ConfigIssue[] {
  const checks: [string, unknown, keyof typeof FORMATS][] = [
    ["name", environment.name, "name"],
    ["region", environment.region, "region"],
  ];
  if (environment.stateBackend !== undefined) {
    checks.push(["stateBackend.bucket", environment.stateBackend.bucket, "bucket"]);
    if (environment.stateBackend.region !== undefined) {
      checks.push(["stateBackend.region", environment.stateBackend.region, "region"]);
    }
  }
  return checks.flatMap(([path, value, format]) => {
    const { pattern, allowed } = FORMATS[format];
    if (typeof value === "string" && pattern.test(value)) return [];
    return [
      { code: "orders-environment-invalid", path, message: `${path} must be ${allowed} (got ${describeValue(value)})` },
    ];
  });
}
