/**
 * The UTF-8 checker against two validators we did not write: Node's buffer.isUtf8 (simdutf) and
 * the WHATWG TextDecoder in fatal mode, on the classic cases and on random bytes, whole and cut
 * into chunks at every place.
 */
import { describe, expect, it } from '@jest/globals';
import { isUtf8 } from 'node:buffer';
import { invalidUtf8Offset, Utf8Checker } from '../../../../src/http/body/utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
/** The offset of the first invalid byte by TextDecoder: the longest valid prefix. */
function oracleOffset(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  let lo = 0;
  let hi = bytes.length;
  // the longest prefix that decodes, allowing it to end inside a character: binary search on
  // prefixes that decode in stream mode
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  if (lo < bytes.length) return lo;
  // every byte can be part of a character: the input ends inside one, which starts at the
  // longest prefix that decodes whole
  for (let k = bytes.length - 1; k >= 0; k--) {
    try {
      fatal.decode(bytes.subarray(0, k));
      return k;
    } catch {
      // not whole yet
    }
  }
  return 0;
}

function chunked(bytes: Uint8Array, cut: number): number {
  const c = new Utf8Checker();
  const a = c.push(bytes.subarray(0, cut));
  if (a >= 0) return a;
  const b = c.push(bytes.subarray(cut));
  if (b >= 0) return b;
  return c.end();
}

const hex = (s: string) => Buffer.from(s.replaceAll(' ', ''), 'hex');

describe('UTF-8 validity with the offset of the first bad byte', () => {
  it.each([
    ['the bytes the attack sent: ff fe c3 28 ed a0 80', '41 ff fe c3 28', 1],
    ['a lone continuation byte', '61 80', 1],
    ['an overlong slash (c0 af)', 'c0 af', 0],
    ['an overlong three-byte (e0 80 af)', 'e0 80 af', 1],
    ['a UTF-16 surrogate (ed a0 80)', '61 62 ed a0 80', 3],
    ['above U+10FFFF (f4 90 80 80)', 'f4 90 80 80', 1],
    ['f5 never starts a character', 'f5 80 80 80', 0],
    ['a character cut short by a plain byte', 'e2 82 41', 2],
  ])('%s', (_name, bytes, offset) => {
    expect(invalidUtf8Offset(hex(bytes))).toBe(offset);
    expect(oracleOffset(hex(bytes))).toBe(offset);
  });

  it('valid text of every length is valid, whole and in chunks', () => {
    const text = Buffer.from('a é € 𝄞 ok "json" \u{10FFFF}');
    expect(invalidUtf8Offset(text)).toBe(-1);
    for (let cut = 0; cut <= text.length; cut++) expect(chunked(text, cut)).toBe(-1);
  });

  it('a body that ends inside a character is reported at the start of that character', () => {
    expect(invalidUtf8Offset(hex('61 62 e2 82'))).toBe(2);
    expect(fatal.decode.bind(fatal, hex('61 62 e2 82'))).toThrow();
  });

  it('agrees with isUtf8 and TextDecoder on 3,000 random byte strings, whole and cut anywhere', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    // biased to the bytes UTF-8 cares about
    const pool = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let n = 0; n < 3000; n++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 8) }, () => pool[Math.floor(rand() * pool.length)] as number));
      const want = oracleOffset(bytes);
      const got = invalidUtf8Offset(bytes);
      expect({ bytes: bytes.toString('hex'), got }).toEqual({ bytes: bytes.toString('hex'), got: want });
      expect(got === -1).toBe(isUtf8(bytes));
      const cut = Math.floor(rand() * (bytes.length + 1));
      expect(chunked(bytes, cut)).toBe(want);
    }
  });
});
