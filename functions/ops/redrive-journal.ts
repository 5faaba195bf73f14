import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { OpsInputError } from "./ops-error.js";

type JournalEvent = "sending" | "sent" | "unsent" | "deleted";

/**
 * What a redrive did to each dead letter, one JSON line per step, synced to disk before the next step:
 * `sending` before SendMessage, `sent` once SQS took the copy (`unsent` when it refused it for good),
 * `deleted` once the dead letter is gone.
 * A run interrupted at any point leaves the journal saying, for each message, which step it reached.
 */
export class RedriveJournal {
  private readonly sent = new Set<string>();
  private readonly sending = new Set<string>();
  private readonly fd: number;

  private constructor(readonly file: string) {
    const lines = readLines(file);
    for (const [index, line] of lines.entries()) {
      let entry: { event?: unknown; messageId?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // Only a run killed mid-write leaves a partial line, and only as the last one.
        if (index === lines.length - 1) continue;
        throw new OpsInputError(`redrive journal ${file} line ${index + 1} is not JSON: move it away to start afresh`);
      }
      this.apply(entry.event as JournalEvent, String(entry.messageId));
    }
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, "a");
  }

  /** Opens (or starts) the journal; a second redrive of the same queue at once is refused. */
  static open(file: string): RedriveJournal {
    const lock = `${file}.lock`;
    mkdirSync(path.dirname(file), { recursive: true });
    if (existsSync(lock)) {
      const pid = Number(readFileSync(lock, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new OpsInputError(`another redrive (pid ${pid}) is using ${file}: wait for it, or stop it`);
      }
      rmSync(lock, { force: true });
    }
    const lockFd = openSync(lock, "wx");
    writeSync(lockFd, String(process.pid));
    closeSync(lockFd);
    try {
      return new RedriveJournal(file);
    } catch (error) {
      rmSync(lock, { force: true });
      throw error;
    }
  }

  /** SQS took this message's copy, and the dead letter may still be in the queue: delete, do not send. */
  wasSent(messageId: string): boolean {
    return this.sent.has(messageId);
  }

  /** A send began and its outcome was never written: the copy may or may not be in the source queue. */
  wasSending(messageId: string): boolean {
    return this.sending.has(messageId);
  }

  /** Nothing left half done: every message it names was deleted from the dead-letter queue. */
  get settled(): boolean {
    return this.sent.size === 0 && this.sending.size === 0;
  }

  record(event: JournalEvent, messageIds: readonly string[]): void {
    if (messageIds.length === 0) return;
    const at = new Date().toISOString();
    writeSync(this.fd, messageIds.map((messageId) => `${JSON.stringify({ event, messageId, at })}\n`).join(""));
    fsyncSync(this.fd);
    for (const messageId of messageIds) this.apply(event, messageId);
  }

  /** Closes it; removes it when nothing is half done, so the next redrive starts clean. */
  close(): void {
    closeSync(this.fd);
    if (this.settled) rmSync(this.file, { force: true });
    rmSync(`${this.file}.lock`, { force: true });
  }

  private apply(event: JournalEvent, messageId: string): void {
    if (event === "sending") this.sending.add(messageId);
    if (event === "unsent") this.sending.delete(messageId);
    if (event === "sent") {
      this.sending.delete(messageId);
      this.sent.add(messageId);
    }
    if (event === "deleted") {
      this.sending.delete(messageId);
      this.sent.delete(messageId);
    }
  }
}

function readLines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.length > 0)
    : [];
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
