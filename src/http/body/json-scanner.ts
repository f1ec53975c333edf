/**
 * A JSON value found in a request's bytes without parsing it: where it starts and ends, and
 * whether those bytes are already what `JSON.stringify(JSON.parse(them))` would give, so that
 * they can go to Kafka as they are. The produce routes' fast path (docs/benchmarks.md, "Batches:
 * where a record's time goes"): a 100-record v2 batch spent an eighth of its JavaScript thread
 * parsing values into objects and stringifying them back, and more in collecting the garbage.
 *
 * Canonical or nothing: anything this cannot vouch for (a `\u` escape, a number JavaScript would
 * print differently, a key that JSON.parse would reorder or refuses, a duplicate key, nesting past
 * FAST_MAX_DEPTH, or invalid JSON of any kind) makes it give up, and the route parses the body
 * as before, with the same answers and errors. Insignificant whitespace is the one difference it
 * removes itself (compacted()): Python's json.dumps puts a space after every comma and colon.
 */

/** Deeper than this, the parsing path decides (its limit, MAX_JSON_DEPTH, counts the whole body). */
export const FAST_MAX_DEPTH = 128;

/** Keys of one object compared pairwise to find duplicates; more, and the parsing path decides. */
const MAX_KEYS_COMPARED = 64;

/** Bytes of a string read one by one before the rest is searched natively (Buffer#indexOf's call costs that much). */
const LONG_STRING = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

// `__proto__` and `constructor`: json-safety.ts refuses them (with their path); here they only
// send the body to it
const PROTO = Buffer.from('__proto__');
const CONSTRUCTOR = Buffer.from('constructor');

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** The escapes JSON.stringify itself writes: ", \, b, f, n, r, t (it writes `/` and the rest as they are). */
const canonicalEscape = (c: number): boolean =>
  c === QUOTE || c === BACKSLASH || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74;

export class JsonScanner {
  /** the next byte to read */
  pos = 0;
  /** where whitespace was skipped, as [start, end) pairs: compacted() copies around them (the caller clears it) */
  readonly gaps: number[] = [];
  /** the last string read had an escape */
  escaped = false;
  /**
   * Keys looked for at the top level of the next object read (the produce routes' enrichment
   * fields): `sawWatchedKey` says whether one was there. Keys and names are compared quoted.
   */
  watched: readonly Buffer[] | undefined;
  sawWatchedKey = false;
  /** keys of the objects being read, as [start, end) pairs: one array, reused */
  readonly #keys: number[] = [];

  constructor(readonly buf: Buffer) {}

