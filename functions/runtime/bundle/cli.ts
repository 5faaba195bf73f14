#!/usr/bin/env node
/**
 * queue-processor-bundle: builds a handler into the deterministic zip the QueueProcessor construct
 * ships, for deploy tools other than the construct (the Terraform module's handler_zip_path).
 *
 *   queue-processor-bundle <entry> --out <file.zip> [--root <dir>] [--bundle-aws-sdk] [--json]
 */
import { renameSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { BundleError, bundleFunction, LAMBDA_PROVIDED_MODULES } from "./bundle.js";

const USAGE = `Usage: queue-processor-bundle <entry> --out <file.zip> [options]

  <entry>            the .ts or .js file that exports "handler", relative to --root
  --out <file.zip>   where the zip is written (its folder is created)
  --root <dir>       the project's root: entry and source-map paths are relative to it (default: .)
  --bundle-aws-sdk   bundle @aws-sdk/* too (default: left to the Lambda runtime, which provides it)
  --json             print {"zip","sourceCodeHash","handler","zipBytes"} instead of a line

The same entry, dependencies and options give the same bytes: source_code_hash changes only with the code.
Exit statuses: 0 written, 2 bad input (the message says which).
`;

function main(args: readonly string[]): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    process.stderr.write(`queue-processor-bundle: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [entry, ...extra] = parsed.positionals;
  const out = parsed.values.out;
  const problem = !entry
    ? "the handler's entry file is missing"
    : extra.length > 0
      ? `one entry only (got also ${JSON.stringify(extra.join(" "))})`
      : !out
        ? "--out <file.zip> is missing"
        : !out.endsWith(".zip")
          ? `--out must name a .zip file (got ${JSON.stringify(out)})`
          : undefined;
  if (problem || !entry || !out) {
    process.stderr.write(`queue-processor-bundle: ${problem}\n\n${USAGE}`);
    return 2;
  }
  try {
    const target = path.resolve(out);
    // The bundler names its zip by hash; made beside --out and renamed, it leaves nothing elsewhere.
    const bundle = bundleFunction({
      entry,
      workingDirectory: path.resolve(parsed.values.root ?? "."),
      outputDirectory: path.dirname(target),
      externalModules: parsed.values["bundle-aws-sdk"] ? [] : LAMBDA_PROVIDED_MODULES,
    });
    renameSync(bundle.zipPath, target);
    const result = {
      zip: target,
      sourceCodeHash: bundle.sha256Base64,
      handler: bundle.handler,
      zipBytes: bundle.zipBytes,
    };
    process.stdout.write(
      parsed.values.json
        ? `${JSON.stringify(result)}\n`
        : `${out}: ${bundle.zipBytes} bytes, handler ${bundle.handler}, source_code_hash ${bundle.sha256Base64}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof BundleError) && !isBuildFailure(error)) throw error;
    process.stderr.write(`queue-processor-bundle: ${(error as Error).message}\n`);
    return 2;
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: "string" },
      root: { type: "string" },
      "bundle-aws-sdk": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** esbuild's failures (a syntax error, an import it cannot resolve) carry the list of errors. */
function isBuildFailure(error: unknown): boolean {
  return error instanceof Error && Array.isArray((error as { errors?: unknown }).errors);
}

process.exitCode = main(process.argv.slice(2));
