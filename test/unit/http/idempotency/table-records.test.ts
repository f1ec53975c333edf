import { describe, expect, it } from '@jest/globals';
import {
  decodeAnswer,
  decodeClaimsRecord,
  encodeAnswer,
  encodeClaim,
  encodeRelease,
} from '../../../../src/http/idempotency/table-records.js';

describe("the idempotency topics' records", () => {
  it('round-trip claims, takeovers, releases and answers', () => {
    const claim = { fp: 'f', owner: 'o', nonce: 'n.1', at: 5 };
    expect(decodeClaimsRecord(Buffer.from(encodeClaim(claim)))).toEqual({ kind: 'claim', claim });
    const over = { ...claim, over: 'n.0' };
    expect(decodeClaimsRecord(Buffer.from(encodeClaim(over)))).toEqual({ kind: 'claim', claim: over });
    expect(decodeClaimsRecord(Buffer.from(encodeRelease('n.1')))).toEqual({ kind: 'release', nonce: 'n.1' });
    const answer = { fp: 'f', status: 207, contentType: 'application/json', body: '{"a":1}', at: 9, nonce: 'n.1' };
    expect(decodeAnswer(Buffer.from(encodeAnswer(answer)))).toEqual(answer);
  });

  it.each([
    null,
    '',
    'not json',
    '[]',
    '{"v":2,"claim":1,"fp":"f","owner":"o","nonce":"n","at":1}',
    '{"v":1,"claim":1,"fp":"f","nonce":"n","at":1}',
    '{"v":1,"claim":1,"fp":"f","owner":"o","nonce":"n","at":"1"}',
  ])('skips a claims record that is not one: %j', (raw) => {
    expect(decodeClaimsRecord(raw === null ? null : Buffer.from(raw))).toBeUndefined();
  });

  it.each([
    '{"v":1,"fp":"f","status":99,"type":"t","body":"","at":1,"nonce":"n"}',
    '{"v":1,"fp":"f","status":200,"type":"t","at":1,"nonce":"n"}',
  ])('skips an answer that is not one: %s', (raw) => {
    expect(decodeAnswer(Buffer.from(raw))).toBeUndefined();
  });
});
