/**
 * Checks a Terraform plan JSON against the plan policy and prints the findings as a Markdown table.
 *
 *   terraform show -json plan.bin > plan.json
 *   node --import tsx review/policy/cli.ts plan.json [--environment prod]
 *
 * Exit codes: 0 no blocking finding (advisory ones allowed), 1 at least one blocking finding,
 * 2 usage error, unreadable file or not a plan JSON.
 */
import { readFileSync } from "node:fs";
import { PlanFormatError } from "../plan-json.js";
import { checkPlan } from "./check.js";
import type { Finding } from "./types.js";

const USAGE = "usage: node --import tsx review/policy/cli.ts <plan.json> [--environment <name>]";

class UsageError extends Error {}

function parseArguments(args: readonly string[]): { file: string; environment: string | undefined } {
  const files: string[] = [];
  let environment: string | undefined;
  const rest = [...args];
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === "--environment" || arg === "-e") {
      const value = rest.shift();
      if (value === undefined || value.startsWith("-")) throw new UsageError(`${arg} needs an environment name`);
      environment = value;
    } else if (arg.startsWith("--environment=")) {
      environment = arg.slice("--environment=".length);
      if (environment === "") throw new UsageError("--environment needs an environment name");
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  const [file, ...others] = files;
  if (file === undefined) throw new UsageError("missing the plan JSON file");
  if (others.length > 0) throw new UsageError(`expected one plan JSON file, got ${files.length}`);
  return { file, environment };
}

function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function markdown(findings: readonly Finding[]): string {
  if (findings.length === 0) return "no findings";
  const blocking = findings.filter((finding) => finding.severity === "blocking").length;
  const rows = findings.map(
    (finding) => `| ${finding.rule} | ${finding.severity} | \`${cell(finding.address)}\` | ${cell(finding.message)} |`,
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
  let options: ReturnType<typeof parseArguments>;
  try {
    options = parseArguments(args);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(options.file === "-" ? 0 : options.file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`cannot read ${options.file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
    return 2;
  }
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    console.error(
      `${options.file} is not JSON (${(error as Error).message}); expected the output of terraform show -json <planfile>`,
    );
    return 2;
  }
  let findings: Finding[];
  try {
    findings = checkPlan(plan, options.environment === undefined ? {} : { environment: options.environment });
  } catch (error) {
    if (!(error instanceof PlanFormatError)) throw error;
    console.error(`${options.file}: ${error.message}`);
    return 2;
  }
  console.log(markdown(findings));
  return findings.some((finding) => finding.severity === "blocking") ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
