/** Every benchmark, one table each: `npm run bench [-- --runs N]`. */
import { runRuntimeBench } from "./runtime/run.js";
import { numberOption } from "./support/table.js";
import { runSynthBench } from "./synth/run.js";

runSynthBench(numberOption("runs", 5));
await runRuntimeBench(numberOption("runs", 5));
