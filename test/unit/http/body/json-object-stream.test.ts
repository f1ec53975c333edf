/** body/json-object-stream.ts: JSON objects one after another, split as the text arrives, however it is cut. */
import { describe, expect, it } from '@jest/globals';
import { HttpError } from '../../../../src/errors.js';
import { JsonObjectSplitter } from '../../../../src/http/body/json-object-stream.js';

function split(chunks: readonly string[], max = 1000): string[] {
  const out: string[] = [];
  const s = new JsonObjectSplitter(max);
  for (const c of chunks) s.push(c, (r) => out.push(r));
  s.end();
  return out;
}

describe('JsonObjectSplitter', () => {
  const body = '{"a":"}{\\"x"}\n{"b":[1,{"c":2}]} {"d":"\\\\"}';
  const objects = ['{"a":"}{\\"x"}', '{"b":[1,{"c":2}]}', '{"d":"\\\\"}'];

  it('finds the objects whole, braces and escapes inside strings included', () => {
    expect(split([body])).toEqual(objects);
  });

  it('gives the same objects whatever the chunks: cut at every position', () => {
    for (let i = 0; i <= body.length; i++) expect(split([body.slice(0, i), body.slice(i)])).toEqual(objects);
    expect(split(body.split(''))).toEqual(objects);
  });

  it('refuses what is not an object (400, naming the record), an array with the batch route as the hint', () => {
    const err = (() => {
      try {
        split(['{"a":1} [{"b":2}]']);
      } catch (e) {
        return e as HttpError;
      }
      return undefined;
    })();
    expect([err?.statusCode, err?.message]).toEqual([400, 'record 1: expected a JSON object, found "[{\\"b\\":2}]"']);
    expect(err?.hint).toMatch(/records:batch/);
  });

  it('an object left open at the end is a 400; one longer than the limit a 413, after the ones before it', () => {
    expect(() => split(['{"a":1} {"b":'])).toThrow(/the body ends inside record 1/);
    const emitted: string[] = [];
    const s = new JsonObjectSplitter(10);
    expect(() => s.push('{"a":1}{"long":"0123456789"', (r) => emitted.push(r))).toThrow(/record 1 is larger than --body-limit/);
    expect(emitted).toEqual(['{"a":1}']);
  });
});
