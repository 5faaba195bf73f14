/**
 * Protocol Buffers' wire format, read field by field: just enough to walk a message whose field
 * numbers the caller knows, skipping the others. Malformed input throws WireFormatError, never reads
 * as a shorter message.
 */

/** The bytes are not a well-formed protobuf message. */
export class WireFormatError extends Error {
  override readonly name = "WireFormatError";
}

/** One field of a message: a varint (ints, bools, enums), or length-delimited bytes (strings, messages). */
export type WireField =
  | { readonly number: number; readonly kind: "varint"; readonly value: bigint }
  | { readonly number: number; readonly kind: "bytes"; readonly value: Uint8Array }
  | { readonly number: number; readonly kind: "fixed" };

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** The fields of one message, in the order they are written. */
export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = bytes[offset];
      if (byte === undefined) throw new WireFormatError(`a varint runs past the end (at byte ${offset})`);
      offset += 1;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (value >= 1n << 64n) throw new WireFormatError(`a varint exceeds 64 bits (before byte ${offset})`);
        return value;
      }
    }
    throw new WireFormatError(`a varint is longer than 10 bytes (before byte ${offset})`);
  };
  const skip = (length: number) => {
    if (offset + length > bytes.length)
      throw new WireFormatError(`a field of ${length} bytes runs past the end (at byte ${offset})`);
    offset += length;
  };
  while (offset < bytes.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number < 1 || number > 536_870_911) throw new WireFormatError(`field number ${number} is out of range`);
    if (wireType === VARINT) fields.push({ number, kind: "varint", value: varint() });
    else if (wireType === LENGTH_DELIMITED) {
      const length = varint();
      if (length > BigInt(bytes.length - offset))
        throw new WireFormatError(`field ${number} of ${length} bytes runs past the end (at byte ${offset})`);
      const start = offset;
      skip(Number(length));
      fields.push({ number, kind: "bytes", value: bytes.subarray(start, offset) });
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      skip(wireType === FIXED64 ? 8 : 4);
      fields.push({ number, kind: "fixed" });
    } else {
      // Groups (3, 4) are long deprecated and absent from Terraform's plan; anything else is not protobuf.
      throw new WireFormatError(`field ${number} has wire type ${wireType}, which this reader does not read`);
    }
  }
  return fields;
}
