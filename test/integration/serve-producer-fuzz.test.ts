/**
 * A bounded fuzz run over a real socket against the real broker: random and malformed bodies,
 * content types, methods and paths. The only 5xx allowed is 503 (Kafka busy), and the server
 * must still answer a good request afterwards.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { requireBroker } from '../support/broker.js';
import { postJson, startProducerServer, type RunningServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';

jest.setTimeout(180_000);
const broker = requireBroker('plaintext');
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);

/** mulberry32: a seeded PRNG, so a failing run can be replayed with FUZZ_SEED */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rand: () => number, topic: string) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const junk = (): unknown =>
    pick<unknown>([
      null,
      true,
      0,
      -1,
      1e308,
      -0,
      2 ** 53 + 1,
      '',
      'x'.repeat(Math.floor(rand() * 5000)),
      '\u0000\uffff\ud800',
      [],
      {},
      [[[[[]]]]],
      // an own __proto__ key, as an attacker's JSON has it (a literal would set the prototype)
      JSON.parse('{"__proto__": {"a": 1}}') as unknown,
      { constructor: { prototype: { x: 1 } } },
    ]);
  const item = (): unknown => {
    const base: Record<string, unknown> = { topic, message: { n: Math.floor(rand() * 1000) } };
    const mutation = Math.floor(rand() * 10);
    if (mutation === 0) base.topic = junk();
    if (mutation === 1) base.message = junk();
    if (mutation === 2) base.key = junk();
    if (mutation === 3) base.partition = pick([-1, 0, 2, 99, 1.5, '0', 2 ** 31, null]);
    if (mutation === 4)
      base.headers = pick([
        { a: 'b' },
        { a: 1 },
        [],
        'h',
        { ['x'.repeat(300)]: 'y' },
        Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`h${i}`, 'v'])),
      ]);
    if (mutation === 5) base[`extra${Math.floor(rand() * 3)}`] = junk();
    if (mutation === 6) delete base.message;
    return base;
  };
  const body = (): { body: Buffer | string; type: string | undefined } => {
    switch (Math.floor(rand() * 9)) {
      case 0:
        return { body: randomBytes(Math.floor(rand() * 2000)), type: 'application/json' };
      case 1: {
        const text = JSON.stringify(item());
        return { body: text.slice(0, Math.floor(rand() * text.length)), type: 'application/json' };
      }
      case 2:
        return { body: '['.repeat(5000) + ']'.repeat(5000), type: 'application/json' };
      case 3:
        return {
          body: JSON.stringify(item()),
          type: pick([
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=latin1',
            undefined,
            'application/JSON',
            'multipart/form-data',
          ]),
        };
      case 4:
        return { body: JSON.stringify(Array.from({ length: Math.floor(rand() * 20) }, item)), type: 'application/json' };
      case 5:
        return { body: JSON.stringify({ data: pick(['{"a":1}', '{bad', '"str"', 5, null, { a: 1 }, ['x']]) }), type: 'application/json' };
      case 6:
        return { body: JSON.stringify(junk()), type: 'application/json' };
      default:
        return { body: JSON.stringify(item()), type: 'application/json' };
    }
  };
  const target = (): { method: string; path: string } =>
    pick([
      { method: 'POST', path: '/produce' },
      { method: 'POST', path: '/produce' },
      { method: 'POST', path: '/produce/batch' },
      { method: 'POST', path: '/api/v1/events/user' },
      { method: 'POST', path: '/api/v1/events/nope' },
      { method: 'PUT', path: '/produce' },
      { method: 'GET', path: '/produce?x=%zz' },
      { method: 'DELETE', path: '/' },
      { method: 'POST', path: '/%2e%2e/%2e%2e/etc/passwd' },
      { method: 'GET', path: '/metrics' },
    ]);
  return { body, target };
}

function send(url: string, method: string, path: string, body: Buffer | string, type: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const sendsBody = method !== 'GET';
    const headers: Record<string, string | number> = sendsBody ? { 'content-length': Buffer.byteLength(body) } : {};
    if (type) headers['content-type'] = type;
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(sendsBody ? body : undefined);
  });
}

let srv: RunningServer | undefined;
afterAll(() => srv?.process.kill('SIGKILL'));

describe('serve-producer fuzz', () => {
  it(`${RUNS} random and malformed requests: no 5xx but 503, and the server still works`, async () => {
    const topic = `sp-fuzz-${randomBytes(4).toString('hex')}`;
    await createTopic(broker, topic, 3);
    srv = await startProducerServer(['--body-limit', '256kb', '--batch-limit', '10', '--topic', topic], { ...broker });
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100000);
    const gen = generator(prng(seed), topic);
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { method, path } = gen.target();
      const { body, type } = gen.body();
      const status = await send(srv.url, method, path, body, type).catch((err: Error) => {
        bad.push(`#${i} ${method} ${path} ${type}: ${err.message}`);
        return 0;
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 && status !== 503) bad.push(`#${i} ${method} ${path} ${type} -> ${status}: ${String(body).slice(0, 120)}`);
    }
    expect({ seed, bad }).toEqual({ seed, bad: [] });
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    const after = await postJson(`${srv.url}/produce`, { topic, message: { still: 'alive' } });
    expect(after.status).toBe(200);
    expect(srv.process.child.exitCode).toBeNull();
  });
});
