import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KNOWN_KEYS } from "../modules/queue-processor/known-keys.js";

const README = readFileSync("README.md", "utf8");

describe("README", () => {
  it("starts with the two commands a newcomer runs", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)![1]!.trim().split("\n");
    expect(firstBlock).toEqual(["npm ci && npm run local", "npm test"]);
  });

  it("documents every property of the construct in its configuration table, and no other", () => {
    const documented = [...README.matchAll(/^\| `([a-zA-Z.]+)` \|/gm)].map((match) => match[1]);
    const expected = [
      ...KNOWN_KEYS.top.filter((key) => !["handler", "queue", "eventSource"].includes(key)),
      ...KNOWN_KEYS.handler.map((key) => `handler.${key}`),
      ...KNOWN_KEYS.queue.map((key) => `queue.${key}`),
      ...KNOWN_KEYS.eventSource.map((key) => `eventSource.${key}`),
      ...KNOWN_KEYS.alarms.map((key) => `alarms.${key}`),
      // deadLetters.bucket is one row ({ arn, name }); the archiver's settings each have one.
      ...KNOWN_KEYS.archive.map((key) => `deadLetters.${key}`),
      ...KNOWN_KEYS.archiver.map((key) => `deadLetters.archiver.${key}`),
    ];
    expect([...documented].sort()).toEqual([...expected].sort());
  });

  it("quotes the handler example exactly as the type-checked file has it", () => {
    const file = readFileSync("examples/handlers/invoices.ts", "utf8");
    expect(README).toContain(`// examples/handlers/invoices.ts (type-checked with the project)\n${file}\`\`\``);
  });

  it("names only npm scripts that exist", () => {
    const scripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>);
    const named = [...README.matchAll(/npm run ([a-z:-]+)/g)].map((match) => match[1]!);
    expect(named.filter((name) => !scripts.includes(name))).toEqual([]);
  });
});
