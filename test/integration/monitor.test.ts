/**
 * monitor against the real broker: dummies started, stopped, failed and SIGKILLed, read back
 * through the monitor's own /metrics as a scraper sees them. Verdicts are on states the
 * metrics pass through (collected by polling), never on how long anything took.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { CliProcess, freePort, runCli, startDummy, startMonitor, uniqueTopics } from '../support/cli-process.js';
import { createTopic } from '../support/kafka-admin.js';
import { produceRaw } from '../support/kcat.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

type Sample = Map<string, number>;

/** One scrape: `name{labels}` to value, for the streamforge_ series. */
async function scrape(port: number): Promise<Sample> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Sample = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('streamforge_')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Scrapes until `pred` holds on a sample; every sample is kept for later assertions. */
async function until(port: number, history: Sample[], pred: (s: Sample) => boolean, what: string, timeoutMs = 60_000): Promise<Sample> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await scrape(port);
    history.push(s);
    if (pred(s)) return s;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last scrape:\n${[...s].map(([k, v]) => `${k} ${v}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const status = (q: string, st: string) => `streamforge_queue_status{queue_id="${q}",status="${st}"}`;
const has = (s: Sample, q: string) => [...s.keys()].some((k) => k.includes(`queue_id="${q}"`));

async function monitorOn(args: string[], env: Record<string, string>): Promise<{ monitor: CliProcess; port: number }> {
  const started = await startMonitor(args, { ...broker, ...env });
  running.push(started.monitor);
  return started;
}

describe('monitor', () => {
  it('shows each queue as it starts, loads, stops, fails and goes silent; probes live ones; forgets ended ones', async () => {
    const topics = uniqueTopics('monitor');
    const env = { ...broker, ...topics };
    const { monitor, port } = await monitorOn(
      ['--probe-interval', '1s', '--probe-timeout', '800ms', '--stale', '4s', '--forget-after', '8s'],
      topics,
    );
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const live = await startDummy(
      ['--queue-id', 'm-live', '--symbol', 'ETHUSDT', '--simulate-loading', '--loading-interval', '300ms'],
      env,
    );
    const stopped = await startDummy(['--queue-id', 'm-stop'], env);
    const killed = await startDummy(['--queue-id', 'm-kill'], env);
    const failed = await startDummy(['--queue-id', 'm-fail', '--fail-after', '1.5'], env);
    running.push(live, stopped, killed, failed);
    const history: Sample[] = [];

    // every queue known, the killed one answering before it is killed
    await until(
      port,
      history,
      (s) =>
        s.get(status('m-live', 'loading')) === 1 &&
        s.get(status('m-stop', 'started')) === 1 &&
        s.get('streamforge_probe_success{queue_id="m-kill"}') === 1 &&
        (s.get('streamforge_probes_total{queue_id="m-live",result="answered"}') ?? 0) >= 1,
      'queues started and probed',
    );
    killed.kill('SIGKILL');
    expect((await runCli(['stop', '--queue-id', 'm-stop', '--wait'], env)).code).toBe(0);

    // each state is looked for in every sample so far: an ended queue is forgotten 8 s after its
    // end, so on a slow machine the failed one may be gone before the killed one is stale
    const when = (pred: (x: Sample) => boolean) => history.find(pred);
    const states = {
      stopped: (x: Sample) => x.get(status('m-stop', 'interrupted')) === 1,
      failed: (x: Sample) => x.get(status('m-fail', 'error')) === 1,
      probeFailed: (x: Sample) => x.get('streamforge_probe_success{queue_id="m-kill"}') === 0,
      stale: (x: Sample) => x.get(status('m-kill', 'stale')) === 1,
    };
    await until(port, history, () => Object.values(states).every((pred) => when(pred) !== undefined), 'stop, failure and silence seen');
    const stoppedAt = when(states.stopped)!;
    expect(stoppedAt.get(status('m-stop', 'started'))).toBe(0);
    const failedAt = when(states.failed)!;
    expect(failedAt.get('streamforge_queue_events_total{queue_id="m-fail",event="error"}')).toBe(1);
    expect(failedAt.get('streamforge_queue_conflicts_total{queue_id="m-fail"}')).toBe(0);
    // the probe that found the killed queue silent: a failure, counted in a row
    expect(when(states.probeFailed)!.get('streamforge_probe_failures_in_a_row{queue_id="m-kill"}')).toBeGreaterThanOrEqual(1);
    expect(when(states.stale)!.get('streamforge_queue_last_event_age_seconds{queue_id="m-kill"}')).toBeGreaterThan(4);
    const s = history.at(-1)!;
    expect(s.get('streamforge_queue_info{queue_id="m-live",symbol="ETHUSDT",type="dummy",producer="dummy"}')).toBe(1);
    expect(s.get('streamforge_queue_records_written{queue_id="m-live"}')).toBeGreaterThan(0);
    expect(s.get('streamforge_probe_rtt_seconds_count{queue_id="m-live"}')).toBeGreaterThanOrEqual(1);

    // ended and stale queues go, series and all; the live one stays
    // (a live queue's probe may time out on a loaded machine: the next one answers)
    const after = await until(
      port,
      history,
      (x) => !has(x, 'm-stop') && !has(x, 'm-fail') && !has(x, 'm-kill') && x.get('streamforge_probe_success{queue_id="m-live"}') === 1,
      'ended queues forgotten',
    );
    expect(after.get(status('m-live', 'loading'))).toBe(1);
    expect(monitor.json().filter((l) => l.level === 'error')).toEqual([]);
  });

  it('counts invalid events and logs them at warn, and carries on', async () => {
    const topics = uniqueTopics('monitor-bad');
    const env = { ...broker, ...topics };
    // the monitor creates no topic (its Kafka user may not): the topic comes later, and is followed
    const { monitor, port } = await monitorOn(['--no-probe'], topics);
    await createTopic(broker, topics.QUEUE_EVENTS_TOPIC, 1);
    await produceRaw(broker, topics.QUEUE_EVENTS_TOPIC, Buffer.from('{"event":"started"'));
    await produceRaw(broker, topics.QUEUE_EVENTS_TOPIC, Buffer.from(JSON.stringify({ event: 'exploded', queue_id: 'x' })));
    const d = await startDummy(['--queue-id', 'm-after'], env);
    running.push(d);
    const s = await until(
      port,
      [],
      (x) => x.get(status('m-after', 'started')) === 1 && x.get('streamforge_invalid_events_total') === 2,
      'two invalid, one valid',
    );
    expect(s.get('streamforge_probe_success{queue_id="m-after"}')).toBeUndefined();
    const warns = monitor.json().filter((l) => l.level === 'warn' && l.msg === 'skipping an invalid event');
    expect(warns).toHaveLength(2);
    expect(String(warns[0]?.reason)).toMatch(/JSON/i);
    expect(monitor.child.exitCode).toBeNull();
  });

  it('exits 3 when Kafka cannot be reached at start, and 2 on a probe timeout not shorter than the interval', async () => {
    const port = await freePort();
    const r = await runCli(['monitor', '--connect-timeout', '2', '--metrics-port', String(port)], {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
    });
    expect(r.stderr).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1 within 2\.0s/);
    expect(r.code).toBe(3);
    const bad = await runCli(['monitor', '--probe-interval', '5s', '--probe-timeout', '5s'], { KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--probe-timeout \(5s\) must be shorter than --probe-interval \(5s\)/);
    // a short interval alone: the default timeout gives way (half of it), and the monitor goes on to Kafka
    const short = await runCli(['monitor', '--probe-interval', '2s', '--connect-timeout', '2', '--metrics-port', '0'], {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
    });
    expect(short.stderr).not.toMatch(/--probe-timeout/);
    expect(short.code).toBe(3);
  });
});
