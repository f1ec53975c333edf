/** What Kafka stores for a request's `message`: enrichment adds, never overwrites, and is shared per millisecond. */
import { describe, expect, it } from '@jest/globals';
import { enrichment, messageValue } from '../../../../src/http/publish/message-value.js';

const at = (iso: string) => new Date(iso);

describe('message values', () => {
  it('splices the enrichment in front of an object, keeps the client fields, and leaves other values alone', () => {
    const added = enrichment('src', at('2024-01-01T12:00:00.000Z'));
    expect(JSON.parse(String(messageValue({ a: 1 }, added)))).toEqual({
      timestamp: '2024-01-01T12:00:00.000Z',
      source: 'src',
      server_time: 1704110400,
      a: 1,
    });
    expect(JSON.parse(String(messageValue({}, added)))).toEqual(added.fields);
    expect(JSON.parse(String(messageValue({ source: 'mine', b: 2 }, added)))).toMatchObject({
      source: 'mine',
      b: 2,
      server_time: 1704110400,
    });
    expect(String(messageValue('text', added))).toBe('text');
    expect(String(messageValue([1, 2], added))).toBe('[1,2]');
    expect(String(messageValue({ a: 1 }, undefined))).toBe('{"a":1}');
  });

  it('is computed once per millisecond and source: the same instant shares it, another one does not', () => {
    const first = enrichment('src', at('2024-01-01T12:00:00.001Z'));
    expect(enrichment('src', at('2024-01-01T12:00:00.001Z'))).toBe(first);
    const next = enrichment('src', at('2024-01-01T12:00:00.002Z'));
    expect(next).not.toBe(first);
    expect(next.fields).toEqual({ timestamp: '2024-01-01T12:00:00.002Z', source: 'src', server_time: 1704110400.002 });
    expect(enrichment('other', at('2024-01-01T12:00:00.002Z')).fields.source).toBe('other');
  });
});
