/**
 * `npm run bundle:handler -- <entry.ts> <out.zip>`: a handler bundled into the deterministic zip the
 * construct ships, for the Terraform module's handler_zip_path.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundleFunction } from "../modules/bundle/bundle.js";
import { RUNTIME_PROVIDED_MODULES } from "../modules/queue-processor/function.js";

const [entry, zip] = process.argv.slice(2);
if (!entry || !zip) {
  console.error("usage: npm run bundle:handler -- <entry.ts> <out.zip>");
  process.exit(2);
}
const scratch = mkdtempSync(path.join(tmpdir(), "qp-bundle-handler-"));
try {
  const bundle = bundleFunction({ entry, outputDirectory: scratch, externalModules: RUNTIME_PROVIDED_MODULES });
  mkdirSync(path.dirname(path.resolve(zip)), { recursive: true });
  copyFileSync(bundle.zipPath, zip);
  console.log(`${zip}: ${bundle.zipBytes} bytes, source_code_hash ${bundle.sha256Base64}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
