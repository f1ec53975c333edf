import { describe, expect, it } from '@jest/globals';
import { jsonErrorOffset, lineAndColumn } from '../../../../src/http/body/json-error-position.js';

describe('where JSON breaks', () => {
  it.each([
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ['[1,,2]', 3],
    ['{"a" 1}', 5],
    ['{"a": tru}', 9],
    ['{"a": "x\\q"}', 9],
    ['{"a": 01}', 7],
    ['{"a": 1} x', 9],
    ['{"a": "unterminated', 19],
    ['', 0],
    ["{'a': 1}", 1],
  ])('%j breaks at %d', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('finds nothing wrong in valid JSON', () => {
    for (const ok of ['{}', '[]', '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]}', ' 1 ', '"s"']) {
      expect(jsonErrorOffset(ok)).toBe(-1);
      expect(() => JSON.parse(ok)).not.toThrow();
    }
  });

  it('turns an offset into line and column', () => {
    expect(lineAndColumn('{\n  "a": x\n}', 9)).toEqual({ line: 2, column: 8 });
    expect(lineAndColumn('abc', 0)).toEqual({ line: 1, column: 1 });
  });
});
