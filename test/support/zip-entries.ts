/** One entry of a zip's central directory, with the metadata that decides determinism. */
export interface ZipEntryInfo {
  readonly name: string;
  readonly dosDate: number;
  readonly dosTime: number;
  readonly madeByOs: number;
  readonly unixMode: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;

/** Reads a zip's central directory (no comment, no zip64: what our zips are). */
export function zipEntries(zip: Buffer): ZipEntryInfo[] {
  const end = zip.length - 22;
  if (zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) throw new Error("no end-of-central-directory record");
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: ZipEntryInfo[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_FILE_HEADER) throw new Error(`bad central header at ${offset}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      madeByOs: zip.readUInt8(offset + 5),
      dosTime: zip.readUInt16LE(offset + 12),
      dosDate: zip.readUInt16LE(offset + 14),
      unixMode: zip.readUInt32LE(offset + 38) >>> 16,
      name: zip.toString("utf8", offset + 46, offset + 46 + nameLength),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
