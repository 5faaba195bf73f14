import { markdownTable } from "./table.js";

/**
 * The Markdown a benchmark produces for one block of bench/README.md. Each part is printed as it is
 * added (a long benchmark shows its progress), and the same lines are what the README receives.
 */
export class Report {
  readonly #lines: string[] = [];

  /** A paragraph: a caption, a goal line, a note. */
  text(paragraph: string): void {
    this.#add([paragraph]);
  }

  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    this.#add(markdownTable(headers, rows));
  }

  get markdown(): string {
    return this.#lines.join("\n");
  }

  #add(lines: readonly string[]): void {
    if (this.#lines.length > 0) this.#lines.push("");
    this.#lines.push(...lines);
    console.log(`\n${lines.join("\n")}`);
  }
}
