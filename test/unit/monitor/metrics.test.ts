/** Monitor's metrics from the reducer's rows: what a scrape shows, and what forgetting removes. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { createMonitorMetrics, type MonitorMetrics, type QueueView } from '../../../src/monitor/metrics.js';
import type { QueueRow } from '../../../src/plane/reducer.js';

const row = (queueId: string, over: Partial<QueueRow> = {}): QueueRow => ({
  queueId,
  status: 'started',
  symbol: null,
  type: 'api',
  producer: 'loader',
  recordsWritten: null,
  lastEventAt: 0,
  pings: 0,
  pongs: 0,
  lastRttMs: null,
  terminalEvents: 0,
  ...over,
});

async function lines(m: MonitorMetrics): Promise<string[]> {
  return (await m.source.text()).split('\n').filter((l) => l.startsWith('streamforge_'));
}

describe("monitor's metrics", () => {
  it('show every status of every queue, 1 for the current one, and what the queue said', async () => {
    const registry = new Registry();
    const views: QueueView[] = [
      { queueId: 'a', row: row('a', { status: 'loading', symbol: 'BTCUSDT', recordsWritten: 42 }), status: 'loading', ageSeconds: 1.5 },
      { queueId: 'b', row: row('b', { status: 'finished', terminalEvents: 3 }), status: 'finished', ageSeconds: 9 },
      { queueId: 'c', row: row('c', { status: '-' }), status: undefined, ageSeconds: 0 },
    ];
    const out = await lines(createMonitorMetrics(registry, () => views));
    expect(out.filter((l) => l.startsWith('streamforge_queue_status{queue_id="a"'))).toEqual([
      'streamforge_queue_status{queue_id="a",status="started"} 0',
      'streamforge_queue_status{queue_id="a",status="loading"} 1',
      'streamforge_queue_status{queue_id="a",status="interrupted"} 0',
      'streamforge_queue_status{queue_id="a",status="finished"} 0',
      'streamforge_queue_status{queue_id="a",status="error"} 0',
      'streamforge_queue_status{queue_id="a",status="stale"} 0',
    ]);
    expect(out.filter((l) => l.startsWith('streamforge_queue_status{queue_id="c"') && l.endsWith(' 1'))).toEqual([]);
    expect(out).toEqual(
      expect.arrayContaining([
        'streamforge_queue_info{queue_id="a",symbol="BTCUSDT",type="api",producer="loader"} 1',
        'streamforge_queue_last_event_age_seconds{queue_id="b"} 9',
        'streamforge_queue_records_written{queue_id="a"} 42',
        'streamforge_queue_conflicts_total{queue_id="b"} 2',
        'streamforge_queue_conflicts_total{queue_id="a"} 0',
        'streamforge_invalid_events_total 0',
      ]),
    );
    expect(out.some((l) => l.startsWith('streamforge_queue_records_written{queue_id="b"'))).toBe(false);
  });

  it('count events and probes, and forget a queue with all its series', async () => {
    const registry = new Registry();
    let views: QueueView[] = [{ queueId: 'q', row: row('q'), status: 'started', ageSeconds: 0 }];
    const m = createMonitorMetrics(registry, () => views);
    m.event('q', 'started');
    m.event('q', 'pong');
    m.event('keep', 'started');
    m.invalidEvent();
    m.probeFailed('q');
    m.probeFailed('q');
    m.probeEnded('q', 'lost');
    expect(await lines(m)).toEqual(
      expect.arrayContaining(['streamforge_probe_success{queue_id="q"} 0', 'streamforge_probe_failures_in_a_row{queue_id="q"} 2']),
    );
    m.probeAnswered('q', 7);
    m.probeEnded('q', 'answered');
    const out = await lines(m);
    expect(out).toEqual(
      expect.arrayContaining([
        'streamforge_queue_events_total{queue_id="q",event="pong"} 1',
        'streamforge_invalid_events_total 1',
        'streamforge_probe_success{queue_id="q"} 1',
        'streamforge_probe_failures_in_a_row{queue_id="q"} 0',
        'streamforge_probes_total{queue_id="q",result="lost"} 1',
        'streamforge_probes_total{queue_id="q",result="answered"} 1',
        'streamforge_probe_rtt_seconds_bucket{queue_id="q",le="0.01"} 1',
        'streamforge_probe_rtt_seconds_bucket{queue_id="q",le="0.005"} 0',
        'streamforge_probe_rtt_seconds_bucket{queue_id="q",le="+Inf"} 1',
        'streamforge_probe_rtt_seconds_count{queue_id="q"} 1',
        'streamforge_probe_rtt_seconds_sum{queue_id="q"} 0.007',
      ]),
    );
    views = [];
    m.forget('q');
    const after = await lines(m);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((l) => l.includes('queue_id="q"'))).toEqual([]);
    expect(after).toContain('streamforge_queue_events_total{queue_id="keep",event="started"} 1');
  });
});

describe('the exposition text', () => {
  it('reuses what did not change between scrapes, and shows every change', async () => {
    const registry = new Registry();
    let views: QueueView[] = [
      { queueId: 'a', row: row('a'), status: 'started', ageSeconds: 1 },
      { queueId: 'b', row: row('b'), status: 'started', ageSeconds: 1 },
    ];
    const m = createMonitorMetrics(registry, () => views);
    const first = await lines(m);
    expect(await lines(m)).toEqual(first);
    views = [{ ...views[0]!, status: 'loading', row: row('a', { status: 'loading', recordsWritten: 5 }), ageSeconds: 2 }, views[1]!];
    m.probeAnswered('b', 4);
    m.probeEnded('b', 'answered');
    m.event('a', 'loading');
    const second = await lines(m);
    expect(second).toEqual(
      expect.arrayContaining([
        'streamforge_queue_status{queue_id="a",status="loading"} 1',
        'streamforge_queue_status{queue_id="a",status="started"} 0',
        'streamforge_queue_records_written{queue_id="a"} 5',
        'streamforge_queue_last_event_age_seconds{queue_id="a"} 2',
        'streamforge_queue_events_total{queue_id="a",event="loading"} 1',
        'streamforge_probe_success{queue_id="b"} 1',
      ]),
    );
    views = [views[1]!, { queueId: 'c', row: row('c'), status: 'error', ageSeconds: 0 }];
    m.forget('a');
    const third = await lines(m);
    expect(third.filter((l) => l.includes('queue_id="a"'))).toEqual([]);
    expect(third).toContain('streamforge_queue_status{queue_id="c",status="error"} 1');
  });

  it('escapes label values, groups each family, and passes promtool check metrics', async () => {
    const registry = new Registry();
    const odd = 'q "quoted" \\ back\nslash';
    const views: QueueView[] = [
      { queueId: odd, row: row(odd, { symbol: 'A"B', producer: 'p\\q' }), status: 'started', ageSeconds: 2 },
      { queueId: 'plain', row: row('plain'), status: 'stale', ageSeconds: 90 },
    ];
    const m = createMonitorMetrics(registry, () => views);
    for (const v of views) {
      m.event(v.queueId, 'started');
      m.probeAnswered(v.queueId, 3);
      m.probeEnded(v.queueId, 'answered');
    }
    m.probeAnswered('plain', 12_000);
    const text = await m.source.text();
    expect(text).toContain('streamforge_queue_status{queue_id="q \\"quoted\\" \\\\ back\\nslash",status="started"} 1');
    expect(text).toContain('symbol="A\\"B"');
    expect(text).toContain('streamforge_probe_rtt_seconds_bucket{queue_id="plain",le="5"} 1');
    expect(text).toContain('streamforge_probe_rtt_seconds_bucket{queue_id="plain",le="+Inf"} 2');
    // each name's series in one block, after its HELP and TYPE
    const names = text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.replace(/(_bucket|_sum|_count)?[{ ].*$/, ''));
    const blocks = names.filter((n, i) => n !== names[i - 1]);
    expect(new Set(blocks).size).toBe(blocks.length);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect([lint.status, `${lint.stdout}${lint.stderr}`]).toEqual([0, '']);
  });
});
