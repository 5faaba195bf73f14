import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OpsInputError } from "../../../functions/ops/ops-error.js";
import { RedriveJournal } from "../../../functions/ops/redrive-journal.js";
import { tempDir } from "../../support/temp-dirs.js";

function journalFile(): string {
  return path.join(tempDir("ops-journal"), "nested", "redrive.jsonl");
}

describe("RedriveJournal", () => {
  it("remembers each message's last step across runs, and is removed once nothing is half done", () => {
    const file = journalFile();
    const first = RedriveJournal.open(file);
    first.record("sending", ["a", "b", "c", "d"]);
    first.record("sent", ["a", "b"]);
    first.record("unsent", ["d"]);
    first.record("deleted", ["a"]);
    first.close();
    expect(existsSync(file)).toBe(true);

    const second = RedriveJournal.open(file);
    expect([second.wasSent("a"), second.wasSent("b"), second.wasSent("c"), second.wasSent("d")]).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect([second.wasSending("b"), second.wasSending("c"), second.wasSending("d")]).toEqual([false, true, false]);
    expect(second.settled).toBe(false);
    second.record("sent", ["c"]);
    second.record("deleted", ["b", "c"]);
    expect(second.settled).toBe(true);
    second.close();
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("writes one JSON line per message and step", () => {
    const file = journalFile();
    const journal = RedriveJournal.open(file);
    journal.record("sending", ["a", "b"]);
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map(({ event, messageId }) => [event, messageId])).toEqual([
      ["sending", "a"],
      ["sending", "b"],
    ]);
    expect(Number.isNaN(Date.parse(lines[0].at))).toBe(false);
    journal.close();
  });

  it("ignores a last line cut short by a kill, and refuses a damaged line elsewhere (exit 2)", () => {
    const file = journalFile();
    const journal = RedriveJournal.open(file);
    journal.record("sent", ["a"]);
    journal.close();
    appendFileSync(file, '{"event":"deleted","messageId":"a"');
    const resumed = RedriveJournal.open(file);
    expect(resumed.wasSent("a")).toBe(true);
    resumed.close();

    writeFileSync(file, `not json\n${JSON.stringify({ event: "sent", messageId: "b" })}\n`);
    expect(() => RedriveJournal.open(file)).toThrow(OpsInputError);
    expect(() => RedriveJournal.open(file)).toThrow(/line 1 is not JSON: move it away to start afresh/);
  });

  it("refuses a second open while the first holds it, and takes over a lock whose process is gone", () => {
    const file = journalFile();
    const journal = RedriveJournal.open(file);
    expect(() => RedriveJournal.open(file)).toThrow(`another redrive (pid ${process.pid}) is using ${file}`);
    journal.close();
    // A SIGKILLed run leaves its lock: a pid that no longer runs.
    writeFileSync(`${file}.lock`, "2147483646");
    const next = RedriveJournal.open(file);
    next.close();
  });
});
