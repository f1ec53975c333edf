/**
 * The ping run's timing on a fake clock: Jest's timers and `performance` are replaced, so
 * cadences, timeouts and late replies are asserted exactly and a busy machine cannot move them
 * (the wall-clock version of these tests failed once under load: 34.6 ms >= 35 ms).
 */
import type { CommandRecord } from '../../../src/protocol/commands.js';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Clock, ControlIo } from '../../../src/control/control-io.js';
import { runPing, type PingOptions, type PingReporter } from '../../../src/control/ping-run.js';
import type { PingSummary } from '../../../src/control/ping-tracker.js';
import type { ReceivedEvent } from '../../../src/protocol/types.js';

// read at call time: the faked globals, not the real perf_hooks export runPing uses by default
const now = (): number => globalThis.performance.now();
const fakeClock: Clock = { mono: now, wall: () => Date.now() };

beforeEach(() => {
  jest.useFakeTimers({ now: 1_754_202_651_997 });
});
afterEach(() => {
  jest.useRealTimers();
});

/** Runs a ping on the fake clock to its end; resolves with its summary and the fake time it took. */
async function run(io: ControlIo, opts: PingOptions, reporter: PingReporter): Promise<{ summary: PingSummary; tookMs: number }> {
  const t0 = now();
  let done = false;
  const result = runPing(io, opts, reporter, fakeClock).finally(() => (done = true));
  result.catch(() => undefined);
  for (let i = 0; i < 100_000 && !done; i++) await jest.advanceTimersByTimeAsync(1);
  return { summary: await result, tookMs: now() - t0 };
}

/** A fake service on the other side: answers after `delayMs`, or not at all for some seqs. */
function fakeIo(opts: {
  delayMs: (n: number) => number | undefined;
  legacy?: boolean;
}): ControlIo & { sentAt: number[]; keys: string[]; listenedBeforeSend: boolean } {
  let onEvent: ((e: ReceivedEvent, t: number) => void) | undefined;
  let n = 0;
  const io = {
    sentAt: [] as number[],
    keys: [] as string[],
    listenedBeforeSend: true,
    async listen(cb: (e: ReceivedEvent, t: number) => void) {
      onEvent = cb;
    },
    async send({ key, command: c }: CommandRecord) {
      io.keys.push(key);
      if (!onEvent) io.listenedBeforeSend = false;
      io.sentAt.push(now());
      const delay = opts.delayMs(++n);
      if (delay !== undefined) {
        setTimeout(() => {
          const pong: ReceivedEvent = {
            event: 'pong',
            queue_id: 'q1',
            ping_ts: c.sent_at,
            ponged_at: c.sent_at + 0.001,
            ...(opts.legacy ? {} : { command_id: c.command_id }),
          };
          onEvent?.(pong, now());
        }, delay);
      }
      return { partition: 0, offset: n };
    },
    async close() {},
  };
  return io;
}

function recorder(): PingReporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    start: () => lines.push('start'),
    sent: () => undefined,
    outcome: (o) => lines.push(`${o.kind}:${o.seq}`),
    timeout: (p) => lines.push(`timeout:${p.seq}`),
    summary: () => lines.push('summary'),
  };
}

describe('a ping run', () => {
  it('listens before it sends, answers every ping, and ends as soon as all are answered', async () => {
    const io = fakeIo({ delayMs: () => 5 });
    const rep = recorder();
    const { summary, tookMs } = await run(io, { target: 'q1', repeat: 3, intervalMs: 30, timeoutMs: 5000 }, rep);
    expect(io.listenedBeforeSend).toBe(true);
    // each ping's record is keyed by the queue it is for (protocol's commandRecord)
    expect(io.keys).toEqual(['q1', 'q1', 'q1']);
    expect(summary.queues[0]).toMatchObject({ sent: 3, received: 3, lost: 0 });
    expect(rep.lines).toEqual(['start', 'reply:1', 'reply:2', 'reply:3', 'summary']);
    // the last reply comes at 65 ms: it stops at the next check, not at the 5 s timeout
    expect(tookMs).toBeLessThan(100);
  });

  it('keeps a fixed cadence even when replies take longer than the interval', async () => {
    const io = fakeIo({ delayMs: () => 300 });
    await run(io, { target: 'q1', repeat: 5, intervalMs: 40, timeoutMs: 5000 }, recorder());
    expect(io.sentAt.map((t) => t - (io.sentAt[0] as number))).toEqual([0, 40, 80, 120, 160]);
  });

  it('reports a lost ping once, then a late reply as late', async () => {
    // pings at 0, 300, 600 ms with a 400 ms timeout; the 2nd reply comes 500 ms after its ping
    const io = fakeIo({ delayMs: (n) => (n === 2 ? 500 : 5) });
    const rep = recorder();
    const { summary } = await run(io, { target: 'q1', repeat: 3, intervalMs: 300, timeoutMs: 400 }, rep);
    expect(rep.lines.filter((l) => l === 'timeout:2')).toHaveLength(1);
    expect(rep.lines).toContain('late:2');
    expect(rep.lines.indexOf('timeout:2')).toBeLessThan(rep.lines.indexOf('late:2'));
    expect(summary.queues[0]).toMatchObject({ received: 2, lost: 1, late: 1 });
  });

  it('waits out the timeout of the last ping when it is never answered', async () => {
    const io = fakeIo({ delayMs: (n) => (n === 2 ? undefined : 5) });
    const rep = recorder();
    const { summary, tookMs } = await run(io, { target: 'q1', repeat: 2, intervalMs: 100, timeoutMs: 1000 }, rep);
    expect(summary.queues[0]).toMatchObject({ sent: 2, received: 1, lost: 1 });
    // the 2nd ping leaves at 100 ms and times out at 1100 ms; the ticker sees it within 20 ms
    expect(tookMs).toBeGreaterThanOrEqual(1100);
    expect(tookMs).toBeLessThanOrEqual(1125);
  });

  it('matches legacy pongs that carry no command_id', async () => {
    const { summary } = await run(
      fakeIo({ delayMs: () => 5, legacy: true }),
      { target: 'q1', repeat: 2, intervalMs: 20, timeoutMs: 2000 },
      recorder(),
    );
    expect(summary.queues[0]).toMatchObject({ received: 2, lost: 0 });
  });

  it('gives up on a send that Kafka rejects', async () => {
    const io = fakeIo({ delayMs: () => 5 });
    io.send = async () => {
      throw new Error('produce failed');
    };
    await expect(run(io, { target: 'q1', repeat: 2, intervalMs: 10, timeoutMs: 1000 }, recorder())).rejects.toThrow('produce failed');
  });
});

describe('Ctrl-C', () => {
  it('stops sending at once and still summarises what was seen', async () => {
    const io = fakeIo({ delayMs: () => 5 });
    const stop = new AbortController();
    const rep = recorder();
    setTimeout(() => stop.abort(), 120);
    const { summary, tookMs } = await run(io, { target: 'q1', repeat: 1000, intervalMs: 50, timeoutMs: 5000, signal: stop.signal }, rep);
    // pings at 0, 50 and 100 ms; the abort at 120 ms ends the run at the next check
    expect(summary.sent).toBe(3);
    expect(tookMs).toBeLessThan(150);
    expect(rep.lines.at(-1)).toBe('summary');
  });
});
