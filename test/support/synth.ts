import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { App, TerraformStack } from "cdktf";
import type { QueueProcessorProps } from "../../modules/index.js";
import { QueueProcessor } from "../../modules/index.js";
import { tempDir } from "./temp-dirs.js";

// biome-ignore lint/suspicious/noExplicitAny: synthesized Terraform JSON, read freely by the assertions
type JsonValue = any;

export const PLACEHOLDER_ENTRY = "functions/order-processor/handler.ts";

/** A synthesized Terraform JSON document, with helpers to find what a test asserts on. */
export class SynthesizedStack {
  constructor(
    readonly json: TerraformJson,
    readonly outdir: string,
    readonly stackDir: string,
  ) {}

  /** All resources of a type, by logical id. */
  resources(type: string): Record<string, Record<string, JsonValue>> {
    return this.json.resource?.[type] ?? {};
  }

  /** The one resource of a type; fails when there are none or several. */
  only(type: string): Record<string, JsonValue> {
    const all = Object.values(this.resources(type));
    if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
    return all[0]!;
  }

  /** The resource a `${type.id.attr}` reference points at. */
  referenced(reference: string): Record<string, JsonValue> {
    const match = /^\$\{(?:data\.)?([a-z0-9_]+)\.([^.]+)\.[a-z_]+\}/.exec(reference);
    if (!match) throw new Error(`not a reference: ${reference}`);
    const isData = reference.startsWith("${data.");
    const table = isData ? this.json.data?.[match[1]!] : this.json.resource?.[match[1]!];
    const found = table?.[match[2]!];
    if (!found) throw new Error(`dangling reference: ${reference}`);
    return found;
  }

  /** Statements of the policy document that a `${data.aws_iam_policy_document.x.json}` names. */
  statements(documentReference: string): Statement[] {
    return this.referenced(documentReference).statement as Statement[];
  }

  /** `${type.id.attr}` for a resource, to compare references with. */
  ref(type: string, resource: Record<string, JsonValue>, attribute: string): string {
    const entry = Object.entries(this.resources(type)).find(([, value]) => value === resource);
    if (!entry) throw new Error(`resource not in ${type}`);
    return `\${${type}.${entry[0]}.${attribute}}`;
  }

  /** Resource count by type. */
  counts(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.json.resource ?? {}).map(([type, byId]) => [type, Object.keys(byId).length]),
    );
  }
}

export interface Statement {
  sid?: string;
  effect: string;
  actions: string[];
  resources: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, JsonValue>>>;
  data?: Record<string, Record<string, Record<string, JsonValue>>>;
  output?: Record<string, { value: string }>;
  provider?: Record<string, JsonValue>;
  terraform?: Record<string, JsonValue>;
}

/** A full synth (assets included) of one stack built by `build`, read back as JSON. */
function synthStack(build: (stack: TerraformStack) => void): SynthesizedStack {
  const outdir = tempDir("synth");
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  build(stack);
  app.synth();
  const stackDir = path.join(outdir, "stacks", "test");
  const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as TerraformJson;
  return new SynthesizedStack(json, outdir, stackDir);
}

/** A stack with one QueueProcessor; returns both. */
export function synthProcessor(
  props: Partial<QueueProcessorProps> = {},
  extend?: (processor: QueueProcessor) => void,
): { synth: SynthesizedStack; processor: QueueProcessor } {
  let processor!: QueueProcessor;
  const synth = synthStack((stack) => {
    processor = new QueueProcessor(stack, "orders", {
      name: "orders-test",
      handler: { entry: PLACEHOLDER_ENTRY },
      ...props,
    });
    extend?.(processor);
  });
  return { synth, processor };
}

/**
 * A stand-in for the archiver's code in a temporary folder, for the tests that synthesize archive mode
 * without depending on functions/runtime/archiver/: a handler that answers an empty partial batch response.
 */
export function archiverStubEntry(): string {
  const dir = tempDir("archiver-stub");
  const entry = path.join(dir, "handler.ts");
  writeFileSync(entry, "export const handler = async () => ({ batchItemFailures: [] });\n");
  return entry;
}
