/**
 * Outages, on a broker of its own that these tests kill and bring back.
 *
 * serve-producer's outage contract: requests
 * in flight when it dies, requests arriving while it is down, requests after it is back.
 * Counted against the topic: every 200 is there at its offset, no 503 ("not written") is there
 * at all, every 504 ("outcome unknown") was reported in the metrics. Clients never retry here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parse } from 'dotenv';
import { projectRoot, type BrokerEnv } from '../support/broker.js';
import { postJson, startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';
import { CliProcess, freePort, startDummy, startMonitor, uniqueTopics } from '../support/cli-process.js';

jest.setTimeout(240_000);
const script = `${projectRoot}/scripts/kafka-local.sh`;
const dir = `${projectRoot}/.kafka/outage`;
let brokerEnv: NodeJS.ProcessEnv;
let broker: BrokerEnv;
let server: RunningServer | undefined;
const processes: CliProcess[] = [];

const kafka = (cmd: 'up' | 'down'): void => {
  execFileSync(script, [cmd], { env: brokerEnv, stdio: ['ignore', 'ignore', 'inherit'] });
};
// while the broker starts, the load goes on: not execFileSync, which would stop it
const kafkaUpAsync = (): Promise<void> =>
  new Promise((resolve, reject) => execFile(script, ['up'], { env: brokerEnv }, (err) => (err ? reject(err) : resolve())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // fixed ports, so that the broker comes back where the server looks for it
  const [plain, sasl, ctrl] = [await freePort(), await freePort(), await freePort()];
  brokerEnv = {
    ...process.env,
    KAFKA_LOCAL_DIR: dir,
    KAFKA_LOCAL_PLAINTEXT_PORT: String(plain),
    KAFKA_LOCAL_SASL_PORT: String(sasl),
    KAFKA_LOCAL_CONTROLLER_PORT: String(ctrl),
  };
  kafka('up');
  broker = parse(readFileSync(`${dir}/plaintext.env`, 'utf8'));
});

afterAll(() => {
  server?.process.kill('SIGKILL');
  for (const p of processes) p.kill('SIGKILL');
  kafka('down');
});

it('broker killed and back: no 503 is in the topic, every 200 is, every 504 is counted', async () => {
  const topic = `sp-outage-${Date.now()}`;
  await createTopic(broker, topic, 1);
  server = await startProducerServer(['--produce-timeout', '4s', '--no-enrich'], { ...broker });
  const url = server.url;

  const answers: Array<{ n: number; status: number; offset?: number; outcome?: unknown }> = [];
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const n = next++;
      const r = await postJson(`${url}/produce`, { topic, message: { n } });
      answers.push({ n, status: r.status, offset: r.body.offset as number | undefined, outcome: r.body.outcome });
      // a steady trickle, not a flood: the outage, not backpressure, is under test
      await sleep(5);
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  await sleep(1500);
  // SIGKILL: no goodbye to the clients, requests in flight stay unanswered by Kafka
  process.kill(Number(readFileSync(`${dir}/broker.pid`, 'utf8')), 'SIGKILL');
  const downAt = answers.length;
  await sleep(6000);
  const beforeUp = answers.length;
  await kafkaUpAsync();
  // back within librdkafka's reconnect backoff and the server's next metadata probe
  for (let i = 0; i < 200 && !answers.slice(beforeUp).some((a) => a.status === 200); i++) await sleep(100);
  await sleep(1000);
  stop = true;
  await Promise.all(workers);

  const by = (status: number) => answers.filter((a) => a.status === status);
  // only the three outcomes
  expect(answers.filter((a) => ![200, 503, 504].includes(a.status))).toEqual([]);
  // while it was down, arrivals were refused at once: many 503s, not one request per timeout
  const during = answers.slice(downAt, beforeUp);
  expect(during.filter((a) => a.status === 503).length).toBeGreaterThan(20);
  expect(by(503).every((a) => a.outcome === 'not_written')).toBe(true);
  expect(by(504).every((a) => a.outcome === 'unknown')).toBe(true);
  // and it recovered by itself
  expect(answers.slice(beforeUp).filter((a) => a.status === 200).length).toBeGreaterThan(0);

  const records = await readTopic(broker, topic);
  const inTopic = new Map(records.map((r) => [(JSON.parse(r.payload ?? 'null') as { n: number }).n, r.offset]));
  const lost = by(200).filter((a) => inTopic.get(a.n) !== a.offset);
  expect(lost).toEqual([]);
  const writtenAfter503 = by(503).filter((a) => inTopic.has(a.n));
  expect(writtenAfter503).toEqual([]);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const unknownCounted = Number(/^producer_events_outcome_unknown_total\{topic="[^"]+"\} (\d+)$/m.exec(metrics)?.[1] ?? 0);
  expect(unknownCounted).toBe(by(504).length);
  process.stderr.write(
    `outage: ${answers.length} requests: ${by(200).length} answered 200 (all in the topic), ${by(503).length} 503 (none in the topic), ` +
      `${by(504).length} 504 (${by(504).filter((a) => inTopic.has(a.n)).length} of them in the topic); ${records.length} records\n`,
  );
});

it('monitor: /readyz fails while the broker is down, and the monitor recovers by itself', async () => {
  const topics = uniqueTopics('monitor-outage');
  const env = { ...broker, ...topics };
  const { monitor, port } = await startMonitor(['--probe-interval', '1s', '--probe-timeout', '500ms'], env);
  processes.push(monitor);
  const readyz = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const waitFor = async (what: string, pred: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 600; i++) {
      if (await pred()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}\n${monitor.stdout}`);
  };
  const before = await startDummy(['--queue-id', 'o-before'], env);
  processes.push(before);
  await waitFor('the first queue', async () =>
    (await metrics()).includes('streamforge_queue_status{queue_id="o-before",status="started"} 1'),
  );
  expect(await readyz()).toBe(200);

  process.kill(Number(readFileSync(`${dir}/broker.pid`, 'utf8')), 'SIGKILL');
  await waitFor('/readyz 503', async () => (await readyz()) === 503);
  expect(await metrics()).toMatch(/^streamforge_monitor_ready 0$/m);
  await monitor.waitForJson((o) => o.level === 'warn' && String(o.msg).startsWith('Kafka is not answering'));
  expect(monitor.child.exitCode).toBeNull();

  await kafkaUpAsync();
  await waitFor('/readyz 200 again', async () => (await readyz()) === 200);
  await monitor.waitForJson((o) => o.msg === 'Kafka answers again');
  // reading resumed, not only the metadata answer: a queue started after the outage shows up
  const after = await startDummy(['--queue-id', 'o-after'], env);
  processes.push(after);
  await waitFor('the queue started after the outage', async () =>
    (await metrics()).includes('streamforge_queue_status{queue_id="o-after",status="started"} 1'),
  );
  expect(monitor.json().filter((l) => l.level === 'error')).toEqual([]);
});

it('a dummy is ready only once Kafka acknowledged its started event', async () => {
  const topics = uniqueTopics('dummy-ready');
  // the events topic refuses every record larger than 64 bytes: `started` is never acknowledged
  await createTopic(broker, topics.QUEUE_EVENTS_TOPIC, 1, { 'max.message.bytes': '64' });
  const port = await freePort();
  const dummy = new CliProcess(['dummy', '--queue-id', 'not-ready', '--metrics-port', String(port), '--metrics-host', '127.0.0.1'], {
    ...broker,
    ...topics,
  });
  processes.push(dummy);
  await dummy.waitForJson((o) => o.msg === 'event not delivered' && o.event === 'started');
  // before: 200 once the command reader was positioned, whatever became of `started`
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
});

describe('with the broker gone', () => {
  const used = `sp-gone-used-${Date.now()}`;
  const fresh = `sp-gone-fresh-${Date.now()}`;
  let gone: RunningServer;
  let dummy: CliProcess;

  beforeAll(async () => {
    await createTopic(broker, used, 1);
    gone = await startProducerServer(['--shutdown-timeout', '3s'], { ...broker });
    processes.push(gone.process);
    expect((await postJson(`${gone.url}/produce`, { topic: used, message: 1 })).status).toBe(200);
    // created after the server's catalog last asked: only a new metadata request would find it
    await createTopic(broker, fresh, 1);
    // librdkafka's delivery timeout follows --connect-timeout: 60 s, far past --shutdown-timeout
    dummy = await startDummy(['--queue-id', 'gone', '--connect-timeout', '60s', '--shutdown-timeout', '2s'], {
      ...broker,
      ...uniqueTopics('dummy-gone'),
    });
    processes.push(dummy);
    process.kill(Number(readFileSync(`${dir}/broker.pid`, 'utf8')), 'SIGKILL');
    // the server has heard that every broker is down (librdkafka's ALL_BROKERS_DOWN, in its words)
    await gone.process.waitForJson((o) => o.msg === 'kafka producer error' && o.error === 'all broker connections are down');
  });

  afterAll(async () => {
    await kafkaUpAsync();
  });

  it('the topic catalog answers 503 at once for a topic never used, not after its metadata timeout', async () => {
    const r = await postJson(`${gone.url}/produce`, { topic: fresh, message: 1 });
    expect(r.status).toBe(503);
    // before: 'Kafka did not answer a metadata request within 5000 ms', 5 s later
    expect(JSON.stringify(r.body)).toContain('librdkafka reports every broker down');
    expect(r.body.outcome).toBe('not_written');
  });

  it("the dummy's SIGTERM is bounded by --shutdown-timeout, not by librdkafka's 60 s delivery timeout", async () => {
    dummy.kill('SIGTERM');
    const result = await dummy.exited;
    expect(result.code).toBe(1);
    const lines = dummy.json();
    expect(
      lines.find((l) => l.msg === 'the shutdown did not finish within --shutdown-timeout: events not yet delivered are lost'),
    ).toMatchObject({
      shutdown_timeout_ms: 2000,
    });
    // that line comes only when librdkafka gives the event up, at 60 s
    expect(lines.find((l) => l.msg === 'event not delivered')).toBeUndefined();
  });

  it('a monitor still connecting stops at once on SIGTERM (exit 0), not at --connect-timeout', async () => {
    const monitor = new CliProcess(
      ['monitor', '--metrics-port', String(await freePort()), '--metrics-host', '127.0.0.1', '--connect-timeout', '60s'],
      {
        ...broker,
        ...uniqueTopics('monitor-gone'),
      },
    );
    processes.push(monitor);
    await monitor.waitForJson((o) => o.msg === 'starting');
    monitor.kill('SIGTERM');
    const result = await monitor.exited;
    // before: exit 3, "cannot reach Kafka", at the end of --connect-timeout
    expect(result.code).toBe(0);
    expect(monitor.json().find((l) => l.msg === 'monitor stopped before it was ready')).toBeDefined();
    expect(monitor.json().filter((l) => l.level === 'error')).toEqual([]);
  });

  it('serve-producer exits 0 on SIGTERM: nothing it acknowledged is lost', async () => {
    gone.process.kill('SIGTERM');
    const result = await gone.process.exited;
    expect(result.code).toBe(0);
    expect(gone.process.json().find((l) => l.msg === 'stopped: every acknowledged message is in Kafka')).toBeDefined();
  });
});
