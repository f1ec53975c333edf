/** routes/typed-events.ts through fastify's inject: the Go service's /api/v1/events/{kind} and their stats. */
import { afterEach, describe, expect, it } from '@jest/globals';
import Kafka from 'node-rdkafka';
import { buildTestApp as build, closeTestApps, post } from '../../../support/producer-app.js';

const E = Kafka.CODES.ERRORS;

afterEach(closeTestApps);

describe('typed events', () => {
  it('takes data as a JSON string (as the Go service did), names the event and keys it by its id', async () => {
    const { app, publisher } = await build();
    const res = await post(app, '/api/v1/events/user', { data: '{"user_id": "123", "email": "user@example.com"}' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.event_id).toMatch(/^user_created_20240101120000_[a-z0-9]{6}$/);
    expect(body).toMatchObject({ success: true, event_type: 'user_created', topic: 'events', partition: 0, offset: 0 });
    expect(publisher.sent[0]?.key).toBe(body.event_id);
    expect(JSON.parse(String(publisher.sent[0]?.value))).toMatchObject({
      event_id: body.event_id,
      event_type: 'user_created',
      data: { user_id: '123' },
    });
  });

  it('takes data as an object too, and counts published and failed per type', async () => {
    const { app, publisher } = await build();
    await post(app, '/api/v1/events/order', { data: { order_id: '456', amount: 100.5 } });
    publisher.failWith = () => E.ERR__MSG_TIMED_OUT;
    expect((await post(app, '/api/v1/events/payment', { data: { id: 1 } })).statusCode).toBe(504);
    const stats = (await app.inject('/api/v1/events/stats')).json();
    expect(stats.events).toEqual({
      user: { published: 0, failed: 0 },
      order: { published: 1, failed: 0 },
      payment: { published: 0, failed: 1 },
    });
    expect(stats.total).toEqual({ published: 1, failed: 1 });
  });

  it('400 when data is not JSON or not an object', async () => {
    const { app } = await build();
    const bad = await post(app, '/api/v1/events/user', { data: '{"user_id": 12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe(
      'the request does not match the schema: data must be a string holding the JSON text of an object, or of type object',
    );
    for (const data of ['[1,2]', '000', '"{}"', `${'['.repeat(300)}${']'.repeat(300)}`, '{"__proto__":{}}'])
      expect((await post(app, '/api/v1/events/user', { data })).statusCode).toBe(400);
    expect((await post(app, '/api/v1/events/user', {})).statusCode).toBe(400);
  });
});
