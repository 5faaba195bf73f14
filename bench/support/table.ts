/** An aligned Markdown table, laid out as Biome formats Markdown, so bench/README.md stays lint-clean. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${headers.map((_, column) => (cells[column] ?? "").padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

/** Prints the table to stdout (scripts/build.ts uses it for its size table). */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  console.log(markdownTable(headers, rows).join("\n"));
}
