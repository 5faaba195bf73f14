/** Every benchmark, one table each: `npm run bench [-- --runs N] [-- --count N]`. */
import { runPipelineBench } from "./pipeline/run.js";
import { runRuntimeBench } from "./runtime/run.js";
import { numberOption } from "./support/table.js";
import { runSynthBench } from "./synth/run.js";

runSynthBench(numberOption("runs", 5));
await runRuntimeBench(numberOption("runs", 5));
await runPipelineBench(numberOption("count", 10_000));
