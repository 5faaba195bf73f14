/**
 * Text from a plan (resource addresses with any for_each key, attribute names, values, messages that
 * quote them) printed into Markdown: in a table cell, a heading or a quote, it must show as the text
 * it is. Never a new cell or row, a link, an image, HTML, emphasis or a code span it did not open.
 */

/** Past this many characters a printed value is cut, saying how much was left out. */
export const MAX_PRINTED_CHARS = 1000;

/** Markdown's line endings; a table row or a heading ends at the first one. */
const LINE_BREAKS = /\r\n|\r|\n/g;
/** Characters with a meaning inline (GitHub Flavored Markdown), escaped with a backslash. */
const INLINE_SPECIAL = /[\\`*[\]<>&|!]/g;

/** Plain text for a table cell, heading or quote: every inline construct escaped. */
export function markdownText(text: string): string {
  const shown = cut(text);
  // Strikethrough needs two tildes; a lone one (HEAD~1) stays as it is, readable in the raw Markdown.
  const tildes = (shown.match(/~/g) ?? []).length > 1;
  return (
    shown
      .replace(LINE_BREAKS, "\\n")
      .replace(INLINE_SPECIAL, (character) => `\\${character}`)
      .replace(/~/g, tildes ? "\\~" : "~")
      // `_` opens emphasis only at a word's edge: inside snake_case it is plain, and stays readable.
      .replace(/_/g, (underscore, offset: number, whole: string) =>
        /[\p{L}\p{N}]/u.test(whole[offset - 1] ?? "") && /[\p{L}\p{N}]/u.test(whole[offset + 1] ?? "")
          ? underscore
          : "\\_",
      )
      // GitHub links bare URLs and e-mail addresses (autolink literals); an escape breaks the pattern.
      .replace(/:(?=\/\/)/g, "\\:")
      .replace(/\b(www)\./gi, "$1\\.")
      .replace(/@/g, "\\@")
      // A leading #, -, + or "1." would start a heading or a list where the text begins a line.
      .replace(/^[#+=-]/, "\\$&")
      .replace(/^(\d+)([.)])/, "$1\\$2")
  );
}

/**
 * Text as inline code: no Markdown inside it, and a code span it cannot close early. A table splits
 * cells before it reads code spans, so a pipe in code is escaped; a backslash right before a pipe
 * cannot be shown in code at all (`\\|` ends the cell), and such text is printed as plain text.
 */
export function markdownCode(text: string): string {
  if (text.includes("\\|")) return markdownText(text);
  const body = cut(text).replace(LINE_BREAKS, "\\n").replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const padded = body.startsWith("`") || body.endsWith("`") || /^ .* $/.test(body) ? ` ${body} ` : body;
  return `${fence}${padded}${fence}`;
}

function cut(text: string): string {
  return text.length > MAX_PRINTED_CHARS
    ? `${text.slice(0, MAX_PRINTED_CHARS)}... (${text.length - MAX_PRINTED_CHARS} more characters)`
    : text;
}
