/**
 * Bundles every function the project deploys into dist/<function>.zip, the exact bytes synth ships,
 * and prints their sizes and hashes: `npm run build`.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { printTable } from "../bench/support/table.js";
import { bundleFunction, LAMBDA_PROVIDED_MODULES } from "../functions/runtime/bundle/bundle.js";
import { ORDER_PROCESSOR_ENTRY } from "../stacks/orders-stack.js";

const FUNCTIONS: Record<string, string> = { "order-processor": ORDER_PROCESSOR_ENTRY };
const DIST = "dist";

mkdirSync(DIST, { recursive: true });
const rows = Object.entries(FUNCTIONS).map(([name, entry]) => {
  const bundle = bundleFunction({
    entry,
    outputDirectory: path.join(DIST, ".bundles"),
    externalModules: LAMBDA_PROVIDED_MODULES,
  });
  const target = path.join(DIST, `${name}.zip`);
  copyFileSync(bundle.zipPath, target);
  return [name, target, (bundle.codeBytes / 1024).toFixed(1), (bundle.zipBytes / 1024).toFixed(1), bundle.sha256Base64];
});
printTable(["function", "zip", "code KiB", "zip KiB", "source_code_hash"], rows);
