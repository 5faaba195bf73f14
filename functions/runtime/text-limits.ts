/**
 * One cap for every string the library writes out of user input: each log field, each error message
 * and reason, the dead-letter copy's details. A 255 KB field must not become a 255 KB log line, or
 * fill a message attribute SQS counts against the message's size.
 */
export const MAX_TEXT_CHARS = 1000;

/** Room kept for the marker: `…[` and `] more characters cut]` around a count of up to 15 characters. */
const MARKER_ROOM = 40;

/**
 * `text` as it is, or its beginning followed by a marker that says how much was cut, at most
 * {@link MAX_TEXT_CHARS} in all (so capping twice changes nothing). A surrogate pair is never split.
 */
export function capText(text: string): string {
  if (text.length <= MAX_TEXT_CHARS) return text;
  let keep = MAX_TEXT_CHARS - MARKER_ROOM;
  if (isHighSurrogate(text.charCodeAt(keep - 1))) keep -= 1;
  return `${text.slice(0, keep)}…[${(text.length - keep).toLocaleString("en-US")} more characters cut]`;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * Where `text` stops being well-formed UTF-16: the index of its first lone surrogate (a high one not
 * followed by a low one, or a low one not preceded by a high one), or -1. Such a string has no UTF-8
 * form, so no AWS service can store it as sent.
 */
export function loneSurrogateIndex(text: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (isHighSurrogate(code)) {
      if (isLowSurrogate(text.charCodeAt(index + 1))) index += 1;
      else return index;
    } else if (isLowSurrogate(code)) {
      return index;
    }
  }
  return -1;
}
