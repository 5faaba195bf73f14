import os from "node:os";

/**
 * The line that opens each README block: when, on what, and with which options, so a figure is never
 * read without its machine. The load average says whether something else was competing for the CPU.
 */
export function runHeader(settings: string): string {
  const date = new Date().toISOString().slice(0, 10);
  const cores = os.availableParallelism();
  const model = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = os.loadavg()[0] ?? 0;
  return (
    `_Run ${date} on ${cores} cores (${model}), Node ${process.version}, ${os.platform()}; ` +
    `load average ${load.toFixed(2)} at the start; ${settings}._`
  );
}
