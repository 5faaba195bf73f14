import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest (terraform plans, end-to-end runs, reliability scenarios), the
 * terraform-bound ones between ones that mostly wait. vitest orders files by the last run's timings;
 * a fresh clone has none, and by file size these short files would start last and run alone at the
 * end. A name no longer in the suite is ignored.
 */
const LONGEST = [
  "test/review/review.test.ts",
  "test/local/local-cli.test.ts",
  "test/examples.test.ts",
  // Installs the cdktf CLI on a cold cache (~50 s), then two CLI runs with terraform.
  "test/cdktf-cli.test.ts",
  "test/functions/runtime/poller/event-source-mapping.test.ts",
  "test/terraform.test.ts",
  "test/reliability/faults/table-outage.test.ts",
  "test/review/plan.test.ts",
  "test/modules/terraform-module/hcl-module-variants.test.ts",
  "test/reliability/load.test.ts",
  "test/modules/terraform-module/hcl-module.test.ts",
];

/** vitest's order, with LONGEST first, in its order. */
export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const index = LONGEST.indexOf(path.relative(file.project.config.root, file.moduleId));
      return index === -1 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: the others keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
