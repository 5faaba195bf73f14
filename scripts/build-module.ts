/**
 * `npm run build:module`: the QueueProcessor construct as a plain Terraform module for teams that write
 * HCL, in dist/terraform/queue-processor/ (or the folder given as the first argument).
 */
import { rmSync } from "node:fs";
import { generateModule } from "../modules/terraform-module/generate.js";

const outputDirectory = process.argv[2] ?? "dist/terraform/queue-processor";
rmSync(outputDirectory, { recursive: true, force: true });
generateModule(outputDirectory);
console.log(`wrote ${outputDirectory}`);
