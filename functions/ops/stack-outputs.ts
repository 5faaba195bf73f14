import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { OpsInputError } from "./ops-error.js";

const run = promisify(execFile);

/** A stack's outputs by name; a value the synthesized stack leaves to Terraform is undefined. */
export type StackOutputs = Readonly<Record<string, unknown>>;

/** The parts of cdktf's Terraform JSON the operations command reads. */
export interface SynthesizedStackJson {
  readonly output?: Readonly<Record<string, { readonly value?: unknown }>>;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly provider?: { readonly aws?: readonly { readonly region?: string }[] };
}

/** `cdktf.out/stacks/<env>`, or a clear error listing the environments that are synthesized. */
export function stackFolder(outdir: string, environment: string): string {
  const stacks = path.resolve(outdir, "stacks");
  const folder = path.join(stacks, environment);
  if (!/^[A-Za-z0-9_-]+$/.test(environment) || !existsSync(path.join(folder, "cdk.tf.json"))) {
    const known = existsSync(stacks)
      ? readdirSync(stacks)
          .filter((name) => existsSync(path.join(stacks, name, "cdk.tf.json")))
          .sort()
      : [];
    throw new OpsInputError(
      `unknown environment ${JSON.stringify(environment)}: no synthesized stack at ${folder} ` +
        `(synthesized: ${known.length > 0 ? known.join(", ") : "none; run `npm run synth` first"})`,
    );
  }
  return folder;
}

export function readSynthesizedJson(folder: string): SynthesizedStackJson {
  const file = path.join(folder, "cdk.tf.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SynthesizedStackJson;
  } catch (error) {
    throw new OpsInputError(`cannot read the synthesized stack ${file}: ${(error as Error).message}`);
  }
}

/**
 * The outputs of a deployed stack: `terraform output -json` in its folder. A stack never applied has
 * none, which is an input error: there is nothing deployed to operate on.
 */
export async function deployedOutputs(folder: string): Promise<StackOutputs> {
  let stdout: string;
  try {
    ({ stdout } = await run("terraform", ["output", "-json", "-no-color"], {
      cwd: folder,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    // Terraform's own one-line summary ("Error: Backend initialization required, ..."), not its box of advice.
    const summary = /Error: (.*)/.exec(stderr)?.[1] ?? (error as Error).message;
    throw new OpsInputError(
      `\`terraform output -json\` failed in ${folder}: ${summary.trim().slice(0, 300)} ` +
        "(is the stack deployed from this folder? for a local run, pass --endpoint-url)",
    );
  }
  const parsed = JSON.parse(stdout) as Record<string, { value?: unknown }>;
  const outputs = Object.fromEntries(Object.entries(parsed).map(([name, output]) => [name, output.value]));
  if (Object.keys(outputs).length === 0) {
    throw new OpsInputError(
      `the stack in ${folder} has no outputs: it is not deployed (for a local run, pass --endpoint-url)`,
    );
  }
  return outputs;
}

/**
 * The outputs as the synthesized stack defines them, for a local run where Terraform never ran:
 * literals as they are, and a reference to an attribute the stack spells out (a queue's `name`, an
 * alarm's `alarm_name`) replaced by it. What only AWS knows (URLs, ARNs) stays undefined.
 */
export function synthesizedOutputs(json: SynthesizedStackJson): StackOutputs {
  return Object.fromEntries(
    Object.entries(json.output ?? {}).map(([name, output]) => [name, resolveReferences(output.value, json)]),
  );
}

function resolveReferences(value: unknown, json: SynthesizedStackJson): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, json));
  if (typeof value !== "string") return value;
  const reference = parseReference(value);
  if (reference === undefined) return value.includes("${") ? undefined : value;
  const attribute = json.resource?.[reference.type]?.[reference.name]?.[reference.attribute];
  return typeof attribute === "string" ? attribute : undefined;
}

/** `${aws_sqs_queue.q.name}` as its parts; anything else (an expression, a literal) is undefined. */
export function parseReference(value: unknown): { type: string; name: string; attribute: string } | undefined {
  const match = typeof value === "string" ? /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}$/.exec(value) : null;
  return match?.[1] && match[2] && match[3] ? { type: match[1], name: match[2], attribute: match[3] } : undefined;
}
