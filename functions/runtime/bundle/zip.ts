import { type Zippable, zipSync } from "fflate";

/**
 * Every entry gets this time. fflate encodes DOS times with local-time getters, so a Date built
 * from local components encodes 1980-01-01 00:00 in every time zone: the zip's bytes do not
 * depend on when or where it is built.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** Regular file, rw-r--r--: Lambda needs the code world-readable; nothing in it is executable. */
const FILE_MODE = 0o100644;
const UNIX = 3;

/** A zip whose bytes depend only on the entries' names and contents: sorted, fixed times and modes. */
export function deterministicZip(files: Readonly<Record<string, Uint8Array>>): Uint8Array {
  const entries: Zippable = {};
  // By code unit, as Array.prototype.sort orders strings by default.
  const byName = Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, contents] of byName) {
    entries[name] = [contents, { mtime: FIXED_MTIME, os: UNIX, attrs: FILE_MODE << 16, level: 9 }];
  }
  return zipSync(entries);
}
