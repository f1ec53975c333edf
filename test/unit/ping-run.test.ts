import { describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { runPing, type ControlIo, type PingReporter } from '../../src/control/ping-run.js';
import type { OutgoingCommand, ReceivedEvent } from '../../src/protocol/types.js';

/** A fake service on the other side: answers after `delayMs`, or not at all for some seqs. */
function fakeIo(opts: {
  delayMs: (n: number) => number | undefined;
  legacy?: boolean;
}): ControlIo & { sentAt: number[]; listenedBeforeSend: boolean } {
  let onEvent: ((e: ReceivedEvent, t: number) => void) | undefined;
  let n = 0;
  const io = {
    sentAt: [] as number[],
    listenedBeforeSend: true,
    async listen(cb: (e: ReceivedEvent, t: number) => void) {
      onEvent = cb;
    },
    async send(c: OutgoingCommand) {
      if (!onEvent) io.listenedBeforeSend = false;
      io.sentAt.push(performance.now());
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
          onEvent?.(pong, performance.now());
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
    const t0 = performance.now();
    const s = await runPing(io, { target: 'q1', repeat: 3, intervalMs: 30, timeoutMs: 5000 }, rep);
    expect(io.listenedBeforeSend).toBe(true);
    expect(s.queues[0]).toMatchObject({ sent: 3, received: 3, lost: 0 });
    expect(rep.lines).toEqual(['start', 'reply:1', 'reply:2', 'reply:3', 'summary']);
    // not the 5 s timeout: it stops when nothing is left to wait for
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('keeps a fixed cadence even when replies take longer than the interval', async () => {
    // Replies take 300 ms, pings are due every 40 ms: on a fixed cadence the 5th ping leaves at
    // ~160 ms; had the cadence waited for replies it would leave after 1200 ms. The margin
    // between the two is wide enough for a loaded machine, so this is not a timing test.
    const io = fakeIo({ delayMs: () => 300 });
    await runPing(io, { target: 'q1', repeat: 5, intervalMs: 40, timeoutMs: 5000 }, recorder());
    const offsets = io.sentAt.map((t) => t - (io.sentAt[0] as number));
    offsets.forEach((o, i) => expect(o).toBeGreaterThanOrEqual(i * 40 - 5));
    expect(offsets.at(-1)).toBeLessThan(600);
  });

  it('reports a lost ping once, then a late reply as late', async () => {
    // pings at 0, 300, 600 ms with a 400 ms timeout; the 2nd reply comes after 500 ms (100 ms
    // past its deadline, 200 ms before the run's end): wide margins, not a timing test
    const io = fakeIo({ delayMs: (n) => (n === 2 ? 500 : 5) });
    const rep = recorder();
    const s = await runPing(io, { target: 'q1', repeat: 3, intervalMs: 300, timeoutMs: 400 }, rep);
    expect(rep.lines.filter((l) => l === 'timeout:2')).toHaveLength(1);
    expect(rep.lines).toContain('late:2');
    expect(s.queues[0]).toMatchObject({ received: 2, lost: 1, late: 1 });
  });

  it('matches legacy pongs that carry no command_id', async () => {
    const s = await runPing(
      fakeIo({ delayMs: () => 5, legacy: true }),
      { target: 'q1', repeat: 2, intervalMs: 20, timeoutMs: 2000 },
      recorder(),
    );
    expect(s.queues[0]).toMatchObject({ received: 2, lost: 0 });
  });

  it('gives up on a send that Kafka rejects', async () => {
    const io = fakeIo({ delayMs: () => 5 });
    io.send = async () => {
      throw new Error('produce failed');
    };
    await expect(runPing(io, { target: 'q1', repeat: 2, intervalMs: 10, timeoutMs: 1000 }, recorder())).rejects.toThrow('produce failed');
  });
});

describe('Ctrl-C', () => {
  it('stops sending at once and still summarises what was seen', async () => {
    const io = fakeIo({ delayMs: () => 5 });
    const stop = new AbortController();
    const rep = recorder();
    setTimeout(() => stop.abort(), 120);
    const t0 = performance.now();
    const s = await runPing(io, { target: 'q1', repeat: 1000, intervalMs: 50, timeoutMs: 5000, signal: stop.signal }, rep);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(s.sent).toBeGreaterThanOrEqual(2);
    expect(s.sent).toBeLessThan(10);
    expect(rep.lines.at(-1)).toBe('summary');
  });
});
