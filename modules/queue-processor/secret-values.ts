import { literalText } from "./terraform-strings.js";

/** A well-known credential format: what it is, and the part of it that is public by convention. */
interface CredentialFormat {
  readonly kind: string;
  /** The first capture group is the format's public marker (e.g. `AKIA`), shown in the hint. */
  readonly pattern: RegExp;
}

const CREDENTIAL_FORMATS: readonly CredentialFormat[] = [
  { kind: "an AWS access key id", pattern: /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { kind: "a Stripe live key", pattern: /(?<![A-Za-z0-9])([spr]k_live_)[A-Za-z0-9]{8,}/ },
  { kind: "a GitHub token", pattern: /(?<![A-Za-z0-9])(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}/ },
  { kind: "a Slack token", pattern: /(?<![A-Za-z0-9])(xox[abposr]-)[A-Za-z0-9-]{8,}/ },
  { kind: "a private key", pattern: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)/ },
];

/** Variable names that say their value is a secret: `DB_PASSWORD`, `STRIPE_API_KEY`, `TOKEN`. */
const SECRET_NAME = /(?:^|_)(?:PASSWORD|PASSWD|SECRET|SECRET_KEY|PRIVATE_KEY|TOKEN|API_?KEY)$/i;

/**
 * Values that point at a secret store rather than hold a secret: an SSM parameter name or an ARN of
 * Secrets Manager or SSM. That is the advice, so they are no warning.
 */
const SECRET_STORE_POINTER = /^(?:\/[\w.\-/]+|arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):.*)$/;

/** A secret-looking environment variable, described without its value. */
export interface SecretLookingValue {
  /** Why it looks like a secret, e.g. `looks like an AWS access key id`. */
  readonly reason: string;
  /** A hint that tells the user which value is meant without showing it: `AKIA... (20 characters)`. */
  readonly maskedHint: string;
}

/** Whether a variable looks like it holds a secret, judged by its value and then by its name. */
export function secretLookingValue(name: string, value: string): SecretLookingValue | undefined {
  const text = literalText(value);
  for (const { kind, pattern } of CREDENTIAL_FORMATS) {
    const match = pattern.exec(text);
    if (match) return { reason: `looks like ${kind}`, maskedHint: maskedHint(value, match[1] ?? "") };
  }
  if (!SECRET_NAME.test(name) || value === "" || SECRET_STORE_POINTER.test(value)) return undefined;
  const hint = text === "" ? "a reference to another resource's attribute" : maskedHint(value, "");
  return { reason: "is named like a secret", maskedHint: hint };
}

function maskedHint(value: string, publicMarker: string): string {
  const length = `${value.length.toLocaleString("en-US")} character${value.length === 1 ? "" : "s"}`;
  return publicMarker ? `${publicMarker}... (${length})` : `a value of ${length}`;
}
