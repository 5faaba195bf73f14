import { Tokenization } from "cdktf";

/**
 * Terraform reads every string in `cdk.tf.json` (object keys included) as a template: `${...}` is
 * evaluated and `%{...}` is a directive, so a user's `${file("~/.aws/credentials")}` would run on the
 * machine that plans. `$${` and `%%{` are Terraform's escapes for a literal `${` and `%{`.
 * @see https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
 */
const LIVE_TEMPLATE_SEQUENCE = /(?<!\$)\$\{|(?<!%)%\{/;

/**
 * How cdktf writes a reference until synth resolves it (cdktf's own markers): `${TfToken[...]}` in a
 * string, `#{TfToken[...]}` as the one element of a list that stands for a whole list.
 */
const REFERENCE_MARKER = /[$#]\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** A piece of a string: text the user wrote, or a reference cdktf made (another resource's attribute). */
export interface StringPart {
  readonly text: string;
  readonly isReference: boolean;
}

/**
 * The string cut into the user's literal text and cdktf's references. A marker that cdktf did not
 * issue (typed by hand) is literal text, so it is judged like any other.
 */
export function stringParts(value: string): StringPart[] {
  const parts: StringPart[] = [];
  let start = 0;
  for (const match of value.matchAll(REFERENCE_MARKER)) {
    if (!isIssuedReference(match[0])) continue;
    if (match.index > start) parts.push({ text: value.slice(start, match.index), isReference: false });
    parts.push({ text: match[0], isReference: true });
    start = match.index + match[0].length;
  }
  if (start < value.length) parts.push({ text: value.slice(start), isReference: false });
  return parts;
}

/** The user's text of a string, with references left out: what a wildcard or ARN check reads. */
export function literalText(value: string): string {
  return stringParts(value)
    .filter((part) => !part.isReference)
    .map((part) => part.text)
    .join("");
}

/**
 * Why Terraform would not take the string literally, as the end of a sentence about it ("the value
 * holds ..."), or undefined when it would: a `${` or `%{` in the user's text, or a `$` right before a
 * reference (together they make `$${`, and the reference becomes literal text).
 */
export function templateProblem(value: string): string | undefined {
  const parts = stringParts(value);
  for (const [index, part] of parts.entries()) {
    if (part.isReference) continue;
    const live = LIVE_TEMPLATE_SEQUENCE.exec(part.text);
    if (live) return `holds "${live[0]}", which starts a template that Terraform would evaluate`;
    if (part.text.endsWith("$") && parts[index + 1]?.isReference) {
      return `has a "$" right before a reference, which makes "$\${" and leaves the reference unresolved`;
    }
  }
  return undefined;
}

function isIssuedReference(marker: string): boolean {
  try {
    return marker.startsWith("#")
      ? Tokenization.reverseList([marker]) !== undefined
      : Tokenization.reverseString(marker).tokens.length === 1;
  } catch {
    return false;
  }
}
