/**
 * The scanner's one promise: what it accepts, compacted, is byte for byte what
 * JSON.stringify(JSON.parse(text)) gives, and json-safety would let it through; what it cannot
 * vouch for it refuses (the route then parses). Checked on 20,000 generated texts of every
 * kind it must refuse or rewrite, then on the cases by name.
 */
import { describe, expect, it } from '@jest/globals';
import { compacted, FAST_MAX_DEPTH, JsonScanner } from '../../../../src/http/body/json-scanner.js';
import { inspectJson } from '../../../../src/protocol/json-safety.js';

/** mulberry32: the same texts on every run */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = {
  ws: ['', '', '', ' ', '\n', '\t ', '\r\n  '],
  strings: [
    '"a"',
    '"hello world"',
    '""',
    '"é ü 中"',
    '"\\n\\t"',
    '"\\"q\\""',
    '"\\\\"',
    '"\\/"',
    '"\\u0041"',
    '"\\ud800"',
    '"a b"',
    '"😀"',
  ],
  numbers: [
    '0',
    '1',
    '-1',
    '123456789012345',
    '1234567890123456',
    '12345678901234567890',
    '1.5',
    '1.0',
    '-0',
    '0.1',
    '1e3',
    '1E-7',
    '2.50',
    '-12.25',
    '1e21',
    '0.000001',
    '1e-7',
  ],
  keys: ['"a"', '"b"', '"data"', '"ts"', '"1"', '"01"', '"__proto__"', '"constructor"', '"prototype"', '"a b"', '"\\u0061"', '"x\\ny"'],
  broken: ['{', '[1,]', '{"a":}', '{"a" 1}', 'tru', 'nul', '01', '1.', '-', '"\u0001"', '{"a":1,}', '[1 2]', '"abc', "'a'", '+1', '.5'],
};

function generate(next: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const ws = () => pick(pieces.ws);
  const r = next();
  if (depth > 3 || r < 0.35) {
    const leaf = next();
    if (leaf < 0.3) return pick(pieces.strings);
    if (leaf < 0.6) return pick(pieces.numbers);
    if (leaf < 0.7) return pick(['true', 'false', 'null']);
    if (leaf < 0.75) return pick(pieces.broken);
    return pick(pieces.strings);
  }
  const n = Math.floor(next() * 4);
  const members: string[] = [];
  if (r < 0.7) {
    for (let i = 0; i < n; i++) members.push(`${ws()}${pick(pieces.keys)}${ws()}:${ws()}${generate(next, depth + 1)}${ws()}`);
    return `{${members.join(',')}${n === 0 ? ws() : ''}}`;
  }
  for (let i = 0; i < n; i++) members.push(`${ws()}${generate(next, depth + 1)}${ws()}`);
  return `[${members.join(',')}${n === 0 ? ws() : ''}]`;
}

/** The scanner's verdict on a whole text: the compacted bytes, or undefined when it refuses. */
function scan(text: string): string | undefined {
  const buf = Buffer.from(text);
  const s = new JsonScanner(buf);
  s.peek();
  const start = s.pos;
  s.gaps.length = 0;
  if (!s.value(0)) return undefined;
  const end = s.pos;
  if (!s.atEnd()) return undefined;
  return compacted(buf, start, end, s.gaps).toString();
}

describe('JsonScanner', () => {
  it('accepts only what JSON.stringify(JSON.parse(text)) writes back byte for byte, and what json-safety lets through', () => {
    const next = random(42);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = `${pieces.ws[i % 3]}${generate(next, 0)}${pieces.ws[i % 5]}`;
      const got = scan(text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // invalid JSON is never accepted
        expect({ text, got }).toEqual({ text, got: undefined });
        refused++;
        continue;
      }
      if (got === undefined) {
        refused++;
        continue;
      }
      accepted++;
      expect({ text, got }).toEqual({ text, got: JSON.stringify(parsed) });
      expect(inspectJson(parsed, text)).toBeUndefined();
    }
    // both verdicts are exercised: neither side of the check is empty
    expect(accepted).toBeGreaterThan(3000);
    expect(refused).toBeGreaterThan(3000);
  });

  it('removes whitespace between tokens, never inside strings', () => {
    expect(scan('{ "a" : [ 1 , 2 ] ,\n "b":"x y" }')).toBe('{"a":[1,2],"b":"x y"}');
    expect(scan('{"a":"x y"}')).toBe('{"a":"x y"}');
    expect(scan('{"a":"\\" }"}')).toBe('{"a":"\\" }"}');
  });

  it.each([
    ['a \\u escape (JSON.stringify writes the character)', '"\\u0041"'],
    ['an escaped slash', '"a\\/b"'],
    ['a number JavaScript prints otherwise', '1.0'],
    ['an integer past 15 digits', '12345678901234567890'],
    ['minus zero', '-0'],
    ['an integer-like key (JSON.parse moves it first)', '{"b":1,"1":2}'],
    ['a duplicate key (JSON.parse keeps the last)', '{"a":1,"a":2}'],
    ['__proto__', '{"__proto__":{}}'],
    ['constructor', '{"constructor":{"prototype":{}}}'],
    ['an escaped key', '{"\\n":1}'],
    ['a raw control character', '"a\u0001"'],
    ['trailing garbage', '{"a":1} x'],
    ['nesting past FAST_MAX_DEPTH', '['.repeat(FAST_MAX_DEPTH + 1) + ']'.repeat(FAST_MAX_DEPTH + 1)],
  ])('refuses %s', (_what, text) => {
    expect(scan(text)).toBeUndefined();
  });

  it('takes nesting up to FAST_MAX_DEPTH, numbers JavaScript prints as written, and the escapes JSON.stringify writes', () => {
    const deep = '['.repeat(FAST_MAX_DEPTH) + ']'.repeat(FAST_MAX_DEPTH);
    expect(scan(deep)).toBe(deep);
    for (const n of ['0', '-12', '1.5', '0.1', '-12.25', '1e-7', '123456789012345']) expect(scan(n)).toBe(n);
    expect(scan('"\\"\\\\\\b\\f\\n\\r\\t"')).toBe('"\\"\\\\\\b\\f\\n\\r\\t"');
  });

  it('reports a watched key at the top level of the first object only', () => {
    const watch = (text: string) => {
      const s = new JsonScanner(Buffer.from(text));
      s.watched = [Buffer.from('"source"')];
      expect(s.value(0)).toBe(true);
      return s.sawWatchedKey;
    };
    expect(watch('{"a":1,"source":"x"}')).toBe(true);
    expect(watch('{"a":{"source":"x"},"b":"source"}')).toBe(false);
  });
});
