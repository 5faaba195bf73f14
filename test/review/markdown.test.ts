/**
 * What the review and the policy print into Markdown shows as the text it is, rendered by a real
 * GitHub Flavored Markdown parser (micromark with its GFM extension: tables, autolink literals,
 * strikethrough): never a new cell or row, a link, an image, HTML, emphasis, a heading or a list.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { describe, expect, it } from "vitest";
import { MAX_PRINTED_CHARS, markdownCode, markdownText } from "../../review/markdown.js";
import type { PlanJson } from "../../review/plan-json.js";
import { renderReview } from "../../review/review-report.js";
import { FIXTURES_DIR } from "../fixtures/plans/generate.js";

const HOSTILE = [
  "a|b",
  "||",
  "`code`",
  "``double`` and `single`",
  "`",
  "line\nbreak",
  "carriage\r\nreturn\rhere",
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<https://evil.example>",
  "[link](https://evil.example)",
  "![image](https://evil.example/x.png)",
  "[ref]: https://evil.example",
  "# heading",
  "- item",
  "+ item",
  "1. one",
  "> quote",
  "*bold* **strong** _it_ __under__",
  "~~struck~~",
  "~single~ strike",
  "HEAD~1",
  "https://evil.example/x",
  "www.evil.example",
  "mail me: a@b.example",
  "&lt; &amp; &#60;",
  "back\\slash",
  "ends with \\",
  "\\|",
  "`|`",
  " padded ",
  'aws_sqs_queue.work["x"]',
] as const;

function render(markdown: string): string {
  return micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** The rows of the rendered tables, each a list of cell HTML. */
function rows(html: string): string[][] {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) => cell[1] ?? ""),
  );
}

/** A cell's text as a reader sees it: tags dropped, entities decoded. */
function shown(cell: string): string {
  return cell
    .replace(/<\/?code>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** What the helpers promise to show for a text: line breaks as \n, the text otherwise as it is. */
const asShown = (text: string) => text.replace(/\r\n|\r|\n/g, "\\n");

const FORBIDDEN = /<(a|img|script|em|strong|del|h[1-6]|li|ul|ol|blockquote)\b/;

describe("markdownText and markdownCode in a table cell", () => {
  for (const text of HOSTILE) {
    it(`show ${JSON.stringify(text)} as it is, in one cell`, () => {
      const html = render(`| code | text |\n|---|---|\n| ${markdownCode(text)} | ${markdownText(text)} |\n`);
      const [header, row, ...more] = rows(html);
      expect(header).toEqual(["code", "text"]);
      expect(more).toEqual([]);
      expect(row).toHaveLength(2);
      expect(html.replace(/<\/?(table|thead|tbody|tr|th|td|code)>/g, "")).not.toMatch(FORBIDDEN);
      expect(html).not.toMatch(FORBIDDEN);
      // A table cell drops its leading and trailing spaces; all else shows as it is.
      expect(shown(row![1]!)).toBe(asShown(text).trim());
      expect(shown(row![0]!).trim()).toBe(asShown(text).trim());
    });
  }

  it("keeps snake_case readable in the raw Markdown", () => {
    expect(markdownText("aws_sqs_queue.work is consumed by aws_lambda_event_source_mapping.worker")).toBe(
      "aws_sqs_queue.work is consumed by aws_lambda_event_source_mapping.worker",
    );
  });

  it("cuts what is longer than MAX_PRINTED_CHARS, saying how much was left out", () => {
    const long = `${"x".repeat(MAX_PRINTED_CHARS)}|${"y".repeat(5000)}`;
    expect(markdownText(long)).toBe(`${"x".repeat(MAX_PRINTED_CHARS)}... (5001 more characters)`);
    expect(markdownCode(long).length).toBeLessThan(MAX_PRINTED_CHARS + 40);
  });
});

describe("markdownText in a heading and a quote", () => {
  it("starts no new block and shows the text", () => {
    for (const text of HOSTILE) {
      const html = render(`## ${markdownText(text)}: 1 to add\n\n> **Destroyed: ${markdownCode(text)}**.\n`);
      expect(html.match(/<h2>/g), text).toHaveLength(1);
      expect(html.match(/<blockquote>/g), text).toHaveLength(1);
      expect(html.replace(/<\/?(h2|blockquote|p|strong|code)>/g, ""), text).not.toMatch(FORBIDDEN);
    }
  });
});

describe("the review's report", () => {
  const plan = JSON.parse(readFileSync(path.join(FIXTURES_DIR, "hostile-keys", "plan.json"), "utf8")) as PlanJson &
    Record<string, unknown>;

  it("escapes hostile for_each keys, environment names, refs and derived values (real terraform plan)", () => {
    const { markdown, blocking } = renderReview({
      baseRef: "<b>main</b>|[x](https://evil.example)",
      baseCommit: "0123456789ab",
      reviews: [
        {
          environment: "dev\n# injected",
          plan,
          settled: true,
          derivedChanges: [
            { processor: "a|b", path: "x`y", before: 1, after: 2, rule: "[r](https://evil.example) <i>x</i>" },
          ],
        },
      ],
    });
    expect(blocking).toBe(12);
    const html = render(markdown);
    // The report's own bold (each blocking severity, the verdict) and headings; nothing else.
    const own = html
      .replace(/<strong>(blocking|12 blocking findings: this change must not merge as it is\.)<\/strong>/g, "")
      .replace(/<(h1|h2)>/g, "");
    expect(own).not.toMatch(FORBIDDEN);
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html.match(/<h2>/g)).toHaveLength(1);
    const tables = rows(html);
    const widths = new Set(tables.map((row) => row.length));
    expect([...widths].sort()).toEqual([4, 5]);
    const addresses = plan.resource_changes!.map((change) => change.address);
    for (const address of addresses) {
      // Twice in the findings (encryption-off, non-tls-allowed) and once in the changes, as terraform wrote it.
      expect(tables.filter((row) => shown(row[2] ?? "") === address || shown(row[1] ?? "") === address)).toHaveLength(
        3,
      );
    }
  });
});

describe("npm run policy's table", () => {
  it("has one row of four cells per finding for hostile for_each keys (real terraform plan)", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "review/policy/cli.ts", path.join(FIXTURES_DIR, "hostile-keys", "plan.json")],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(1);
    const html = render(result.stdout);
    expect(html).not.toMatch(FORBIDDEN);
    const [header, ...findings] = rows(html);
    expect(header).toEqual(["rule", "severity", "address", "message"]);
    expect(findings).toHaveLength(24);
    for (const row of findings) {
      expect(row).toHaveLength(4);
      expect(shown(row[3]!).startsWith(shown(row[2]!))).toBe(true);
    }
  });
});