  /** Skips whitespace; the byte there, or -1 at the end. */
  peek(): number {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length && isWs(b[p] as number)) p++;
    // between tokens only (strings are read by string()): whitespace the compact form drops
    if (p !== this.pos) this.gaps.push(this.pos, p);
    this.pos = p;
    return p < b.length ? (b[p] as number) : -1;
  }

  /** Consumes `c` after whitespace; false when something else is there. */
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /** True at the end of the input, whitespace aside. */
  atEnd(): boolean {
    return this.peek() === -1;
  }

  /** Reads a string; false when it is not one, or holds an escape JSON.stringify would not write. */
  string(): boolean {
    const b = this.buf;
    if (b[this.pos] !== QUOTE) return false;
    let p = this.pos + 1;
    this.escaped = false;
    // a key or a short value in a plain loop; past LONG_STRING bytes the closing quote is found
    // natively (memchr) and the bytes before it checked in a tighter loop
    let q = -1;
    for (;;) {
      if (q < p && p - this.pos > LONG_STRING) {
        q = b.indexOf(QUOTE, p);
        if (q < 0) return false;
      }
      if (p >= b.length) return false;
      const c = b[p] as number;
      if (c === QUOTE) break;
      if (c < 0x20) return false;
      if (c === BACKSLASH) {
        if (!canonicalEscape(b[p + 1] ?? 0)) return false;
        this.escaped = true;
        p += 2;
        continue;
      }
      p++;
      if (q > p) {
        while (p < q) {
          const d = b[p] as number;
          if (d < 0x20 || d === BACKSLASH) break;
          p++;
        }
      }
    }
    this.pos = p + 1;
    return true;
  }

  /** Reads a number JavaScript prints exactly as written. */
  number(): boolean {
    const b = this.buf;
    const start = this.pos;
    let p = start;
    if (b[p] === 0x2d) p++;
    const intStart = p;
    if (b[p] === 0x30) p++;
    else if (isDigit(b[p] ?? 0)) while (isDigit(b[p] ?? 0)) p++;
    else return false;
    const intDigits = p - intStart;
    let plain = true;
    if (b[p] === 0x2e) {
      plain = false;
      p++;
      if (!isDigit(b[p] ?? 0)) return false;
      while (isDigit(b[p] ?? 0)) p++;
    }
    if (b[p] === 0x65 || b[p] === 0x45) {
      plain = false;
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      if (!isDigit(b[p] ?? 0)) return false;
      while (isDigit(b[p] ?? 0)) p++;
    }
    this.pos = p;
    // integers of up to 15 digits print as written, but for -0
    if (plain && intDigits <= 15) return !(intDigits === 1 && b[intStart] === 0x30 && start !== intStart);
    const text = b.toString('latin1', start, p);
    return String(Number(text)) === text;
  }

  #literal(word: string): boolean {
    const b = this.buf;
    for (let i = 0; i < word.length; i++) if (b[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  /** Reads any value (whitespace before it skipped); false to give up. */
  value(depth: number): boolean {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === 0x7b) return this.#object(depth + 1);
    if (c === 0x5b) return this.#array(depth + 1);
    if (c === 0x74) return this.#literal('true');
    if (c === 0x66) return this.#literal('false');
    if (c === 0x6e) return this.#literal('null');
    return this.number();
  }

  /**
   * Reads an object's key: a string without escapes that JSON.parse keeps in place and json-safety
   * lets through (an integer-like key would move first; __proto__ and constructor are its to judge).
   */
  key(): boolean {
    const start = this.pos;
    if (!this.string() || this.escaped) return false;
    const b = this.buf;
    if (isDigit(b[start + 1] ?? 0)) return false;
    const len = this.pos - start - 2;
    if (len === PROTO.length && b.compare(PROTO, 0, len, start + 1, this.pos - 1) === 0) return false;
    if (len === CONSTRUCTOR.length && b.compare(CONSTRUCTOR, 0, len, start + 1, this.pos - 1) === 0) return false;
    return true;
  }

  /** True when the key read last, from `start` to pos, is `quoted` (a name in its quotes). */
  isKey(start: number, quoted: Buffer): boolean {
    if (this.pos - start !== quoted.length) return false;
    const b = this.buf;
    for (let i = 0; i < quoted.length; i++) if (b[start + i] !== quoted[i]) return false;
    return true;
  }

  /** True when the key read last is one of `watched`. */
  #isWatched(start: number): boolean {
    for (const name of this.watched ?? []) if (this.isKey(start, name)) return true;
    return false;
  }

  /**
   * Reads an object member's name and its colon, `"<name>":`, where the name is one of `quoted`
   * (names in their quotes): its index there, or -1 for any other name or anything else.
   */
  member(quoted: readonly Buffer[]): number {
    if (this.peek() !== QUOTE) return -1;
    const start = this.pos;
    if (!this.key()) return -1;
    for (let i = 0; i < quoted.length; i++) if (this.isKey(start, quoted[i] as Buffer)) return this.eat(COLON) ? i : -1;
    return -1;
  }

  /** True when bytes [start, end) equal the key at [keyStart, keyEnd). */
  #sameBytes(start: number, end: number, keyStart: number, keyEnd: number): boolean {
    if (end - start !== keyEnd - keyStart) return false;
    const b = this.buf;
    for (let i = 0; i < end - start; i++) if (b[start + i] !== b[keyStart + i]) return false;
    return true;
  }

  /** A duplicate key makes JSON.parse keep only the last one: the parsing path must decide. */
  #isDuplicate(from: number, start: number, end: number): boolean {
    const keys = this.#keys;
    if ((keys.length - from) / 2 >= MAX_KEYS_COMPARED) return true;
    for (let i = from; i < keys.length; i += 2) if (this.#sameBytes(start, end, keys[i] as number, keys[i + 1] as number)) return true;
    return false;
  }

  #object(depth: number): boolean {
    if (depth > FAST_MAX_DEPTH) return false;
    this.pos++;
    if (this.eat(0x7d)) return true;
    const keys = this.#keys;
    const from = keys.length;
    let ok = false;
    for (;;) {
      if (this.peek() !== QUOTE) break;
      const start = this.pos;
      if (!this.key() || this.#isDuplicate(from, start, this.pos)) break;
      if (depth === 1 && this.watched && this.#isWatched(start)) this.sawWatchedKey = true;
      keys.push(start, this.pos);
      if (!this.eat(COLON) || !this.value(depth)) break;
      if (this.eat(COMMA)) continue;
      ok = this.eat(0x7d);
      break;
    }
    keys.length = from;
    return ok;
  }

  #array(depth: number): boolean {
    if (depth > FAST_MAX_DEPTH) return false;
    this.pos++;
    if (this.eat(0x5d)) return true;
    for (;;) {
      if (!this.value(depth)) return false;
      if (this.eat(COMMA)) continue;
      return this.eat(0x5d);
    }
  }
}

