import { describe, expect, it } from '@jest/globals';
import { PingTracker, pingFailed } from '../../../src/control/ping-tracker.js';
import type { ReceivedEvent } from '../../../src/protocol/types.js';

const pong = (queue_id: string, extra: Partial<ReceivedEvent>): ReceivedEvent => ({ event: 'pong', queue_id, ...extra });

function tracker(target = 'q1', timeoutMs = 1000): PingTracker {
  const t = new PingTracker(target, timeoutMs);
  t.recordSent({ seq: 1, commandId: 'c1', sentAt: 100.001, sentMono: 0 });
  t.recordSent({ seq: 2, commandId: 'c2', sentAt: 101.001, sentMono: 1000 });
  return t;
}

describe('matching pongs to pings', () => {
  it('matches by command_id and measures the round trip on the monotonic clock', () => {
    const t = tracker();
    expect(t.recordEvent(pong('q1', { command_id: 'c2', ping_ts: 101.001, ponged_at: 101.004 }), 1012)).toEqual({
      kind: 'reply',
      queueId: 'q1',
      seq: 2,
      rttMs: 12,
      oneWayMs: expect.closeTo(3, 6) as unknown as number,
    });
  });

  it('matches a legacy pong without command_id by ping_ts == sent_at', () => {
    const t = tracker();
    expect(t.recordEvent(pong('q1', { ping_ts: 100.001, ponged_at: 100.01 }), 5)).toMatchObject({ kind: 'reply', seq: 1 });
  });

  it('matches a pong with ping_ts null by command_id, without a one-way figure', () => {
    const t = tracker();
    expect(t.recordEvent(pong('q1', { command_id: 'c1', ping_ts: null, ponged_at: 100.5 }), 7)).toEqual({
      kind: 'reply',
      queueId: 'q1',
      seq: 1,
      rttMs: 7,
      oneWayMs: undefined,
    });
    // a legacy pong to someone's command without sent_at answers none of our pings
    expect(t.recordEvent(pong('q1', { ping_ts: null, ponged_at: 100.5 }), 8).kind).toBe('unrelated');
  });

  it('ignores other queues, other events and pongs to pings it did not send', () => {
    const t = tracker();
    expect(t.recordEvent(pong('q2', { command_id: 'c1', ping_ts: 100.001 }), 5).kind).toBe('unrelated');
    expect(t.recordEvent({ event: 'started', queue_id: 'q1' }, 5).kind).toBe('unrelated');
    expect(t.recordEvent(pong('q1', { command_id: 'someone-else', ping_ts: 100.001 }), 5).kind).toBe('unrelated');
    expect(t.recordEvent(pong('q1', { ping_ts: 99 }), 5).kind).toBe('unrelated');
  });

  it('counts duplicates and late replies apart from the received ones', () => {
    const t = tracker();
    expect(t.recordEvent(pong('q1', { command_id: 'c1', ping_ts: 100.001 }), 10).kind).toBe('reply');
    expect(t.recordEvent(pong('q1', { command_id: 'c1', ping_ts: 100.001 }), 11).kind).toBe('duplicate');
    expect(t.recordEvent(pong('q1', { command_id: 'c2', ping_ts: 101.001 }), 2500)).toMatchObject({ kind: 'late', rttMs: 1500 });
    const [q] = t.summary().queues;
    expect(q).toMatchObject({ sent: 2, received: 1, lost: 1, late: 1, duplicates: 1, lossPercent: 50 });
    expect(pingFailed(t.summary())).toBe(true);
  });
});

describe('when a run is over', () => {
  it('settles early once every ping to one queue is answered', () => {
    const t = tracker();
    expect(t.settled(20, true)).toBe(false);
    t.recordEvent(pong('q1', { command_id: 'c1', ping_ts: 100.001 }), 10);
    t.recordEvent(pong('q1', { command_id: 'c2', ping_ts: 101.001 }), 1010);
    expect(t.settled(1011, false)).toBe(false);
    expect(t.settled(1011, true)).toBe(true);
    expect(pingFailed(t.summary())).toBe(false);
  });

  it('reports pings past their deadline as expired, and settles after the last deadline', () => {
    const t = tracker();
    expect(t.expired(1500).map((p) => p.seq)).toEqual([1]);
    expect(t.settled(1999, true)).toBe(false);
    expect(t.settled(2001, true)).toBe(true);
    expect(t.summary().queues[0]).toMatchObject({ received: 0, lost: 2, lossPercent: 100 });
  });

  it('for "*", keeps listening until the last deadline and gives each queue its own figures', () => {
    const t = tracker('*');
    t.recordEvent(pong('a', { command_id: 'c1', ping_ts: 100.001 }), 5);
    t.recordEvent(pong('b', { command_id: 'c1', ping_ts: 100.001 }), 7);
    t.recordEvent(pong('a', { command_id: 'c2', ping_ts: 101.001 }), 1004);
    expect(t.settled(1500, true)).toBe(false);
    expect(t.settled(2001, true)).toBe(true);
    const s = t.summary();
    expect(s.queues.map((q) => [q.queueId, q.received, q.lost])).toEqual([
      ['a', 2, 0],
      ['b', 1, 1],
    ]);
    expect(s.unanswered).toBe(0);
    expect(pingFailed(s)).toBe(true);
  });

  it('fails "*" when nobody answers, and passes a run with nothing sent', () => {
    const t = new PingTracker('*', 1000);
    t.recordSent({ seq: 1, commandId: 'c1', sentAt: 1, sentMono: 0 });
    expect(pingFailed(t.summary())).toBe(true);
    expect(pingFailed(new PingTracker('q', 1000).summary())).toBe(false);
  });
});
