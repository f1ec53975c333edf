/**
 * Confluent's wire format, which every Confluent deserializer (and Apicurio's, in its Confluent
 * mode) reads: magic byte 0, the schema id as a 4-byte big-endian integer, then the encoded
 * value. Protobuf puts the message's indexes in its file between the two: a zigzag varint count
 * and as many zigzag varint indexes, or the single byte 0 for the first message ([0]).
 */

const MAGIC = 0;

/** The framed bytes of an encoded value. */
export function framed(schemaId: number, payload: Uint8Array, messageIndexes?: readonly number[]): Buffer {
  const indexes = messageIndexes === undefined ? undefined : encodeIndexes(messageIndexes);
  const out = Buffer.allocUnsafe(5 + (indexes?.length ?? 0) + payload.length);
  out[0] = MAGIC;
  out.writeUInt32BE(schemaId, 1);
  let at = 5;
  if (indexes) {
    out.set(indexes, at);
    at += indexes.length;
  }
  out.set(payload, at);
  return out;
}

/** [0] is written as one 0 byte (Confluent's shortcut for the first message); else count then indexes. */
export function encodeIndexes(indexes: readonly number[]): Uint8Array {
  if (indexes.length === 1 && indexes[0] === 0) return Uint8Array.of(0);
  const bytes: number[] = [];
  for (const n of [indexes.length, ...indexes]) writeZigzag(bytes, n);
  return Uint8Array.from(bytes);
}

function writeZigzag(out: number[], n: number): void {
  let z = (n << 1) ^ (n >> 31);
  z >>>= 0;
  while (z > 0x7f) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
}
