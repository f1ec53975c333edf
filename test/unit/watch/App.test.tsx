/** The terminal view with ink-testing-library and a fake source: rendering, filter, pause, keys. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { render } from 'ink-testing-library';
import type { Command, ReceivedEvent } from '../../../src/protocol/types.js';
import type { Incoming } from '../../../src/plane/reducer.js';
import type { WatchSource } from '../../../src/watch/source.js';
import { App } from '../../../src/watch/ui/App.js';

let offset = 0;
const meta = () => ({ topic: 'queue-events', partition: 0, offset: offset++, key: null, timestamp: 1_700_000_000_000 });
const ev = (e: Partial<ReceivedEvent> & { event: ReceivedEvent['event']; queue_id: string }): Incoming => ({
  kind: 'event',
  event: e as ReceivedEvent,
  ...meta(),
});
const cmd = (c: Command): Incoming => ({ kind: 'command', command: c, ...meta() });

class FakeSource implements WatchSource {
  readonly brokers = 'kafka:9092';
  readonly eventsTopic = 'queue-events';
  readonly pinged: string[] = [];
  readonly stopped: string[] = [];
  #listener: ((items: readonly Incoming[]) => void) | undefined;
  subscribe(l: (items: readonly Incoming[]) => void) {
    this.#listener = l;
    return () => (this.#listener = undefined);
  }
  push(...items: Incoming[]) {
    this.#listener?.(items);
  }
  connection() {
    return 'connected' as const;
  }
  async ping(q: string) {
    this.pinged.push(q);
    return 3.5;
  }
  async stop(q: string) {
    this.stopped.push(q);
  }
}

// a few flush intervals (66 ms): room for a loaded machine
const frame = () => new Promise((r) => setTimeout(r, 250));
let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function start(source = new FakeSource()) {
  const r = render(<App source={source} maxEvents={100} staleMs={60_000} />);
  unmount = r.unmount;
  return { ...r, source };
}

describe('watch view', () => {
  it('shows the header, a row per queue and the event log, newest at the bottom', async () => {
    const { lastFrame, source } = start();
    source.push(
      ev({
        event: 'started',
        queue_id: 'loader-a',
        status: 'started',
        symbol: 'BTCUSDT',
        type: 'api',
        producer: 'loader',
        records_written: 0,
        timestamp: Date.now() / 1000,
      }),
      ev({
        event: 'loading',
        queue_id: 'loader-a',
        status: 'loading',
        records_written: 1200,
        message: 'loading: 1200 records',
        timestamp: Date.now() / 1000,
      }),
      cmd({ queue_id: 'loader-a', command: 'ping', sent_at: 1 }),
      ev({ event: 'pong', queue_id: 'loader-a', ping_ts: 1 }),
    );
    await frame();
    const out = lastFrame() ?? '';
    expect(out).toContain('streamforge watch kafka:9092');
    expect(out).toContain('LIVE');
    expect(out).toMatch(/loader-a\s+loading\s+BTCUSDT\s+api\s+loader\s+1200/);
    expect(out).toMatch(/1\/1/);
    const log = out.slice(out.indexOf('started '));
    expect(log.indexOf('started')).toBeLessThan(log.indexOf('loading'));
    expect(log.indexOf('loading')).toBeLessThan(log.indexOf('pong'));
  });

  it('shows schema violations as warnings, and legacy events fine', async () => {
    const { lastFrame, source } = start();
    source.push({ kind: 'invalid', reason: 'not JSON', raw: 'garbage!', ...meta() }, ev({ event: 'finished', queue_id: 'legacy-q' }));
    await frame();
    expect(lastFrame()).toContain('not JSON: garbage!');
    expect(lastFrame()).toContain('1 invalid');
    expect(lastFrame()).toMatch(/legacy-q\s+finished/);
  });

  it('marks conflicting queues (two terminal events)', async () => {
    const { lastFrame, source } = start();
    source.push(
      ev({ event: 'finished', queue_id: 'twice', timestamp: Date.now() / 1000 }),
      ev({ event: 'error', queue_id: 'twice', timestamp: Date.now() / 1000 }),
    );
    await frame();
    expect(lastFrame()).toMatch(/twice\s+error conflict/);
  });

  it('filters with /, clears with Esc', async () => {
    const { lastFrame, source, stdin } = start();
    source.push(ev({ event: 'started', queue_id: 'alpha' }), ev({ event: 'started', queue_id: 'beta' }));
    await frame();
    stdin.write('/');
    await frame();
    for (const ch of 'beta') stdin.write(ch);
    await frame();
    stdin.write('\r');
    await frame();
    const log = (lastFrame() ?? '').split('waiting for events').join('');
    expect(log).toContain('[beta]');
    expect(log.match(/started\s+alpha/g)).toBeNull();
    expect(log).toMatch(/started\s+beta/);
    stdin.write('\u001b');
    await frame();
    expect(lastFrame()).toMatch(/started\s+alpha/);
  });

  it('pauses with space: events keep buffering and appear on resume, none dropped', async () => {
    const { lastFrame, source, stdin } = start();
    stdin.write(' ');
    await frame();
    source.push(ev({ event: 'started', queue_id: 'while-paused' }));
    await frame();
    expect(lastFrame()).toContain('PAUSED (1 waiting)');
    expect(lastFrame()).not.toContain('while-paused');
    stdin.write(' ');
    await frame();
    expect(lastFrame()).toContain('LIVE');
    expect(lastFrame()).toContain('while-paused');
  });

  it('selects with j/k, pings with p (round trip inline), stops with s after y', async () => {
    const { lastFrame, source, stdin } = start();
    source.push(ev({ event: 'started', queue_id: 'q1' }), ev({ event: 'started', queue_id: 'q2' }));
    await frame();
    stdin.write('j');
    await frame();
    stdin.write('p');
    await frame();
    expect(source.pinged).toEqual(['q2']);
    expect(lastFrame()).toContain('pong from q2 in 3.5 ms');
    expect(lastFrame()).toMatch(/q2\s+started.*3\.5ms/);
    stdin.write('s');
    await frame();
    expect(lastFrame()).toContain('stop q2? (y/n)');
    stdin.write('n');
    await frame();
    expect(source.stopped).toEqual([]);
    stdin.write('k');
    await frame();
    stdin.write('s');
    await frame();
    stdin.write('y');
    await frame();
    expect(source.stopped).toEqual(['q1']);
  });

  it("Enter shows a traced event's trace id above its JSON", async () => {
    const { lastFrame, source, stdin } = start();
    source.push({ ...ev({ event: 'pong', queue_id: 'q1' }), traceId: '0af7651916cd43dd8448eb211c80319c' });
    await frame();
    stdin.write('\t');
    stdin.write('\r');
    await frame();
    expect(lastFrame()).toContain('trace 0af7651916cd43dd8448eb211c80319c');
  });

  it('Enter shows the selected event as JSON; c clears the log; ? shows help', async () => {
    const { lastFrame, source, stdin } = start();
    source.push(ev({ event: 'error', queue_id: 'q1', error_message: 'disk full' }));
    await frame();
    stdin.write('\t');
    stdin.write('\r');
    await frame();
    expect(lastFrame()).toContain('"error_message": "disk full"');
    stdin.write('c');
    await frame();
    expect(lastFrame()).toContain('waiting for events');
    stdin.write('?');
    await frame();
    expect(lastFrame()).toContain('pause or resume');
  });
});
