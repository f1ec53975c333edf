/**
 * serve-producer against hostile clients, round two: what a deadline or a limit answers, on real
 * sockets and the real broker. Each case is a defect a second probe run found: a v3 stream that
 * outlived --read-timeout ended in garbage; TLS connections that never said hello lived 120 s;
 * long topic names failed on the gateway routes and were echoed back; a shutdown waited for
 * clients dripping bodies. The verdicts are on what the client can parse, what is in Kafka, and
 * which of two server deadlines came first, never on how long anything took.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { request as httpsRequest, Agent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { CliProcess, freePort } from '../support/cli-process.js';
import { startProducerServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';
import { makePki, pem, type TestPki } from '../support/tls.js';

jest.setTimeout(180_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
const topicName = (prefix: string): string => `hd-${prefix}-${randomBytes(4).toString('hex')}`;
const JSON_V2 = 'application/vnd.kafka.json.v2+json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function server(args: string[] = []) {
  const s = await startProducerServer(args, { ...broker });
  running.push(s.process);
  return s;
}

/** A raw connection: what it received, and when the server closed it. */
function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}

describe('deadlines and limits answer in a shape the client can parse', () => {
  it('a v3 stream that outlives --read-timeout ends as a well-formed chunked answer whose last report says why; every record reported is in Kafka', async () => {
    const topic = topicName('stream');
    await createTopic(broker, topic, 1);
    const { url } = await server(['--read-timeout', '3s']);
    const { port } = new URL(url);
    // Node's own HTTP parser reads the answer: a status line written inside the chunked body
    // (before: at 5.6 s, a raw "HTTP/1.1 408" and a closed socket) is a parse error here
    const answer = await new Promise<{ lines: Array<Record<string, unknown>>; ended: boolean; error?: string }>((resolve) => {
      let body = '';
      let written = 0;
      const drip: { timer?: NodeJS.Timeout } = {};
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          path: `/v3/clusters/any/topics/${topic}/records`,
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => {
            clearInterval(drip.timer);
            resolve({
              lines: body
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as Record<string, unknown>),
              ended: true,
            });
          });
          res.on('error', (err) => resolve({ lines: [], ended: false, error: err.message }));
        },
      );
      req.on('error', (err) => {
        clearInterval(drip.timer);
        if (!body) resolve({ lines: [], ended: false, error: err.message });
      });
      const send = () => req.write(JSON.stringify({ value: { type: 'JSON', data: { n: written++ } } }));
      send();
      // a record every 400 ms, for as long as the server reads them (40 at most: 16 s)
      drip.timer = setInterval(() => (written < 40 && !req.destroyed ? send() : clearInterval(drip.timer)), 400);
    });
    expect(answer.error).toBeUndefined();
    expect(answer.ended).toBe(true);
    const last = answer.lines.at(-1) as { error_code: number; message: string };
    const reports = answer.lines.slice(0, -1);
    expect(last).toEqual({ error_code: 408, message: expect.stringContaining('--read-timeout') });
    expect(last.message).toContain(`the ${reports.length} record${reports.length === 1 ? '' : 's'} before this report were sent`);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((r) => r.error_code === 200 && typeof r.offset === 'number')).toBe(true);
    const inKafka = await readTopic(broker, topic);
    expect(inKafka.map((r) => r.offset).sort((a, b) => a - b)).toEqual(reports.map((r) => r.offset as number).sort((a, b) => a - b));
  });

  it('a 150-character topic works on every route; a path segment past 249 characters is a 414 in the family shape, without echoing it', async () => {
    const long = `hd-${'t'.repeat(147)}`;
    await createTopic(broker, long, 1);
    const { url } = await server();
    const v2 = await fetch(`${url}/topics/${long}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: JSON.stringify({ records: [{ value: 1 }] }),
    });
    // before: 414 FST_ERR_MAX_PARAM_LENGTH (fastify's maxParamLength of 100)
    expect(v2.status).toBe(200);
    expect((await fetch(`${url}/topics/${long}`)).status).toBe(200);
    const v3 = await fetch(`${url}/v3/clusters/any/topics/${long}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: { type: 'JSON', data: 2 } }),
    });
    expect(v3.status).toBe(200);
    expect(await readTopic(broker, long)).toHaveLength(2);

    const huge = 'x'.repeat(10_000);
    for (const [path, init, type] of [
      [`/topics/${huge}`, { method: 'POST', headers: { 'content-type': JSON_V2 }, body: '{"records":[{"value":1}]}' }, 'v2'],
      [`/v3/clusters/any/topics/${huge}/records`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 'v3'],
    ] as const) {
      const res = await fetch(`${url}${path}`, init);
      const text = await res.text();
      expect(res.status).toBe(414);
      // before: 10,131 bytes, the whole URL back, in fastify's own shape
      expect(text).not.toContain('xxxxxxxxxx');
      expect(JSON.parse(text)).toEqual({ error_code: 414, message: expect.stringContaining('longer than 249 characters') });
      expect(res.headers.get('content-type')).toMatch(type === 'v2' ? /^application\/vnd\.kafka\.v2\+json/ : /^application\/json/);
    }
  });

  it('headers past what Node takes: a 431 in the family shape, without echoing them', async () => {
    const { url } = await server();
    const { port } = new URL(url);
    const c = rawClient(Number(port));
    c.socket.write(`GET /topics/abc HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    await c.closed;
    const [head, body] = c.received().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toMatch(/\r\nContent-Type: application\/vnd\.kafka\.v2\+json/);
    expect(JSON.parse(body ?? '')).toEqual({ error_code: 431, message: expect.stringContaining('headers are larger') });
    expect(c.received()).not.toContain('yyyyyyyyyy');
  });

  it('SIGTERM with clients dripping bodies: each is answered 408 at its read deadline, and nobody is cut off at the shutdown deadline', async () => {
    const { url, process: proc } = await server(['--read-timeout', '3s', '--shutdown-timeout', '120s']);
    const { port } = new URL(url);
    const clients = Array.from({ length: 20 }, () => rawClient(Number(port)));
    for (const c of clients) {
      c.socket.write('POST /produce HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    }
    const drip = setInterval(() => {
      for (const c of clients) if (c.socket.writable) c.socket.write(' ');
    }, 300);
    await sleep(200);
    // Node stops timing requests once the server closes: before, every shutdown waited to its
    // end for them, then cut them off without an answer
    proc.kill('SIGTERM');
    await Promise.all(clients.map((c) => c.closed));
    clearInterval(drip);
    const result = await proc.exited;
    for (const c of clients) {
      expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(c.received().split('\r\n\r\n')[1] ?? '')).toMatchObject({ error: { code: 'SF_HTTP_TIMEOUT' } });
    }
    expect(result.code).toBe(0);
    expect(proc.json().find((l) => l.msg === 'connections still open at the shutdown deadline were closed')).toBeUndefined();
  });
});

describe('serve-producer over HTTPS: connections that never finish the handshake', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makePki();
  });

  it('are closed at --read-timeout, long before an idle keep-alive connection is closed at --write-timeout', async () => {
    const cert = pki.serverCert('hd-server');
    const port = await freePort();
    const proc = new CliProcess(
      [
        'serve-producer',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--tls-cert',
        cert.cert,
        '--tls-key',
        cert.key,
        '--read-timeout',
        '1s',
        '--write-timeout',
        '30s',
      ],
      { ...broker },
    );
    running.push(proc);
    await proc.waitForJson((o) => o.msg === 'serve-producer listening');
    // an idle keep-alive connection after one answer: closed at --write-timeout (30 s)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // (wrapped: a promise resolved with a promise would wait for it)
    const { idleClosed } = await new Promise<{ idleClosed: Promise<'idle'> }>((resolve, reject) => {
      const req = httpsRequest({ host: 'localhost', port, path: '/health', ca: pem(pki.caCert), agent }, (res) => {
        // taken at once: the socket leaves the response when it ends
        const socket = res.socket;
        res.resume();
        res.on('end', () => resolve({ idleClosed: new Promise((r) => socket.once('close', () => r('idle'))) }));
      });
      req.on('error', reject);
      req.end();
    });
    // silent sockets: TCP connected, no ClientHello (before: 120 s, Node's handshake timeout)
    const silent = Array.from({ length: 50 }, () => rawClient(port));
    const allSilentClosed = Promise.all(silent.map((c) => c.closed)).then(() => 'silent' as const);
    expect(await Promise.race([allSilentClosed, idleClosed])).toBe('silent');
    expect(silent.every((c) => c.received() === '')).toBe(true);
    agent.destroy();
  });
});
