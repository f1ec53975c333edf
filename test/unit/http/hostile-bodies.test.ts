/**
 * Bodies an attacker or a fuzzer sends, on every route that takes one: each gets a 4xx that
 * says what is wrong, none a 500, and nothing reaches the publisher.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { MAX_JSON_DEPTH } from '../../../src/http/body/json-body.js';
import { buildTestApp, closeTestApps, post } from '../../support/producer-app.js';

afterEach(closeTestApps);

const nested = (open: string, close: string, n: number, inner = '1') => open.repeat(n) + inner + close.repeat(n);

// every route that takes a body, with a way to put a value where the route reads one
const routes: Array<[string, (value: string) => string]> = [
  ['/produce', (v) => `{"topic":"t","message":${v}}`],
  ['/produce/batch', (v) => `[{"topic":"t","message":${v}}]`],
  ['/api/v1/events/user', (v) => `{"data":{"a":${v}}}`],
  ['/api/v1/events/order', (v) => `{"data":${v}}`],
];

describe('deep nesting', () => {
  it.each(routes)('%s: 400 naming the depth limit for 5,000 and 50,000 levels of [ and {"a":', async (url, wrap) => {
    const { app, publisher } = await buildTestApp({ bodyLimit: 10 * 1024 * 1024 });
    for (const body of [wrap(nested('[', ']', 5000)), wrap(nested('{"a":', '}', 10_000)), wrap(nested('[', ']', 50_000))]) {
      const res = await post(app, url, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'SF_HTTP_BAD_JSON',
        message: `the body is nested more than ${MAX_JSON_DEPTH} levels deep`,
      });
    }
    expect(publisher.sent).toHaveLength(0);
  });

  it('20,000 unclosed [ is invalid JSON too deep to locate: 400, not a stack overflow', async () => {
    const { app } = await buildTestApp();
    const res = await post(app, '/produce', `{"topic":"t","message":${'['.repeat(20_000)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(`the body is nested more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('exactly the limit is accepted and sent whole', async () => {
    const { app, publisher } = await buildTestApp({ enrich: false });
    // the body object is level 1, so the message may nest MAX_JSON_DEPTH - 1 levels
    const message = nested('[', ']', MAX_JSON_DEPTH - 1);
    const res = await post(app, '/produce', `{"topic":"t","message":${message}}`);
    expect(res.statusCode).toBe(200);
    expect(String(publisher.sent[0]?.value)).toBe(message);
    const over = await post(app, '/produce', `{"topic":"t","message":${nested('[', ']', MAX_JSON_DEPTH)}}`);
    expect(over.statusCode).toBe(400);
  });
});

describe('prototype poisoning, in every spelling', () => {
  const spellings = [
    '{"__proto__":{"isAdmin":true}}',
    '{"\\u005f_proto__":{"isAdmin":true}}',
    '{"\\u005F\\u005F\\u0070\\u0072\\u006f\\u0074\\u006F\\u005f\\u005f":{"isAdmin":true}}',
    '{"ok":[{"__proto__":null}]}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"\\u0063onstructor":{"prototype":{"isAdmin":true}}}',
  ];
  it.each(routes)('%s: 400 and nothing sent', async (url, wrap) => {
    const { app, publisher } = await buildTestApp();
    for (const poison of spellings) {
      const res = await post(app, url, wrap(poison));
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/forbidden key (__proto__|constructor\.prototype) at .*\(prototype poisoning\)$/);
    }
    // at the top level of the body too
    expect((await post(app, url, '{"\\u005f_proto__":{"topic":"t"}}')).statusCode).toBe(400);
    expect(publisher.sent).toHaveLength(0);
  });

  it('a harmless "constructor" field is data like any other', async () => {
    const { app, publisher } = await buildTestApp({ enrich: false });
    const res = await post(app, '/produce', '{"topic":"t","message":{"constructor":"Ford","proto":1}}');
    expect(res.statusCode).toBe(200);
    expect(String(publisher.sent[0]?.value)).toBe('{"constructor":"Ford","proto":1}');
  });
});

describe('content types', () => {
  it('415 for text/plain on every route, saying what to send', async () => {
    const { app, publisher } = await buildTestApp();
    for (const [url] of routes) {
      const res = await app.inject({
        method: 'POST',
        url,
        payload: '{"topic":"t","message":1}',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error).toMatchObject({
        code: 'SF_HTTP_MEDIA_TYPE',
        message: 'content type text/plain is not supported: the body must be JSON',
      });
    }
    expect(publisher.sent).toHaveLength(0);
  });

  it('415 for a body without a content type, in words', async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ method: 'POST', url: '/produce', payload: Buffer.from('{"topic":"t","message":1}') });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.message).toBe('the request has a body but no Content-Type');
  });

  it('application/json with a charset is JSON', async () => {
    const { app } = await buildTestApp();
    const res = await post(app, '/produce', { topic: 't', message: 1 }, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.statusCode).toBe(200);
  });
});

describe('what the OpenAPI document says is what the server does', () => {
  it('topics . and .. are invalid names: 400 at once, not a retriable 503', async () => {
    const { app, publisher } = await buildTestApp();
    for (const topic of ['.', '..']) {
      const res = await post(app, '/produce', { topic, message: 1 });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([{ field: 'topic', message: expect.stringContaining('must match pattern') }]);
    }
    expect((await post(app, '/produce', { topic: '...', message: 1 })).statusCode).toBe(200);
    expect(publisher.sent.map((m) => m.topic)).toEqual(['...']);
  });

  it('a partition beyond a 32-bit integer is a 400 (the spec says so)', async () => {
    const { app, publisher } = await buildTestApp();
    expect((await post(app, '/produce', { topic: 't', message: 1, partition: 2 ** 31 })).statusCode).toBe(400);
    // within the schema, so it reaches the topic catalog, which knows the topic has no such partition
    const largest = await post(app, '/produce', { topic: 't', message: 1, partition: 2 ** 31 - 1 });
    expect(largest.statusCode).toBe(404);
    expect(largest.json().detail).toMatch(/Partition 2147483647 of topic t not found: it has 4 partitions/);
    expect((await post(app, '/produce', { topic: 't', message: 1, partition: 3 })).statusCode).toBe(200);
    expect(publisher.sent).toHaveLength(1);
  });

  it('405 with Allow for a method a path does not take; 404 for a path that does not exist', async () => {
    const { app } = await buildTestApp();
    const del = await app.inject({ method: 'DELETE', url: '/produce' });
    expect(del.statusCode).toBe(405);
    expect(del.headers.allow).toBe('POST');
    expect(del.json().error).toMatchObject({ code: 'SF_HTTP_METHOD', message: '/produce does not take DELETE; it takes POST' });
    const health = await app.inject({ method: 'PUT', url: '/health?x=1' });
    expect(health.statusCode).toBe(405);
    expect(health.headers.allow).toBe('GET, HEAD');
    expect((await app.inject({ method: 'DELETE', url: '/nowhere' })).statusCode).toBe(404);
  });

  it('the batch bounds are in the schema: empty is 400, over --batch-limit is 413', async () => {
    const { app } = await buildTestApp({ batchLimit: 2 });
    const spec = (await app.inject('/openapi.json')).json();
    expect(spec.paths['/produce/batch'].post.requestBody.content['application/json'].schema).toMatchObject({ minItems: 1, maxItems: 2 });
    expect((await post(app, '/produce/batch', [])).json().error.message).toBe('the batch is empty');
    const over = await post(app, '/produce/batch', [1, 2, 3]);
    expect(over.statusCode).toBe(413);
    expect(over.json().error.message).toBe('the batch has more than --batch-limit 2 items');
  });
});
