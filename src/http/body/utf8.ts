/**
 * Strict UTF-8: where a byte sequence stops being valid UTF-8, instead of the U+FFFD that
 * Buffer#toString and TextDecoder put in its place (two different keys could become one key in
 * Kafka). Node's buffer.isUtf8 answers "valid or not" fast; this finds the offset for the error,
 * and checks a stream chunk by chunk with the same rules (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF).
 */
import { isUtf8 } from 'node:buffer';

/**
 * A UTF-8 checker fed chunk by chunk. `push` returns the offset (counted from the first byte
 * ever pushed) of the first byte that cannot be part of valid UTF-8, or -1; `end` reports a
 * sequence cut short by the end of the input.
 */
export class Utf8Checker {
  /** continuation bytes still expected */
  #need = 0;
  /** the allowed range of the next continuation byte (narrower after E0, ED, F0, F4) */
  #lo = 0x80;
  #hi = 0xbf;
  /** offset of the first byte of the sequence being read */
  #seqStart = 0;
  #offset = 0;

  /** bytes pushed so far */
  get offset(): number {
    return this.#offset;
  }

  push(chunk: Uint8Array): number {
    let i = 0;
    // the common case: a chunk that starts and ends on character boundaries
    if (this.#need === 0 && isUtf8(chunk)) {
      this.#offset += chunk.length;
      return -1;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      const at = this.#offset + i;
      if (this.#need > 0) {
        if (b < this.#lo || b > this.#hi) return at;
        this.#lo = 0x80;
        this.#hi = 0xbf;
        this.#need--;
        continue;
      }
      this.#seqStart = at;
      if (b < 0x80) continue;
      if (b >= 0xc2 && b <= 0xdf) this.#need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.#need = 2;
        if (b === 0xe0) this.#lo = 0xa0; // overlong
        if (b === 0xed) this.#hi = 0x9f; // surrogates
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.#need = 3;
        if (b === 0xf0) this.#lo = 0x90; // overlong
        if (b === 0xf4) this.#hi = 0x8f; // above U+10FFFF
      } else return at;
    }
    this.#offset += chunk.length;
    return -1;
  }

  /** -1, or the offset of a sequence the input ended inside of. */
  end(): number {
    return this.#need > 0 ? this.#seqStart : -1;
  }
}

/** The offset of the first byte that makes `bytes` invalid UTF-8, or -1 when it is valid. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  const checker = new Utf8Checker();
  const at = checker.push(bytes);
  return at >= 0 ? at : checker.end();
}

/**
 * False for a string holding a lone UTF-16 surrogate (a JSON escape such as "\ud800" without its
 * pair): UTF-8 cannot encode it, and Buffer.from would store U+FFFD in its place.
 * (ES2024's String#isWellFormed: Node 20 has it; this project's lib is ES2023.)
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
