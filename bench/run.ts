/** Every benchmark, one table each: `npm run bench [-- --runs N]`. */
import { numberOption } from "./support/table.js";
import { runSynthBench } from "./synth/run.js";

runSynthBench(numberOption("runs", 5));
