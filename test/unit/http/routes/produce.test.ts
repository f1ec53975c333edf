/**
 * routes/produce.ts through fastify's inject: POST /produce and /produce/batch, every status.
 * The publisher is a fake here (the integration tests use the real broker).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import Kafka from 'node-rdkafka';
import { buildTestApp as build, closeTestApps, post } from '../../../support/producer-app.js';

const E = Kafka.CODES.ERRORS;

afterEach(closeTestApps);

describe('POST /produce', () => {
  it('answers with the partition and offset the publisher got, and sends key, value and headers', async () => {
    const { app, publisher } = await build();
    await post(app, '/produce', { topic: 't', message: { a: 1 } });
    const res = await post(app, '/produce', {
      topic: 'test-topic',
      key: 'k1',
      message: { user_id: 123 },
      partition: 2,
      headers: { trace: 'abc' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      success: true,
      message: 'Message delivered',
      topic: 'test-topic',
      partition: 2,
      offset: 1,
      timestamp: '2024-01-01T12:00:00.000Z',
    });
    const sent = publisher.sent[1];
    expect(sent).toMatchObject({ topic: 'test-topic', key: 'k1', partition: 2, headers: [{ trace: 'abc' }] });
    expect(JSON.parse(String(sent?.value))).toEqual({
      user_id: 123,
      timestamp: '2024-01-01T12:00:00.000Z',
      source: 'streamforge-producer',
      server_time: 1704110400,
    });
  });

  it('never overwrites a field the client sent; --no-enrich sends the message as it came', async () => {
    const { app, publisher } = await build();
    await post(app, '/produce', { topic: 't', message: { timestamp: 'mine', source: 'me' } });
    expect(JSON.parse(String(publisher.sent[0]?.value))).toMatchObject({ timestamp: 'mine', source: 'me', server_time: 1704110400 });
    await app.close();
    const plain = await build({ enrich: false });
    await post(plain.app, '/produce', { topic: 't', message: { a: 1 } });
    expect(String(plain.publisher.sent[0]?.value)).toBe('{"a":1}');
  });

  it('sends a string message as its text, and arrays or numbers as JSON', async () => {
    const { app, publisher } = await build();
    await post(app, '/produce', { topic: 't', message: 'plain text' });
    await post(app, '/produce', { topic: 't', message: [1, 2] });
    expect(publisher.sent.map((m) => String(m.value))).toEqual(['plain text', '[1,2]']);
  });

  it('400 on invalid JSON, saying where it broke', async () => {
    const { app } = await build();
    const res = await post(app, '/produce', '{"topic": "t", "message": }');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      success: false,
      error: { code: 'SF_HTTP_BAD_JSON', message: expect.stringMatching(/not valid JSON: .*\(at position 26: line 1, column 27\)$/) },
    });
    expect(res.json().detail).toEqual(res.json().error.message);
    const multi = await post(app, '/produce', '{\n  "topic": "t",\n  "message": [1,,2]\n}');
    expect(multi.json().error.message).toMatch(/line 3, column 17\)$/);
    expect((await post(app, '/produce', '')).json().error.message).toBe('the body is empty, but the content type says JSON');
  });

  it('refuses prototype poisoning', async () => {
    const { app, publisher } = await build();
    const res = await post(app, '/produce', '{"topic": "t", "message": {"__proto__": {"admin": true}}}');
    expect(res.statusCode).toBe(400);
    expect(publisher.sent).toHaveLength(0);
  });

  it('400 listing each failing field', async () => {
    const { app } = await build();
    const res = await post(app, '/produce', { topic: 'bad topic!', partition: -1, mesage: 'typo' });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().error.details as Array<{ field: string }>).map((d) => d.field).sort();
    expect(fields).toEqual(['mesage', 'message', 'partition', 'topic']);
    expect(res.json().error.message).toContain('message must have required property');
  });

  it('415 for a body that is not JSON', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/produce',
      payload: 'topic=t',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('SF_HTTP_MEDIA_TYPE');
  });

  it('413 for a body over --body-limit', async () => {
    const { app } = await build({ bodyLimit: 100 });
    const res = await post(app, '/produce', { topic: 't', message: 'x'.repeat(200) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('SF_HTTP_TOO_LARGE');
  });

  it('403 for a topic outside the allowlist', async () => {
    const { app, publisher } = await build({ topicAllow: /^(?:orders|events-.*)$/ });
    expect((await post(app, '/produce', { topic: 'events-1', message: 1 })).statusCode).toBe(200);
    const res = await post(app, '/produce', { topic: 'secrets', message: 1 });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe("topic secrets is not in this server's allowlist");
    expect(publisher.sent).toHaveLength(1);
  });

  it.each([
    // librdkafka's own queue full is the answer of the server's full budget: 429, SF_HTTP_BUSY
    [E.ERR__QUEUE_FULL, 429, '1', 'SF_HTTP_BUSY'],
    [E.ERR__ALL_BROKERS_DOWN, 503, '5', 'SF_KAFKA_UNAVAILABLE'],
    [E.ERR_NOT_ENOUGH_REPLICAS, 503, '5', 'SF_KAFKA_UNAVAILABLE'],
  ])('librdkafka error %d (never written) -> %d with Retry-After %s and outcome not_written', async (code, status, retryAfter, sfCode) => {
    const { app, publisher } = await build();
    publisher.failWith = () => code;
    const res = await post(app, '/produce', { topic: 't', message: 1 });
    expect(res.statusCode).toBe(status);
    expect(res.headers['retry-after']).toBe(retryAfter);
    expect(res.json()).toMatchObject({ outcome: 'not_written', error: { code: sfCode } });
  });

  it.each([[E.ERR__MSG_TIMED_OUT], [E.ERR__TRANSPORT], [E.ERR__PURGE_INFLIGHT]])(
    'librdkafka error %d (handed over, no acknowledgement) -> 504 outcome unknown, no Retry-After, counted apart from failures',
    async (code) => {
      const { app, publisher } = await build();
      publisher.failWith = () => code;
      const res = await post(app, '/produce', { topic: 't', message: 1 });
      expect(res.statusCode).toBe(504);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.json()).toMatchObject({ outcome: 'unknown', error: { code: 'SF_KAFKA_OUTCOME_UNKNOWN' } });
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toMatch(/^producer_events_outcome_unknown_total\{topic="t"\} 1$/m);
      expect(metrics).not.toMatch(/^producer_events_failed_total\{/m);
    },
  );

  it('late deliveries of "unknown" messages are counted by what they said', async () => {
    const { app, publisher } = await build();
    publisher.late.set('t', { acknowledged: 3, failed: 1 });
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^producer_late_deliveries_total\{topic="t",result="acknowledged"\} 3$/m);
    expect(metrics).toMatch(/^producer_late_deliveries_total\{topic="t",result="failed"\} 1$/m);
  });

  it.each([
    [E.ERR_MSG_SIZE_TOO_LARGE, 413],
    [E.ERR__UNKNOWN_PARTITION, 404],
    [E.ERR_UNKNOWN_TOPIC_OR_PART, 404],
    [E.ERR_TOPIC_AUTHORIZATION_FAILED, 403],
  ])('librdkafka error %d -> %d', async (code, status) => {
    const { app, publisher } = await build();
    publisher.failWith = () => code;
    expect((await post(app, '/produce', { topic: 't', message: 1 })).statusCode).toBe(status);
  });
});

describe('POST /produce/batch', () => {
  it('answers one result per item, in order; one bad item does not sink the others (207)', async () => {
    const { app, publisher } = await build();
    publisher.failWith = (m) => (String(m.value) === 'kafka says no' ? E.ERR__MSG_TIMED_OUT : undefined);
    const res = await post(app, '/produce/batch', [
      { topic: 'a', key: 'k', message: { n: 1 } },
      { topic: 'a', message: null },
      { topic: 'b', message: 'kafka says no', key: 'x' },
      { topic: 'b', message: 'three' },
    ]);
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body).toMatchObject({ success: false, messages_sent: 2, messages_failed: 2 });
    expect(body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual([
      [0, 200],
      [1, 400],
      [2, 504],
      [3, 200],
    ]);
    expect(body.results[0]).toMatchObject({ success: true, topic: 'a', partition: 0, offset: expect.any(Number) });
    expect(body.results[1].error.message).toMatch(/^item 1: /);
    expect(publisher.sent.map((m) => m.topic)).toEqual(['a', 'b']);
  });

  it('200 when every item succeeds', async () => {
    const { app } = await build();
    const res = await post(app, '/produce/batch', [
      { topic: 'a', message: 1 },
      { topic: 'a', message: 2 },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, messages_sent: 2, messages_failed: 0 });
  });

  it('400 for an empty batch or a body that is not an array; 413 over --batch-limit', async () => {
    const { app } = await build();
    expect((await post(app, '/produce/batch', [])).statusCode).toBe(400);
    expect((await post(app, '/produce/batch', { topic: 'a', message: 1 })).statusCode).toBe(400);
    const res = await post(
      app,
      '/produce/batch',
      Array.from({ length: 6 }, () => ({ topic: 'a', message: 1 })),
    );
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toContain('more than --batch-limit 5');
  });
});

describe('bodies read from their bytes (produce-scan.ts)', () => {
  const message = { user_id: 123, action: 'login', tags: ['a b', 'c'] };
  // Python's json.dumps spacing: the bytes differ from the compact form the parsing path writes
  const spaced = (v: unknown) => JSON.stringify(v).replaceAll(',', ', ').replaceAll(':', ': ');

  it('sends the same bytes as the parsing path, the key as the bytes the client sent', async () => {
    const { app, publisher } = await build();
    expect((await post(app, '/produce/batch', spaced([{ topic: 't', key: 'k1', message }]))).statusCode).toBe(200);
    // a field of the client's own named as an enrichment field: merged by the parsing path
    expect((await post(app, '/produce/batch', spaced([{ topic: 't', key: 'k1', message: { ...message, source: 'me' } }]))).statusCode).toBe(
      200,
    );
    expect((await post(app, '/produce', spaced({ topic: 't', key: 'k1', message }))).statusCode).toBe(200);
    const [fast, parsed, single] = publisher.sent;
    // read from the bytes: the key is a slice of the request, not a string made from it
    expect(Buffer.isBuffer(fast?.key)).toBe(true);
    expect(Buffer.isBuffer(single?.key)).toBe(true);
    expect(parsed?.key).toBe('k1');
    const enrichment = '"timestamp":"2024-01-01T12:00:00.000Z","source":"streamforge-producer","server_time":1704110400';
    expect(String(fast?.value)).toBe(`{${enrichment},"user_id":123,"action":"login","tags":["a b","c"]}`);
    expect(String(single?.value)).toBe(String(fast?.value));
    expect(JSON.parse(String(parsed?.value))).toMatchObject({ source: 'me', user_id: 123 });
  });

  it('answers a body it leaves to the parsing path as before: a bad item 400 beside a delivered one', async () => {
    const { app, publisher } = await build();
    const res = await post(app, '/produce/batch', [
      { topic: 't', message: 1 },
      { topic: 't', message: null },
    ]);
    expect(res.statusCode).toBe(207);
    expect(res.json().results[1]).toMatchObject({ success: false, status: 400 });
    expect(publisher.sent).toHaveLength(1);
  });
});
