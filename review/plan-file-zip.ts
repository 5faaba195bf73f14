/**
 * The `tfplan` entry of a saved plan (a zip), checked as Go's archive/zip checks it when terraform
 * reads the plan: its size and its CRC-32 as the zip's central directory records them. fflate alone
 * checks neither, and a damaged entry must not read as a shorter plan.
 */
import { crc32 } from "node:zlib";
import { unzipSync } from "fflate";

/** The zip, or its entry, is not one to read. */
export class PlanZipError extends Error {
  override readonly name = "PlanZipError";
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
/** The end record is 22 bytes, plus a comment of at most 65535. */
const END_RECORD_SEARCH = 22 + 0xffff;

/** The uncompressed bytes of the zip's one entry named `name`. */
export function zipEntry(zip: Uint8Array, name: string): Uint8Array {
  const recorded = centralDirectoryEntries(zip).filter((entry) => entry.name === name);
  if (recorded.length !== 1) throw new PlanZipError(`${recorded.length} ${name} entries in the zip`);
  const [expected] = recorded as [CentralDirectoryEntry];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, { filter: (file) => file.name === name });
  } catch (error) {
    throw new PlanZipError(`not a readable zip: ${(error as Error).message}`);
  }
  const entry = files[name];
  if (entry === undefined) throw new PlanZipError(`no ${name} entry in the zip`);
  if (entry.length !== expected.size || crc32(entry) !== expected.crc)
    throw new PlanZipError(`${name} is not the ${expected.size} bytes its zip entry records`);
  return entry;
}

interface CentralDirectoryEntry {
  readonly name: string;
  readonly crc: number;
  readonly size: number;
}

function centralDirectoryEntries(zip: Uint8Array): CentralDirectoryEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  const lowest = Math.max(0, zip.length - END_RECORD_SEARCH);
  while (end >= lowest && view.getUint32(end, true) !== END_OF_CENTRAL_DIRECTORY) end -= 1;
  if (end < lowest) throw new PlanZipError("not a zip: no end of central directory");
  const count = view.getUint16(end + 10, true);
  let offset = view.getUint32(end + 16, true);
  const entries: CentralDirectoryEntry[] = [];
  const utf8 = new TextDecoder();
  for (let index = 0; index < count; index += 1) {
    if (offset + 46 > end || view.getUint32(offset, true) !== CENTRAL_DIRECTORY_ENTRY)
      throw new PlanZipError(`zip central directory entry ${index} is not where the directory says`);
    const nameLength = view.getUint16(offset + 28, true);
    const name = utf8.decode(zip.subarray(offset + 46, offset + 46 + nameLength));
    entries.push({ name, crc: view.getUint32(offset + 16, true), size: view.getUint32(offset + 24, true) });
    offset += 46 + nameLength + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return entries;
}
