import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const PROPS_FILE = fileURLToPath(new URL("../queue-processor/props.ts", import.meta.url));

/**
 * The TSDoc text of every prop in props.ts, by `Interface.member` (e.g. `HandlerProps.timeoutSeconds`):
 * the variables' descriptions are the props' own, so the two cannot drift. `@see` is left out; a
 * `@default` is kept as `default:` by `Interface.member#default`, for the defaults a value cannot show.
 */
export function propDocs(): ReadonlyMap<string, string> {
  const source = ts.createSourceFile(PROPS_FILE, readFileSync(PROPS_FILE, "utf8"), ts.ScriptTarget.Latest, true);
  const docs = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    for (const member of statement.members) {
      if (!member.name || !ts.isIdentifier(member.name)) continue;
      const comment = ts.getJSDocCommentsAndTags(member).find(ts.isJSDoc)?.comment;
      const text = typeof comment === "string" ? comment : ts.getTextOfJSDocComment(comment);
      const key = `${statement.name.text}.${member.name.text}`;
      if (text) docs.set(key, oneLine(text));
      const fallback = ts.getJSDocTags(member).find((tag) => tag.tagName.text === "default")?.comment;
      const fallbackText = typeof fallback === "string" ? fallback : ts.getTextOfJSDocComment(fallback);
      if (fallbackText) docs.set(`${key}#default`, oneLine(fallbackText).replace(/^- /, ""));
    }
  }
  return docs;
}

const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim();
