import type { RunProgress } from "../run/local-run.js";

/** Where progress goes: process.stderr, or a stand-in in tests. */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressViewOptions {
  /** Default: the output's own isTTY. */
  readonly tty?: boolean;
  /** Not a terminal: at most one line per interval; default 2 s. */
  readonly lineIntervalMs?: number;
  readonly now?: () => number;
}

export interface ProgressView {
  /** A new snapshot: redrawn in place on a terminal, else printed when the line interval has passed. */
  update(progress: RunProgress): void;
  /** Prints a message on a line of its own; a terminal's progress line is redrawn below it. */
  note(message: string): void;
  /** Leaves the last snapshot on screen (terminal) or prints it if it was not printed yet. */
  finish(): void;
}

const CLEAR_LINE = "\r\x1b[2K";

/** "12.4 s  sent 1400/2000  processed 1210  retried 31  filtered 20  in DLQ 48  queued 150  in flight 20  412 msg/s" */
export function formatProgress(progress: RunProgress): string {
  return [
    formatElapsed(progress.elapsedMs),
    `sent ${progress.sent}/${progress.total}`,
    `processed ${progress.processed}`,
    `retried ${progress.retried}`,
    `filtered ${progress.filtered}`,
    `in DLQ ${progress.deadLettered}`,
    `queued ${progress.queued}`,
    `in flight ${progress.inFlight}`,
    `${Math.round(progress.throughput)} msg/s`,
  ].join("  ");
}

function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1).padStart(4)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(Math.floor(seconds % 60)).padStart(2, "0")} min`;
}

/**
 * Live progress of a local run on stderr. On a terminal one line is redrawn in place (cut to the
 * terminal's width, since a wrapped line can't be redrawn); in a log or a pipe, a line every 2 s.
 */
export function createProgressView(output: ProgressOutput, options: ProgressViewOptions = {}): ProgressView {
  const tty = options.tty ?? output.isTTY === true;
  const interval = options.lineIntervalMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  let last: string | undefined;
  let printed: string | undefined;
  let printedAt = -Infinity;
  let drawn = false;

  const fitToWidth = (line: string) => {
    const width = output.columns ?? 0;
    return width > 1 && line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
  };
  const draw = () => {
    if (last === undefined) return;
    output.write(`${CLEAR_LINE}${fitToWidth(last)}`);
    drawn = true;
  };
  const print = (line: string) => {
    output.write(`${line}\n`);
    printed = line;
    printedAt = now();
  };

  return {
    update(progress) {
      last = formatProgress(progress);
      if (tty) draw();
      else if (now() - printedAt >= interval) print(last);
    },
    note(message) {
      if (tty && drawn) output.write(CLEAR_LINE);
      output.write(`${message}\n`);
      if (tty) draw();
    },
    finish() {
      if (tty) {
        if (drawn) output.write("\n");
        drawn = false;
      } else if (last !== undefined && last !== printed) {
        print(last);
      }
    },
  };
}