/** The gaps that lie inside [start, end), as a fresh array; undefined when there are none. */
export function gapsWithin(gaps: readonly number[], start: number, end: number): number[] | undefined {
  let i = 0;
  while (i < gaps.length && (gaps[i] as number) < start) i += 2;
  let j = i;
  while (j < gaps.length && (gaps[j] as number) < end) j += 2;
  return i === j ? undefined : gaps.slice(i, j);
}

/** Bytes [start, end) less the gaps inside them. */
export function compactLength(start: number, end: number, gaps: readonly number[] | undefined): number {
  let n = end - start;
  if (gaps) for (let i = 0; i < gaps.length; i += 2) if ((gaps[i] as number) >= start) n -= (gaps[i + 1] as number) - (gaps[i] as number);
  return n;
}

/** Copies bytes [start, end) of `buf` less the gaps into `out` at `at`; returns where it stopped. */
export function copyCompacted(
  out: Buffer,
  at: number,
  buf: Buffer,
  start: number,
  end: number,
  gaps: readonly number[] | undefined,
): number {
  let n = at;
  let from = start;
  if (gaps) {
    for (let i = 0; i < gaps.length; i += 2) {
      const to = gaps[i] as number;
      if (to < start) continue;
      n = copySegment(out, n, buf, from, to);
      from = gaps[i + 1] as number;
    }
  }
  return copySegment(out, n, buf, from, end);
}

/** Most segments between gaps are short (a key, a number): a loop beats a native call for them. */
function copySegment(out: Buffer, at: number, buf: Buffer, from: number, to: number): number {
  if (to - from > 24) return at + buf.copy(out, at, from, to);
  let n = at;
  for (let p = from; p < to; p++) out[n++] = buf[p] as number;
  return n;
}

/**
 * The bytes of a value read by JsonScanner from `start` to `end`, without the whitespace it
 * skipped: the slice itself when there was none. `gaps` are the scanner's (whitespace before
 * `start` is ignored; none may lie past `end`).
 */
export function compacted(buf: Buffer, start: number, end: number, gaps: readonly number[]): Buffer {
  const inside = gapsWithin(gaps, start, end);
  if (!inside) return buf.subarray(start, end);
  const out = Buffer.allocUnsafe(compactLength(start, end, inside));
  copyCompacted(out, 0, buf, start, end, inside);
  return out;
}
