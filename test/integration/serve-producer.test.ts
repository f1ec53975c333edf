/**
 * serve-producer against the real broker: what the API answered (partition, offset) is what
 * is in the topic, with the same key, value and headers; the broker's own refusals map to the
 * right statuses; SIGTERM under load loses no acknowledged message.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { brokerEnv, requireBroker } from '../support/broker.js';
import { type CliProcess } from '../support/cli-process.js';
import { postJson, startProducerServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
const topicName = (prefix: string): string => `sp-${prefix}-${randomBytes(4).toString('hex')}`;

async function server(args: string[] = [], env: Record<string, string> = broker) {
  const s = await startProducerServer(args, { ...env });
  running.push(s.process);
  return s;
}

async function headersOf(records: Awaited<ReturnType<typeof readTopic>>, partition: number, offset: number): Promise<unknown> {
  return (records.find((r) => r.partition === partition && r.offset === offset) as unknown as { headers?: unknown })?.headers;
}

describe('serve-producer on a real broker', () => {
  it('answers with the partition and offset Kafka assigned: key, value and headers are in the topic there', async () => {
    const topic = topicName('single');
    await createTopic(broker, topic, 3);
    const { url } = await server(['--no-enrich']);
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const r = await postJson(`${url}/produce`, { topic, key: `key-${i % 3}`, message: { n: i }, headers: { trace: `t${i}` } });
      expect(r.status).toBe(200);
      answers.push({ i, ...(r.body as { partition: number; offset: number }) });
    }
    const records = await readTopic(broker, topic);
    expect(records).toHaveLength(6);
    for (const a of answers) {
      const rec = records.find((r) => r.partition === a.partition && r.offset === a.offset);
      expect(rec).toBeDefined();
      expect(rec?.key).toBe(`key-${a.i % 3}`);
      expect(JSON.parse(rec?.payload ?? '')).toEqual({ n: a.i });
      expect(await headersOf(records, a.partition, a.offset)).toEqual(['trace', `t${a.i}`]);
    }
    // the same key went to the same partition
    expect(new Set(answers.filter((a) => a.i % 3 === 0).map((a) => a.partition)).size).toBe(1);
    // offsets are real, not the FastAPI server's constant 0
    expect(new Set(answers.map((a) => `${a.partition}/${a.offset}`)).size).toBe(6);
  });

  it('a batch answers per item, in order, with real offsets; a bad item fails alone (207)', async () => {
    const topic = topicName('batch');
    await createTopic(broker, topic, 2);
    const { url } = await server();
    const r = await postJson(`${url}/produce/batch`, [
      { topic, key: 'a', message: { n: 0 } },
      { topic, message: null },
      { topic, key: 'b', message: 'text', partition: 1 },
      { topic, message: 1, partition: 7 },
    ]);
    expect(r.status).toBe(207);
    const results = r.body.results as Array<{ index: number; status: number; partition?: number; offset?: number }>;
    expect(results.map((x) => x.status)).toEqual([200, 400, 200, 404]);
    const records = await readTopic(broker, topic);
    expect(records).toHaveLength(2);
    const text = records.find((x) => x.partition === results[2]?.partition && x.offset === results[2]?.offset);
    expect(text?.payload).toBe('text');
    const enriched = JSON.parse(
      records.find((x) => x.partition === results[0]?.partition && x.offset === results[0]?.offset)?.payload ?? '{}',
    );
    expect(enriched).toMatchObject({
      n: 0,
      source: 'streamforge-producer',
      timestamp: expect.any(String),
      server_time: expect.any(Number),
    });
  });

  it('typed events land in KAFKA_TOPIC keyed by their event id', async () => {
    const topic = topicName('events');
    await createTopic(broker, topic, 1);
    const { url } = await server(['--topic', topic]);
    const r = await postJson(`${url}/api/v1/events/order`, { data: '{"order_id": "456", "amount": 100.50}' });
    expect(r.status).toBe(200);
    const [rec] = await readTopic(broker, topic);
    expect(rec?.key).toBe(r.body.event_id);
    expect(rec?.offset).toBe(r.body.offset);
    expect(JSON.parse(rec?.payload ?? '')).toMatchObject({ event_type: 'order_created', data: { order_id: '456', amount: 100.5 } });
    const stats = await (await fetch(`${url}/api/v1/events/stats`)).json();
    expect((stats as { events: { order: unknown } }).events.order).toEqual({ published: 1, failed: 0 });
  });

  it("the broker's own refusals: too large is 413, a missing topic 404 within --produce-timeout, no such partition 404", async () => {
    const small = topicName('small');
    await createTopic(broker, small, 1, { 'max.message.bytes': '2000' });
    const { url } = await server(['--produce-timeout', '3s']);
    // random bytes: snappy would shrink repeated text below the limit
    const big = await postJson(`${url}/produce`, { topic: small, message: randomBytes(6000).toString('base64') });
    expect(big.status).toBe(413);
    expect((big.body.error as { message: string }).message).toMatch(/too large/i);
    const t0 = Date.now();
    const missing = await postJson(`${url}/produce`, { topic: topicName('missing'), message: 1 });
    expect(missing.status).toBe(404);
    // a bound that catches librdkafka's 30 s metadata wait, with room for a loaded CI machine
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await postJson(`${url}/produce`, { topic: small, message: 1, partition: 5 })).status).toBe(404);
  });

  it("a full local queue (librdkafka's queue.buffering.max.messages) is the 429 with Retry-After of a full budget, never a 500", async () => {
    const topic = topicName('full');
    await createTopic(broker, topic, 1);
    const { url } = await server(['-X', 'queue.buffering.max.messages=1', '-X', 'linger.ms=200']);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => postJson(`${url}/produce`, { topic, message: i })));
    const statuses = results.map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const full = results.find((r) => r.status === 429);
    expect(full?.headers.get('retry-after')).toBe('1');
    expect(full?.body).toMatchObject({ outcome: 'not_written', error: { code: 'SF_HTTP_BUSY' } });
    // every 200 is in the topic
    const records = await readTopic(broker, topic);
    expect(records).toHaveLength(statuses.filter((s) => s === 200).length);
  });

  it('bearer tokens and the topic allowlist hold on the real server; the token never reaches the logs', async () => {
    const topic = topicName('allowed');
    await createTopic(broker, topic, 1);
    const s = await server(['--topics', 'sp-allowed-.*', '--debug'], { ...broker, PRODUCER_API_TOKENS: 'tok-1a2b3c,tok-2' });
    expect((await postJson(`${s.url}/produce`, { topic, message: 1 })).status).toBe(401);
    expect((await postJson(`${s.url}/produce`, { topic, message: 1 }, { authorization: 'Bearer tok-1a2b3c' })).status).toBe(200);
    expect((await postJson(`${s.url}/produce`, { topic: 'other', message: 1 }, { authorization: 'Bearer tok-2' })).status).toBe(403);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
    expect(s.process.stdout + s.process.stderr).not.toContain('tok-1a2b3c');
  });

  it.each([[[]], [['--workers', '2']]])(
    'SIGTERM under load %j: stops accepting, finishes, flushes, exits 0, and every 200 is in the topic',
    async (extra: string[]) => {
      const topic = topicName('sigterm');
      await createTopic(broker, topic, 3);
      const s = await server(['--no-enrich', ...extra]);
      const acked: Array<{ n: number; partition: number; offset: number }> = [];
      let n = 0;
      let stop = false;
      const worker = async (): Promise<void> => {
        while (!stop) {
          const mine = n++;
          try {
            const r = await postJson(`${s.url}/produce`, { topic, key: `k${mine}`, message: { n: mine } });
            if (r.status === 200) acked.push({ n: mine, partition: r.body.partition as number, offset: r.body.offset as number });
            else if (r.status !== 503) throw new Error(`unexpected ${r.status}`);
          } catch (err) {
            if (String(err).includes('unexpected')) throw err;
            return; // connection refused or reset once the server stopped accepting
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);
      await new Promise((r) => setTimeout(r, 1500));
      s.process.kill('SIGTERM');
      const exit = await s.process.exited;
      stop = true;
      await Promise.all(workers);
      expect(exit.code).toBe(0);
      expect(acked.length).toBeGreaterThan(50);
      const records = await readTopic(broker, topic);
      const at = new Map(records.map((r) => [`${r.partition}/${r.offset}`, r]));
      for (const a of acked) expect(JSON.parse(at.get(`${a.partition}/${a.offset}`)?.payload ?? 'null')).toEqual({ n: a.n });
      expect(exit.stdout).toContain('every acknowledged message is in Kafka');
    },
  );

  it('SIGTERM right after a load whose clients are gone: the log counts acknowledged, failed and unknown, and the topic agrees', async () => {
    const topic = topicName('gone');
    await createTopic(broker, topic, 3);
    const s = await server(['--no-enrich']);
    const { port, hostname } = new URL(s.url);
    // 1,500 requests whose clients hang up as soon as the body is sent: nobody reads an answer
    const sent = 1500;
    await Promise.all(
      Array.from(
        { length: sent },
        (_, n) =>
          new Promise<void>((resolve) => {
            const req = httpRequest({
              host: hostname,
              port,
              path: '/produce',
              method: 'POST',
              agent: false,
              headers: { 'content-type': 'application/json' },
            });
            req.on('error', () => resolve());
            req.end(JSON.stringify({ topic, key: `k${n}`, message: { n } }), () => {
              req.destroy();
              resolve();
            });
          }),
      ),
    );
    s.process.kill('SIGTERM');
    const exit = await s.process.exited;
    expect(exit.code).toBe(0);
    const closed = exit.stdout
      .split('\n')
      .filter((l) => l.includes('"producer closed"'))
      .map((l) => JSON.parse(l) as Record<string, number>)[0];
    expect(closed).toBeDefined();
    const records = await readTopic(broker, topic);
    // a healthy broker: every message the server took is acknowledged, none failed, none unknown,
    // and no acknowledged message is logged as failed
    expect(closed).toMatchObject({ failed_total: 0, unknown_total: 0, acknowledged_total: records.length });
    expect(exit.stdout).not.toContain('"produce failed"');
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(sent);
  });
});

describe('serve-producer startup', () => {
  it('a SIGTERM that arrives while it connects to Kafka is not lost: it stops once started, exit 0', async () => {
    const { CliProcess, freePort } = await import('../support/cli-process.js');
    const proc = new CliProcess(['serve-producer', '--port', String(await freePort()), '--log-level', 'debug'], { ...broker });
    running.push(proc);
    await proc.waitForJson((o) => o.msg === 'connecting producer');
    proc.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('shutting down');
  });
});

/** A request on a connection of its own: with --workers, successive ones go to alternate workers. */
function postOnNewConnection(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const metricValue = (text: string, line: RegExp): number => Number(line.exec(text)?.[1] ?? NaN);

describe('serve-producer --workers 2', () => {
  it('both workers serve, and /metrics and the stats add up every request whichever worker took it', async () => {
    const topic = topicName('workers');
    await createTopic(broker, topic, 3);
    await createTopic(broker, `${topic}-events`, 1);
    const s = await server(['--workers', '2', '--topic', `${topic}-events`]);
    await s.process.waitForJson((o) => o.msg === 'serve-producer listening' && o.worker === 2);
    await s.process.waitForJson((o) => o.msg === 'serve-producer listening' && o.worker === 1);
    // the workers start with a young generation of 32 MB (the operator set none)
    const started = await s.process.waitForJson((o) => o.msg === 'serve-producer cluster started');
    for (const pid of started.pids as number[]) {
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('NODE_OPTIONS=--max-semi-space-size=32');
    }
    for (let i = 0; i < 20; i++) expect(await postOnNewConnection(`${s.url}/produce`, { topic, key: `k${i}`, message: { i } })).toBe(200);
    for (let i = 0; i < 6; i++) expect(await postOnNewConnection(`${s.url}/api/v1/events/order`, { data: { i } })).toBe(200);
    // each worker counted only what it served: only the sum over both is 20
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metricValue(metrics, new RegExp(`^producer_events_published_total\\{topic="${topic}"\\} (\\d+)$`, 'm'))).toBe(20);
    expect(metricValue(metrics, /^http_requests_total\{method="POST",route="\/produce",status="200"\} (\d+)$/m)).toBe(20);
    const stats = (await (await fetch(`${s.url}/api/v1/events/stats`)).json()) as { events: { order: { published: number } } };
    expect(stats.events.order.published).toBe(6);
    expect((await readTopic(broker, topic)).length).toBe(20);
    s.process.kill('SIGTERM');
    const exit = await s.process.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout.match(/every acknowledged message is in Kafka/g)?.length).toBe(2);
  });

  it("with METRICS_PORT, the primary serves every worker's metrics there", async () => {
    const topic = topicName('workers-mp');
    await createTopic(broker, topic, 1);
    const { freePort } = await import('../support/cli-process.js');
    const metricsPort = await freePort();
    const s = await server(['--workers', '2', '--metrics-port', String(metricsPort)]);
    await s.process.waitForJson((o) => o.msg === 'every worker is listening');
    for (let i = 0; i < 8; i++) expect(await postOnNewConnection(`${s.url}/produce`, { topic, message: { i } })).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metricValue(metrics, new RegExp(`^producer_events_published_total\\{topic="${topic}"\\} (\\d+)$`, 'm'))).toBe(8);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
  });

  it('a --metrics-port in use is exit 2, and no worker is left running', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { runCli, freePort } = await import('../support/cli-process.js');
      const r = await runCli(
        ['serve-producer', '--workers', '2', '--host', '127.0.0.1', '--port', String(await freePort()), '--metrics-port', String(port)],
        {
          ...broker,
        },
      );
      expect(r.stderr).toMatch(new RegExp(`port ${port} is already in use`));
      expect(r.code).toBe(2);
      // both workers were stopped before the primary exited
      const started = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; pids?: number[] })
        .find((o) => o.msg === 'serve-producer cluster started');
      expect(started?.pids).toHaveLength(2);
      for (const pid of started?.pids ?? []) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    } finally {
      blocker.close();
    }
  });

  it('a worker that cannot reach Kafka takes the server down with exit 3', async () => {
    const { runCli } = await import('../support/cli-process.js');
    const r = await runCli(['serve-producer', '--workers', '2', '--port', '0', '--connect-timeout', '2'], {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
    });
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('SF_KAFKA_UNREACHABLE');
  });
});

