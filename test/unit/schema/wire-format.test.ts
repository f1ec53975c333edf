/** Confluent's wire format: the header and Protobuf's message indexes, byte for byte. */
import { describe, expect, it } from '@jest/globals';
import { encodeIndexes, framed } from '../../../src/schema/wire-format.js';

describe('wire format', () => {
  it('frames a payload: magic 0, the id in 4 bytes big-endian', () => {
    const bytes = framed(0x01020304, Buffer.from('xy'));
    expect([...bytes]).toEqual([0, 1, 2, 3, 4, 0x78, 0x79]);
  });

  it('writes [0] as one 0 byte, other indexes as a zigzag count and zigzag indexes', () => {
    expect([...encodeIndexes([0])]).toEqual([0]);
    expect([...encodeIndexes([1])]).toEqual([2, 2]);
    expect([...encodeIndexes([0, 2])]).toEqual([4, 0, 4]);
    expect([...encodeIndexes([64])]).toEqual([2, 0x80, 0x01]);
    expect([...framed(1, Buffer.from('z'), [0])]).toEqual([0, 0, 0, 0, 1, 0, 0x7a]);
  });
});
