/**
 * The control plane end to end on PLAINTEXT: the built executable as subprocesses, a real
 * broker, and kcat reading back what landed on the topics.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { CliProcess, freePort, runCli, startDummy, uniqueTopics } from '../support/cli-process.js';
import { readJson } from '../support/kcat.js';

jest.setTimeout(90_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

async function dummy(args: string[], env: Record<string, string>): Promise<CliProcess> {
  const d = await startDummy(args, { ...broker, ...env });
  running.push(d);
  return d;
}

const events = (topics: ReturnType<typeof uniqueTopics>) => readJson(broker, topics.QUEUE_EVENTS_TOPIC);

describe('dummy + ping + stop', () => {
  it('answers pings, and stop --wait confirms with exactly one started and one interrupted', async () => {
    const topics = uniqueTopics('basic');
    const d = await dummy(
      [
        '--queue-id',
        'q-basic',
        '--symbol',
        'BTCUSDT',
        '--type',
        'api',
        '--time-range',
        '2024-01-01:2024-01-02',
        '--kafka-topic',
        'data-topic',
      ],
      topics,
    );

    const ping = await runCli(['ping', '--queue-id', 'q-basic', '--expect-pong', '--repeat', '3', '--interval', '0.2'], {
      ...broker,
      ...topics,
    });
    expect(ping.code).toBe(0);
    expect(ping.stdout).toMatch(/^pong from q-basic: seq=1 time=[\d.]+ ms one-way=-?[\d.]+ ms$/m);
    expect(ping.stdout).toMatch(/^3 sent, 3 received, 0 lost, 0 late, 0 duplicates, 0\.0% loss$/m);
    expect(ping.stdout).toMatch(
      /^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms, p50\/p95\/p99 = [\d.]+\/[\d.]+\/[\d.]+ ms$/m,
    );

    const stop = await runCli(['stop', '--queue-id', 'q-basic', '--wait', '--timeout', '20', '--json'], { ...broker, ...topics });
    const lines = stop.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { type: 'sent', queue_id: 'q-basic', command_id: expect.any(String), partition: expect.any(Number), offset: expect.any(Number) },
      {
        type: 'stopped',
        queue_id: 'q-basic',
        event: 'interrupted',
        after_ms: expect.any(Number),
        message: 'stopped by a stop command',
        records_written: 0,
      },
      { type: 'summary', confirmed: 1, ok: true },
    ]);
    expect(stop.code).toBe(0);
    expect((await d.exited).code).toBe(0);

    const all = await events(topics);
    expect(all.map((e) => e.event)).toEqual(['started', 'pong', 'pong', 'pong', 'interrupted']);
    expect(all[0]).toMatchObject({
      queue_id: 'q-basic',
      symbol: 'BTCUSDT',
      type: 'api',
      producer: 'dummy',
      status: 'started',
      finished: false,
      time_range: '2024-01-01:2024-01-02',
      kafka_topic: 'data-topic',
    });
    expect(all.at(-1)).toMatchObject({ status: 'interrupted', finished: true });
    for (const e of all) expect(e.timestamp).toBe(e.sent_at);
  });

  it('--json prints one object per reply and a summary', async () => {
    const topics = uniqueTopics('json');
    await dummy(['--queue-id', 'q-json'], topics);
    const ping = await runCli(['ping', '--queue-id', 'q-json', '--repeat', '2', '--interval', '0.1', '--json'], { ...broker, ...topics });
    expect(ping.code).toBe(0);
    const lines = ping.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.type === 'reply')).toHaveLength(2);
    expect(lines.filter((l) => l.type === 'sent')[0]).toMatchObject({ seq: 1, partition: expect.any(Number), offset: expect.any(Number) });
    const summary = lines.find((l) => l.type === 'summary') as { queues: Array<Record<string, unknown>> };
    expect(summary.queues[0]).toMatchObject({ queue_id: 'q-json', sent: 2, received: 2, lost: 0, loss_percent: 0 });
    expect(summary.queues[0]?.rtt_ms).toMatchObject({ min: expect.any(Number), p99: expect.any(Number) });
  });

  it('ping "*" lists every queue that answers, each with its own figures', async () => {
    const topics = uniqueTopics('star');
    await dummy(['--queue-id', 'q-star-a'], topics);
    await dummy(['--queue-id', 'q-star-b'], topics);
    const ping = await runCli(['ping', '--queue-id', '*', '--expect-pong', '--repeat', '2', '--interval', '0.2', '--timeout', '2'], {
      ...broker,
      ...topics,
    });
    expect(ping.stdout).toContain('--- q-star-a ping statistics ---');
    expect(ping.stdout).toContain('--- q-star-b ping statistics ---');
    expect(ping.stdout).toContain('2 queue(s) answered; 0 of 2 ping(s) answered by none');
    expect(ping.code).toBe(0);
  });

  it('a lost ping is exit 1 with --expect-pong, exit 0 without', async () => {
    const topics = uniqueTopics('lost');
    const env = { ...broker, ...topics };
    const strict = await runCli(['ping', '--queue-id', 'nobody-home', '--expect-pong', '--timeout', '1'], env);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/no pong: seq=1 \(timed out\)/);
    expect(strict.stdout).toMatch(/1 sent, 0 received, 1 lost, .* 100\.0% loss/);
    expect((await runCli(['ping', '--queue-id', 'nobody-home', '--timeout', '0.5'], env)).code).toBe(0);
  });

  it('stop --wait without an answer is exit 1; plain stop is exit 0 once Kafka has it', async () => {
    const topics = uniqueTopics('stopnone');
    const env = { ...broker, ...topics };
    const waited = await runCli(['stop', '--queue-id', 'nobody-home', '--wait', '--timeout', '1'], env);
    expect(waited.stdout).toMatch(/^stop sent to nobody-home/m);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toContain('no terminal event from nobody-home within 1.0 s');
    const plain = await runCli(['stop', '--queue-id', 'nobody-home'], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^stop sent to nobody-home \(partition \d+, offset \d+, command_id [0-9a-f-]{36}\)$/m);
  });
});

describe('dummy flags', () => {
  it('--exit-on-ping answers the ping, then finishes with exit 0', async () => {
    const topics = uniqueTopics('exitping');
    const d = await dummy(['--queue-id', 'q-eop', '--exit-on-ping'], topics);
    const ping = await runCli(['ping', '--queue-id', 'q-eop', '--expect-pong'], { ...broker, ...topics });
    expect(ping.code).toBe(0);
    expect((await d.exited).code).toBe(0);
    expect((await events(topics)).map((e) => e.event)).toEqual(['started', 'pong', 'finished']);
  });

  it('--exit-after N sends finished and exits 0', async () => {
    const topics = uniqueTopics('exitafter');
    const d = await dummy(['--queue-id', 'q-ea', '--exit-after', '1'], topics);
    const r = await d.exited;
    expect(r.code).toBe(0);
    const all = await events(topics);
    expect(all.map((e) => e.event)).toEqual(['started', 'finished']);
    expect(all[1]).toMatchObject({ finished: true, message: 'finished after 1 s (--exit-after)' });
  });

  it('--fail-after N sends error with an error_message and exits 1', async () => {
    const topics = uniqueTopics('fail');
    const d = await dummy(['--queue-id', 'q-fail', '--fail-after', '1'], topics);
    expect((await d.exited).code).toBe(1);
    const all = await events(topics);
    expect(all.map((e) => e.event)).toEqual(['started', 'error']);
    expect(all[1]).toMatchObject({ status: 'error', finished: true, error_message: 'simulated failure after 1 s' });
  });

  it('--simulate-loading sends loading events whose records_written grows', async () => {
    const topics = uniqueTopics('loading');
    const d = await dummy(['--queue-id', 'q-load', '--simulate-loading', '--loading-interval', '0.3', '--exit-after', '1.6'], topics);
    expect((await d.exited).code).toBe(0);
    const loading = (await events(topics)).filter((e) => e.event === 'loading');
    expect(loading.length).toBeGreaterThanOrEqual(3);
    const written = loading.map((e) => e.records_written as number);
    for (let i = 1; i < written.length; i++) expect(written[i]).toBeGreaterThan(written[i - 1] as number);
  });

  it('--noop sends started and reads no commands', async () => {
    const topics = uniqueTopics('noop');
    const d = await dummy(['--queue-id', 'q-noop', '--noop'], topics);
    const ping = await runCli(['ping', '--queue-id', 'q-noop', '--expect-pong', '--timeout', '1'], { ...broker, ...topics });
    expect(ping.code).toBe(1);
    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    expect((await events(topics)).map((e) => e.event)).toEqual(['started', 'interrupted']);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s sends interrupted, flushes and exits 0', async (signal) => {
    const topics = uniqueTopics(`sig-${signal.toLowerCase()}`);
    const d = await dummy(['--queue-id', 'q-sig'], topics);
    d.kill(signal);
    expect((await d.exited).code).toBe(0);
    const all = await events(topics);
    expect(all.map((e) => e.event)).toEqual(['started', 'interrupted']);
    expect(all[1]).toMatchObject({ message: `interrupted by ${signal}` });
  });

  it('serves /metrics, /healthz and /readyz', async () => {
    const topics = uniqueTopics('metrics');
    const port = await freePort();
    const d = new CliProcess(['dummy', '--queue-id', 'q-metrics', '--metrics-port', String(port), '--metrics-host', '127.0.0.1'], {
      ...broker,
      ...topics,
    });
    running.push(d);
    await d.waitForJson((o) => o.msg === 'event sent' && o.event === 'started');
    await runCli(['ping', '--queue-id', 'q-metrics', '--repeat', '2', '--interval', '0.1', '--expect-pong'], { ...broker, ...topics });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^dummy_events_total\{event="started"\} 1$/m);
    expect(metrics).toMatch(/^dummy_events_total\{event="pong"\} 2$/m);
    expect(metrics).toMatch(/^dummy_pings_total 2$/m);
    expect(metrics).toMatch(/^dummy_pongs_total 2$/m);
    expect(metrics).toMatch(/^dummy_status_last\{status="started"\} 1$/m);
    expect(metrics).toMatch(/^dummy_status_last\{status="loading"\} 0$/m);
    expect(metrics).toMatch(/^dummy_invalid_commands_total 0$/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it('logs JSON lines with time, level, msg and the queue id', async () => {
    const topics = uniqueTopics('logs');
    const d = await dummy(['--queue-id', 'q-logs', '--exit-after', '0.5'], topics);
    await d.exited;
    const lines = d.json();
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines)
      expect(l).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String), queue_id: 'q-logs' });
  });
});
