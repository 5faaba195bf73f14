/**
 * Checks a Terraform plan JSON against the plan policy and prints the findings as a Markdown table.
 *
 *   terraform show -json plan.bin > plan.json
 *   node --import tsx review/policy/cli.ts plan.json [--environment prod]
 *
 * Exit codes (review/command.ts): 0 no blocking finding (advisory ones allowed), 1 at least one
 * blocking finding, 2 usage error, or a file that is unreadable, not JSON, too deeply nested or not a
 * plan, 3 an internal error.
 */
import { readFileSync, readSync, statSync } from "node:fs";
import { EXIT, InputError, runCommand } from "../command.js";
import { markdownCode, markdownText } from "../markdown.js";
import { PlanFormatError } from "../plan-json.js";
import { checkPlan } from "./check.js";
import { environmentNameError } from "./environments.js";
import type { Finding } from "./types.js";

const USAGE = "usage: node --import tsx review/policy/cli.ts <plan.json> [--environment <name>]";
/**
 * Larger files are refused before they are read: V8 cannot hold a string of 512 MiB, and a plan of
 * 10,000 resources is about 12 MiB.
 */
const MAX_PLAN_BYTES = 256 * 1024 * 1024;

function usage(message: string): InputError {
  return new InputError(`${message}\n${USAGE}`);
}

function parseArguments(args: readonly string[]): { file: string; environment: string | undefined } {
  const files: string[] = [];
  let environment: string | undefined;
  const rest = [...args];
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === "--environment" || arg === "-e") {
      const value = rest.shift();
      if (value === undefined || value.startsWith("-")) throw usage(`${arg} needs an environment name`);
      environment = value;
    } else if (arg.startsWith("--environment=")) {
      environment = arg.slice("--environment=".length);
      if (environment === "") throw usage("--environment needs an environment name");
    } else if (arg.startsWith("-") && arg !== "-") {
      throw usage(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  const [file, ...others] = files;
  if (file === undefined) throw usage("missing the plan JSON file");
  if (others.length > 0) throw usage(`expected one plan JSON file, got ${files.length}`);
  if (environment !== undefined) {
    const refused = environmentNameError("--environment", environment);
    if (refused) throw usage(refused);
  }
  return { file, environment };
}

/** The file's text; InputError naming the file and what is wrong with it. */
function readPlanText(file: string): string {
  if (file === "-") return readStandardInput();
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new InputError(`${file} is a directory; expected a plan JSON file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  if (size > MAX_PLAN_BYTES)
    throw new InputError(
      `${file} is ${size} bytes, more than the ${MAX_PLAN_BYTES} bytes (256 MiB) a plan JSON may have here`,
    );
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Standard input, up to the same size as a file; InputError past it or when it cannot be read. */
function readStandardInput(): string {
  const chunks: Buffer[] = [];
  const chunk = Buffer.alloc(1024 * 1024);
  let total = 0;
  for (;;) {
    let read: number;
    try {
      read = readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking stdin with nothing yet; EOF is how some platforms say a closed one.
      if (code === "EAGAIN") continue;
      if (code === "EOF") break;
      throw new InputError(`cannot read the plan from standard input: ${(error as Error).message}`);
    }
    if (read === 0) break;
    total += read;
    if (total > MAX_PLAN_BYTES) {
      throw new InputError(
        `standard input holds more than the ${MAX_PLAN_BYTES} bytes (256 MiB) a plan JSON may have here`,
      );
    }
    chunks.push(Buffer.from(chunk.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

function markdown(findings: readonly Finding[]): string {
  if (findings.length === 0) return "no findings";
  const blocking = findings.filter((finding) => finding.severity === "blocking").length;
  const rows = findings.map(
    (finding) =>
      `| ${finding.rule} | ${finding.severity} | ${markdownCode(finding.address)} | ${markdownText(finding.message)} |`,
  );
  return [
    "| rule | severity | address | message |",
    "|---|---|---|---|",
    ...rows,
    "",
    `${blocking} blocking, ${findings.length - blocking} advisory`,
  ].join("\n");
}

function main(args: readonly string[]): number {
  const options = parseArguments(args);
  const text = readPlanText(options.file);
  if (text.trim() === "")
    throw new InputError(`${options.file} is empty; expected the output of terraform show -json <planfile>`);
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `${options.file} is not JSON (${(error as Error).message}); expected the output of terraform show -json <planfile>`,
    );
  }
  let findings: Finding[];
  try {
    findings = checkPlan(plan, options.environment === undefined ? {} : { environment: options.environment });
  } catch (error) {
    if (error instanceof PlanFormatError) throw new InputError(`${options.file}: ${error.message}`);
    throw error;
  }
  console.log(markdown(findings));
  return findings.some((finding) => finding.severity === "blocking") ? EXIT.blocking : EXIT.pass;
}

runCommand("policy", () => main(process.argv.slice(2)));
