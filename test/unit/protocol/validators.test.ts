/** validators.ts: the produce requests' validators, over bodies json-safety has inspected. */
import { describe, expect, it } from '@jest/globals';
import { inspectJson } from '../../../src/protocol/json-safety.js';
import { describeSchemaErrors, inspectedValidators, validators } from '../../../src/protocol/validators.js';

describe('inspectedValidators: produce requests whose body json-safety has inspected', () => {
  const inspectedProduce = inspectedValidators().produceRequest;
  const fullProduce = validators().produceRequest;
  const verdict = (v: typeof fullProduce, body: unknown) => (v(body) ? 'valid' : describeSchemaErrors(v.errors));

  it('decide every field the schema names exactly as the full validator does', () => {
    const bodies: unknown[] = [
      { topic: 't', message: { a: [1, { b: null }] } },
      { topic: 't', key: 'k', partition: 2, headers: { h: 'v' }, message: 'text' },
      { topic: '', message: 1 },
      { topic: '..', message: 1 },
      { topic: 't' },
      { topic: 't', message: null },
      { topic: 't', message: 1, partition: -1 },
      { topic: 't', message: 1, headers: { h: 1 } },
      { topic: 't', message: 1, extra: true },
      { topic: 7, key: 3, message: 1 },
    ];
    for (const body of bodies) expect(verdict(inspectedProduce, body)).toBe(verdict(fullProduce, body));
  });

  it('leave the poisoning check to the inspection, which refuses what the full validator refuses', () => {
    const text = '{"topic":"t","message":{"ok":[{"__proto__":{"isAdmin":true}}]}}';
    const poisoned = JSON.parse(text) as unknown;
    expect(fullProduce(poisoned)).toBe(false);
    expect(inspectJson(poisoned, text)).toEqual({ kind: 'poison', key: '__proto__', path: expect.stringContaining('ok') });
  });
});
