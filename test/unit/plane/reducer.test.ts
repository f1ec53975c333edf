import { describe, expect, it } from '@jest/globals';
import type { Command, ReceivedEvent } from '../../../src/protocol/types.js';
import {
  forgettable,
  initialPlaneState,
  matchesFilter,
  queueHealth,
  queueRows,
  planeReducer,
  type Incoming,
  type PlaneState,
} from '../../../src/plane/reducer.js';

let offset = 0;
const meta = () => ({ topic: 'queue-events', partition: 0, offset: offset++, key: null, timestamp: undefined });
const ev = (event: Partial<ReceivedEvent> & { event: ReceivedEvent['event']; queue_id: string }): Incoming => ({
  kind: 'event',
  event: event as ReceivedEvent,
  ...meta(),
});
const cmd = (c: Command): Incoming => ({ kind: 'command', command: c, ...meta() });
const apply = (state: PlaneState, items: Incoming[], now = 1_000_000): PlaneState => planeReducer(state, { type: 'records', items, now });

describe('the watch reducer', () => {
  it('turns events into one row per queue, with the latest status and growing records_written', () => {
    const s = apply(initialPlaneState(100), [
      ev({
        event: 'started',
        queue_id: 'q1',
        status: 'started',
        symbol: 'BTCUSDT',
        type: 'api',
        producer: 'loader',
        records_written: 0,
        timestamp: 1000,
      }),
      ev({ event: 'loading', queue_id: 'q1', status: 'loading', records_written: 500, timestamp: 1010 }),
      ev({ event: 'started', queue_id: 'q2', status: 'started', timestamp: 1005 }),
    ]);
    expect(queueRows(s).map((r) => [r.queueId, r.status, r.symbol, r.recordsWritten, r.lastEventAt])).toEqual([
      ['q1', 'loading', 'BTCUSDT', 500, 1_010_000],
      ['q2', 'started', null, null, 1_005_000],
    ]);
  });

  it('counts pings (to a queue and to "*") and pongs; keeps the last round trip of our own pings', () => {
    let s = apply(initialPlaneState(100), [ev({ event: 'started', queue_id: 'a' }), ev({ event: 'started', queue_id: 'b' })]);
    s = apply(s, [
      cmd({ queue_id: 'a', command: 'ping', sent_at: 1 }),
      cmd({ queue_id: '*', command: 'ping', sent_at: 2 }),
      ev({ event: 'pong', queue_id: 'a', ping_ts: 1 }),
      cmd({ queue_id: 'a', command: 'stop', sent_at: 3 }),
    ]);
    s = planeReducer(s, { type: 'rtt', queueId: 'a', ms: 4.2 });
    const [a, b] = queueRows(s);
    expect([a?.pings, a?.pongs, a?.lastRttMs, a?.status]).toEqual([2, 1, 4.2, 'started']);
    expect(b?.pings).toBe(1);
  });

  it('displays legacy events without timestamp or status', () => {
    const s = apply(initialPlaneState(10), [ev({ event: 'interrupted', queue_id: 'old', kafka_user: 'x' } as never)], 5000);
    expect(queueRows(s)[0]).toMatchObject({ queueId: 'old', status: 'interrupted', lastEventAt: 5000, terminalEvents: 1 });
  });

  it('marks stale, ended and conflicting queues', () => {
    const s = apply(initialPlaneState(10), [
      ev({ event: 'started', queue_id: 'quiet', timestamp: 100 }),
      ev({ event: 'finished', queue_id: 'done', timestamp: 100 }),
      ev({ event: 'finished', queue_id: 'twice', timestamp: 100 }),
      ev({ event: 'error', queue_id: 'twice', timestamp: 101 }),
    ]);
    const health = Object.fromEntries(queueRows(s).map((r) => [r.queueId, queueHealth(r, 200_000, 60_000)]));
    expect(health).toEqual({ quiet: 'stale', done: 'ended', twice: 'conflict' });
    expect(
      queueHealth(
        queueRows(s).find((r) => r.queueId === 'quiet')!,
        130_000,
        60_000,
      ),
    ).toBe('ok');
  });

  it('keeps invalid messages as warnings and counts them', () => {
    const s = apply(initialPlaneState(10), [{ kind: 'invalid', reason: 'not JSON', raw: 'garbage', ...meta() }]);
    expect(s.invalid).toBe(1);
    expect(s.log[0]?.item.kind).toBe('invalid');
    expect(s.queues.size).toBe(0);
  });

  it('is a ring buffer of --max-events, oldest dropped first, even within one batch', () => {
    let s = initialPlaneState(3);
    s = apply(s, [ev({ event: 'pong', queue_id: 'a' }), ev({ event: 'pong', queue_id: 'b' })]);
    s = apply(s, [ev({ event: 'pong', queue_id: 'c' }), ev({ event: 'pong', queue_id: 'd' })]);
    expect(s.log.map((e) => (e.item.kind === 'event' ? e.item.event.queue_id : ''))).toEqual(['b', 'c', 'd']);
    s = apply(
      s,
      ['e', 'f', 'g', 'h', 'i'].map((q) => ev({ event: 'pong', queue_id: q })),
    );
    expect(s.log.map((e) => e.seq)).toEqual([7, 8, 9]);
    expect(s.total).toBe(9);
  });

  it('is pure: the old state is untouched', () => {
    const before = apply(initialPlaneState(10), [ev({ event: 'started', queue_id: 'a' })]);
    const snapshot = JSON.stringify({ log: before.log, queues: [...before.queues] });
    apply(before, [ev({ event: 'finished', queue_id: 'a' })]);
    planeReducer(before, { type: 'clear' });
    expect(JSON.stringify({ log: before.log, queues: [...before.queues] })).toBe(snapshot);
  });

  it('keeps no log at all with maxEvents 0 (the monitor), and still counts', () => {
    const s = apply(initialPlaneState(0), [ev({ event: 'started', queue_id: 'a' }), ev({ event: 'pong', queue_id: 'a' })]);
    expect(s.log).toEqual([]);
    expect(s.total).toBe(2);
    expect(queueRows(s)[0]).toMatchObject({ queueId: 'a', status: 'started', pongs: 1 });
  });

  it('forgets ended and stale queues silent for the given time, never live ones', () => {
    let s = apply(initialPlaneState(0), [
      ev({ event: 'started', queue_id: 'live', timestamp: 100 }),
      ev({ event: 'started', queue_id: 'killed', timestamp: 90 }),
      ev({ event: 'finished', queue_id: 'done', timestamp: 100 }),
      ev({ event: 'finished', queue_id: 'late', timestamp: 150 }),
      ev({ event: 'finished', queue_id: 'twice', timestamp: 100 }),
      ev({ event: 'error', queue_id: 'twice', timestamp: 101 }),
    ]);
    // stale after 65 s without an event: only "killed" (silent 70 s) is
    expect(forgettable(s, 160_000, 50_000, 65_000).sort()).toEqual(['done', 'killed', 'twice']);
    expect(forgettable(s, 160_000, 75_000, 65_000)).toEqual([]);
    const before = s;
    s = planeReducer(s, { type: 'forget', queueIds: forgettable(s, 160_000, 50_000, 65_000) });
    expect(queueRows(s).map((r) => r.queueId)).toEqual(['late', 'live']);
    expect(before.queues.size).toBe(5);
    expect(planeReducer(s, { type: 'forget', queueIds: ['unknown'] })).toBe(s);
  });

  it('clear empties the log and keeps the queues', () => {
    const s = planeReducer(apply(initialPlaneState(10), [ev({ event: 'started', queue_id: 'a' })]), { type: 'clear' });
    expect(s.log).toEqual([]);
    expect(s.queues.size).toBe(1);
  });
});

describe('filters', () => {
  const entry = (item: Incoming) => ({ seq: 1, at: 0, item });
  it('match an event type, a queue id substring, or free text', () => {
    const e = entry(ev({ event: 'pong', queue_id: 'loader-btcusdt', message: 'hello' } as never));
    expect(matchesFilter(e, 'pong')).toBe(true);
    expect(matchesFilter(e, 'btc')).toBe(true);
    expect(matchesFilter(e, 'hello')).toBe(true);
    expect(matchesFilter(e, 'started')).toBe(false);
    expect(matchesFilter(e, '')).toBe(true);
    expect(matchesFilter(entry({ kind: 'invalid', reason: 'not JSON', raw: 'x', ...meta() }), 'invalid')).toBe(true);
  });
});
