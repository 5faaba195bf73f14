import { readFileSync } from "node:fs";
import os from "node:os";

/** CPU time used so far by this process and by its children that have exited, in milliseconds. */
export interface CpuTime {
  readonly own: number;
  readonly children: number;
}

const TICKS_PER_SECOND = 100;

/**
 * From /proc/self/stat (utime, stime, cutime, cstime): the servers and function containers run as
 * child processes, and the kernel adds their time to ours once they exit.
 */
export function cpuTime(): CpuTime | undefined {
  if (os.platform() !== "linux") return undefined;
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // Fields after the command name start at field 3 (state), so utime (14) is index 11.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15) as [number, number, number, number];
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return { own: ms(utime + stime), children: ms(cutime + cstime) };
}
