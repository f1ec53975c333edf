/**
 * Monitor's probes on a hand-driven clock: the prober has no timers of its own, so timeouts,
 * late pongs and the schedule's spread are asserted exactly.
 */
import { describe, expect, it } from '@jest/globals';
import type { Clock } from '../../../src/control/control-io.js';
import { Prober, ProbeSchedule, type ProbeListener } from '../../../src/monitor/prober.js';
import type { OutgoingCommand, ReceivedEvent } from '../../../src/protocol/types.js';

function rig(opts: { sendFails?: boolean } = {}) {
  let mono = 1000;
  const wall = 1_754_202_651_997;
  const clock: Clock = { mono: () => mono, wall: () => wall + mono };
  const sent: OutgoingCommand[] = [];
  const keys: string[] = [];
  const log: string[] = [];
  const listener: ProbeListener = {
    answered: (q, rtt) => log.push(`answered ${q} ${rtt}`),
    timedOut: (q) => log.push(`timedOut ${q}`),
    ended: (q, r) => log.push(`ended ${q} ${r}`),
    sendFailed: (q, err) => log.push(`sendFailed ${q} ${(err as Error).message}`),
  };
  const prober = new Prober({
    timeoutMs: 500,
    clock,
    listener,
    send: async (c) => {
      sent.push(c.command);
      keys.push(c.key);
      if (opts.sendFails) throw new Error('broker down');
      return { partition: 0, offset: sent.length };
    },
  });
  return {
    prober,
    sent,
    keys,
    log,
    advance: (ms: number, tick = true) => {
      mono += ms;
      if (tick) prober.tick(mono);
    },
    pong: (c: OutgoingCommand | undefined, legacy = false) => {
      const e: ReceivedEvent = legacy
        ? { event: 'pong', queue_id: c!.queue_id, ping_ts: c!.sent_at }
        : { event: 'pong', queue_id: c!.queue_id, command_id: c!.command_id, ping_ts: c!.sent_at };
      prober.event(e, mono);
    },
  };
}

describe('the prober', () => {
  it('pings each queue by its own id and reports the round trip of its pong', () => {
    const r = rig();
    r.prober.probe('q1');
    r.prober.probe('q2');
    expect(r.keys).toEqual(r.sent.map((c) => c.queue_id));
    expect(r.sent.map((c) => [c.queue_id, c.command])).toEqual([
      ['q1', 'ping'],
      ['q2', 'ping'],
    ]);
    r.advance(12);
    r.pong(r.sent[1]);
    r.advance(3);
    r.pong(r.sent[0], true);
    expect(r.log).toEqual(['answered q2 12', 'ended q2 answered', 'answered q1 15', 'ended q1 answered']);
    expect(r.prober.outstanding).toBe(0);
  });

  it('fails a probe at its timeout, counts it lost when the next replaces it, and late when its pong comes after', () => {
    const r = rig();
    r.prober.probe('q');
    r.advance(500);
    expect(r.log).toEqual([]);
    r.advance(1);
    expect(r.log).toEqual(['timedOut q']);
    r.prober.probe('q');
    expect(r.log).toEqual(['timedOut q', 'ended q lost']);
    r.advance(600);
    r.pong(r.sent[1]);
    expect(r.log).toEqual(['timedOut q', 'ended q lost', 'timedOut q', 'ended q late']);
  });

  it('reports a pong past the timeout as late even before a tick saw the timeout', () => {
    const r = rig();
    r.prober.probe('q');
    r.advance(700, false);
    r.pong(r.sent[0], true);
    expect(r.log).toEqual(['timedOut q', 'ended q late']);
    r.advance(1000);
    expect(r.log).toHaveLength(2);
  });

  it('ignores pongs of other queues, of earlier probes, duplicates and non-pong events', () => {
    const r = rig();
    r.prober.probe('q');
    const first = r.sent[0];
    r.prober.probe('q'); // replaces the first, still in time: no result for it
    r.pong(first);
    r.prober.event({ event: 'started', queue_id: 'q' }, 0);
    r.prober.event({ event: 'pong', queue_id: 'other', command_id: r.sent[1]!.command_id }, 0);
    expect(r.log).toEqual([]);
    r.pong(r.sent[1]);
    r.pong(r.sent[1]);
    expect(r.log).toEqual(['answered q 0', 'ended q answered']);
  });

  it('gives no result when Kafka refuses the ping, and drop() of a timed-out probe counts it lost', async () => {
    const r = rig({ sendFails: true });
    r.prober.probe('q');
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.log).toEqual(['sendFailed q broker down']);
    expect(r.prober.outstanding).toBe(0);
    const ok = rig();
    ok.prober.probe('a');
    ok.prober.probe('b');
    ok.advance(501);
    ok.prober.drop('a');
    ok.prober.drop('nobody');
    expect(ok.log).toEqual(['timedOut a', 'timedOut b', 'ended a lost']);
    // abandoned (the monitor lost Kafka): no result at all, and a late pong is not matched
    ok.prober.abandon();
    ok.pong(ok.sent[1]);
    ok.prober.drop('b');
    expect(ok.log).toEqual(['timedOut a', 'timedOut b', 'ended a lost']);
    expect(ok.prober.outstanding).toBe(0);
  });
});

