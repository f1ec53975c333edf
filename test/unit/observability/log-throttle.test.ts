import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/observability/logger.js';
import { LogThrottle } from '../../../src/observability/log-throttle.js';

function setup() {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (b: Buffer) => {
    for (const l of b.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  let t = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const throttle = new LogThrottle({
    logger: createLogger({ level: 'info', format: 'json', stream }),
    burst: 3,
    intervalMs: 1000,
    now: () => t,
    later: (fn, ms) => timers.push({ at: t + ms, fn }),
  });
  const advance = (ms: number) => {
    t += ms;
    for (const timer of timers.splice(0).filter((x) => x.at <= t)) timer.fn();
  };
  return { throttle, lines, advance, flushed: () => new Promise((r) => setImmediate(r)) };
}

describe('LogThrottle', () => {
  it('writes the first lines of an interval, counts the rest, and writes the count when the interval ends', async () => {
    const { throttle, lines, advance, flushed } = setup();
    for (let i = 0; i < 87_000; i++) throttle.log('warn', 'produce failed', { i });
    await flushed();
    expect(lines.map((l) => l.i)).toEqual([0, 1, 2]);
    advance(1000);
    await flushed();
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ level: 'warn', msg: 'produce failed (repeated, not logged one by one)', suppressed: 86_997 });
  });

  it('counts each message apart, and a new interval starts with lines again', async () => {
    const { throttle, lines, advance, flushed } = setup();
    for (let i = 0; i < 5; i++) throttle.log('warn', 'a', {});
    for (let i = 0; i < 2; i++) throttle.log('error', 'b', {});
    advance(1500);
    throttle.log('warn', 'a', { again: true });
    await flushed();
    expect(lines.map((l) => `${String(l.msg)}${l.suppressed === undefined ? '' : `:${String(l.suppressed)}`}`)).toEqual([
      'a',
      'a',
      'a',
      'b',
      'b',
      'a (repeated, not logged one by one):2',
      'a',
    ]);
  });

  it('flush writes what is still counted', async () => {
    const { throttle, lines, flushed } = setup();
    for (let i = 0; i < 10; i++) throttle.log('warn', 'x', {});
    throttle.flush();
    await flushed();
    expect(lines.at(-1)).toMatchObject({ suppressed: 7 });
  });
});
