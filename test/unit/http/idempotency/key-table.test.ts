import { describe, expect, it } from '@jest/globals';
import { KeyTable, type Answer, type Claim } from '../../../../src/http/idempotency/key-table.js';

const TTL = 60_000;
const claim = (nonce: string, at: number, extra: Partial<Claim> = {}): Claim => ({ fp: 'fp', owner: 'r1-0', nonce, at, ...extra });
const answer = (nonce: string, at: number): Answer => ({ fp: 'fp', status: 200, contentType: 'application/json', body: '{}', at, nonce });

describe('KeyTable', () => {
  it('the first claim of a free key wins; a later one loses unless it names the holder', () => {
    const t = new KeyTable(TTL);
    expect(t.applyClaim('k', claim('a', 1000))).toBe(true);
    expect(t.applyClaim('k', claim('b', 1001))).toBe(false);
    expect(t.lookup('k', 1002)).toEqual({ kind: 'claimed', claim: claim('a', 1000) });
    // two takeovers of the same holder: the first in the log wins, the second names a claim that no longer holds
    expect(t.applyClaim('k', claim('c', 2000, { over: 'a' }))).toBe(true);
    expect(t.applyClaim('k', claim('d', 2001, { over: 'a' }))).toBe(false);
    expect(t.lookup('k', 2002)).toMatchObject({ kind: 'claimed', claim: { nonce: 'c' } });
  });

  it('an answer settles the key: it is replayed, and claims are ignored until it expires', () => {
    const t = new KeyTable(TTL);
    t.applyClaim('k', claim('a', 1000));
    t.applyAnswer('k', answer('a', 1100));
    expect(t.lookup('k', 2000)).toEqual({ kind: 'answered', answer: answer('a', 1100) });
    expect(t.applyClaim('k', claim('b', 3000, { over: 'a' }))).toBe(false);
    // past the ttl (judged on the claim's own time): free again, and a new claim wins
    expect(t.lookup('k', 1100 + TTL)).toEqual({ kind: 'free' });
    expect(t.applyClaim('k', claim('e', 1100 + TTL))).toBe(true);
  });

  it('a release by the holding claim frees the key; a stale one changes nothing', () => {
    const t = new KeyTable(TTL);
    t.applyClaim('k', claim('a', 1000));
    t.applyRelease('k', 'zzz');
    expect(t.lookup('k', 1001).kind).toBe('claimed');
    t.applyRelease('k', 'a');
    expect(t.lookup('k', 1001)).toEqual({ kind: 'free' });
    expect(t.size).toBe(0);
  });

  it('an expired claim is free to take, and sweep forgets expired keys', () => {
    const t = new KeyTable(TTL);
    t.applyClaim('old', claim('a', 0));
    t.applyClaim('new', claim('b', TTL));
    expect(t.applyClaim('old', claim('c', TTL + 1))).toBe(true);
    t.applyAnswer('done', answer('d', 10));
    expect(t.sweep(TTL + 10)).toBe(1);
    expect(t.size).toBe(2);
  });

  it('every replica reaches the same verdicts from the same log, whatever it read of the answers first', () => {
    // replica X read the answer before the late claim, replica Y after it
    const x = new KeyTable(TTL);
    const y = new KeyTable(TTL);
    for (const t of [x, y]) t.applyClaim('k', claim('a', 1000));
    x.applyAnswer('k', answer('a', 1100));
    const late = claim('b', 1200);
    expect(x.applyClaim('k', late)).toBe(false);
    expect(y.applyClaim('k', late)).toBe(false);
  });
});
