/** json-safety.ts: what a JSON body may not hold (prototype keys in any spelling, too deep). */
import { describe, expect, it } from '@jest/globals';
import { inspectJson } from '../../../src/protocol/json-safety.js';

describe('inspectJson', () => {
  const nested = (levels: number, leaf: string): string => `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`;

  it('refuses the first container at MAX_JSON_DEPTH, whatever primitives sit beside it', () => {
    const at = (levels: number) => {
      const text = `{"pad":"${'x'.repeat(600)}","n":[1,"a",null,true],"deep":${nested(levels, '1')}}`;
      return inspectJson(JSON.parse(text) as unknown, text);
    };
    // the object is depth 0, so its `deep` array of arrays reaches depth `levels`
    expect(at(255)).toBeUndefined();
    expect(at(256)).toEqual({ kind: 'depth' });
  });

  it('names the path of a forbidden key inside arrays and objects', () => {
    const text = '[1,{"a":"b"},{"items":[null,{"x":{"__proto__":1}}]}]';
    expect(inspectJson(JSON.parse(text) as unknown, text)).toEqual({ kind: 'poison', key: '__proto__', path: '[2].items[1].x.__proto__' });
    const ctor = '{"k":[{"constructor":{"prototype":{}}}]}';
    expect(inspectJson(JSON.parse(ctor) as unknown, ctor)).toEqual({
      kind: 'poison',
      key: 'constructor.prototype',
      path: 'k[0].constructor',
    });
  });

  it('passes a long batch of plain items', () => {
    const text = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ topic: 't', key: `k${i}`, message: { a: [i, { b: null }] } })));
    expect(inspectJson(JSON.parse(text) as unknown, text)).toBeUndefined();
  });
});