const sasl = brokerEnv('sasl');
(sasl ? describe : describe.skip)('serve-producer over SASL_SSL + SCRAM-SHA-512', () => {
  it('produces with real offsets', async () => {
    const topic = topicName('sasl');
    await createTopic(broker, topic, 1);
    const { url } = await server([], sasl ?? {});
    const r = await postJson(`${url}/produce`, { topic, key: 'k', message: { secure: true } });
    expect(r.status).toBe(200);
    const [rec] = await readTopic(broker, topic);
    expect([rec?.partition, rec?.offset, rec?.key]).toEqual([r.body.partition, r.body.offset, 'k']);
  });

  it('a wrong password is exit 3 at start, without the password', async () => {
    const { runCli } = await import('../support/cli-process.js');
    const r = await runCli(['serve-producer', '--port', '0'], { ...(sasl ?? {}), KAFKA_PASSWORD: 'wrong-pw-77' });
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toContain('wrong-pw-77');
  });
});

describe('serve-producer configuration', () => {
  it('takes SERVER_ADDRESS as the Go service did, and serves /metrics on METRICS_PORT when set', async () => {
    const { CliProcess, freePort } = await import('../support/cli-process.js');
    const port = await freePort();
    const metricsPort = await freePort();
    const proc = new CliProcess(['serve-producer'], { ...broker, SERVER_ADDRESS: `127.0.0.1:${port}`, METRICS_PORT: `:${metricsPort}` });
    running.push(proc);
    await proc.waitForJson((o) => o.msg === 'serve-producer listening');
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^producer_queue_depth \d+$/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(200);
  });

  it.each([
    [{ KAFKA_COMPRESSION: 'brotli' }, /KAFKA_COMPRESSION \(environment\) must be one of none, gzip, snappy, lz4, zstd/],
    [{ SERVER_SHUTDOWN_TIMEOUT: 'soon' }, /SERVER_SHUTDOWN_TIMEOUT \(environment\) must be a duration such as 5 \(seconds\), 500ms, 15s/],
    [{ PRODUCER_TOPIC_ALLOW: '(unclosed' }, /PRODUCER_TOPIC_ALLOW \(environment\) must be a regular expression/],
    [{ PRODUCER_BODY_LIMIT: 'huge' }, /PRODUCER_BODY_LIMIT \(environment\) must be a size/],
    [{ SERVER_ADDRESS: 'nowhere' }, /SERVER_ADDRESS \(environment\) must be host:port, :port or port/],
    [{ PRODUCER_WORKERS: '0' }, /PRODUCER_WORKERS \(environment\) must be a whole number from 1 to 64/],
  ])('%j is exit 2, naming the variable', async (env, message) => {
    const { runCli } = await import('../support/cli-process.js');
    const r = await runCli(['serve-producer'], { KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1', ...env });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});
