/**
 * Every benchmark, each printing its tables and writing them into bench/README.md:
 *
 *   npm run bench [-- --runs N] [-- --count N] [-- --fault-count N] [-- --resources N] [-- --review-runs N] [-- --no-write]
 *   npm run bench -- --suite [--suite-runs 3]    # also times `npm test`, which takes minutes
 */
import { runPipelineBench } from "./pipeline/run.js";
import { runPolicyBench } from "./policy/run.js";
import { runReviewBench } from "./review/run.js";
import { runRuntimeBench } from "./runtime/run.js";
import { runSuiteBench } from "./suite/run.js";
import { type Goal, goalsSummary } from "./support/goal.js";
import { hasFlag, numberOption, writesReadme } from "./support/options.js";
import { runSynthBench } from "./synth/run.js";

const write = writesReadme();
const goals: Goal[] = [];
goals.push(...runSynthBench(numberOption("runs", 5), { write }));
goals.push(...(await runRuntimeBench(numberOption("runs", 5), { write })));
goals.push(...(await runPipelineBench(numberOption("count", 10_000), numberOption("fault-count", 2000), { write })));
goals.push(...(await runPolicyBench(numberOption("resources", 10_000), numberOption("runs", 5), { write })));
// Each review plans three environments with terraform: about a minute a run, so 3 unless told.
goals.push(...(await runReviewBench(numberOption("review-runs", 3), { write })));
if (hasFlag("suite")) goals.push(...runSuiteBench(numberOption("suite-runs", 3), { write }));
console.log(`\nbench: ${goalsSummary(goals)}`);