describe('the probe schedule', () => {
  it('probes every interval, each queue at its own phase, and forgets queues no longer live', () => {
    const s = new ProbeSchedule(1000);
    const queues = Array.from({ length: 200 }, (_, i) => `q${i}`);
    const firstAt = new Map<string, number>();
    for (let t = 0; t <= 3000; t += 10) for (const { queueId: q } of s.due(queues, t)) if (!firstAt.has(q)) firstAt.set(q, t);
    expect(firstAt.size).toBe(200);
    const times = [...firstAt.values()];
    expect(Math.max(...times)).toBeLessThanOrEqual(1000);
    // spread: every tenth of the interval holds between half and twice its share (20)
    const buckets = new Array<number>(10).fill(0);
    for (const t of times) buckets[Math.min(9, Math.floor(t / 100))]!++;
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...buckets)).toBeLessThanOrEqual(40);

    const one = new ProbeSchedule(1000);
    const at: number[] = [];
    for (let t = 0; t <= 5000; t += 10) if (one.due(['solo'], t).length > 0) at.push(t);
    expect(at).toHaveLength(5);
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual([1000, 1000, 1000, 1000]);
    // gone from the live set, then back: it starts again at its phase, not at once
    one.due([], 5010);
    expect(one.due(['solo'], 5020)).toEqual([]);
  });

  it('looking ahead, gives each due queue its own time within the horizon', () => {
    const s = new ProbeSchedule(1000);
    const queues = Array.from({ length: 100 }, (_, i) => `q${i}`);
    const got = s.due(queues, 0, 100);
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((d) => d.at >= 0 && d.at <= 100)).toBe(true);
    expect(new Set(got.map((d) => Math.floor(d.at))).size).toBeGreaterThan(1);
    // the same queues are not handed out twice in one interval
    const again = s.due(queues, 50, 100).map((d) => d.queueId);
    expect(again.filter((q) => got.some((d) => d.queueId === q))).toEqual([]);
  });

  it('probes once after a stall, not once per missed interval', () => {
    const s = new ProbeSchedule(1000);
    let first = -1;
    for (let t = 0; first < 0; t += 10) if (s.due(['q'], t).length > 0) first = t;
    expect(s.due(['q'], first + 10_000)).toEqual([{ queueId: 'q', at: first + 10_000 }]);
    expect(s.due(['q'], first + 10_010)).toEqual([]);
    expect(s.due(['q'], first + 11_000)).toEqual([{ queueId: 'q', at: first + 11_000 }]);
  });
});
