/** routes/kafka-rest-discovery.ts through fastify's inject: the gateways' topic and cluster lookups. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { buildTestApp as build, closeTestApps } from '../../../support/producer-app.js';

afterEach(closeTestApps);

describe('v2 discovery', () => {
  it('GET /topics lists allowed, non-internal topics; GET /topics/{t} and its partitions in the v2 shapes', async () => {
    const { app, publisher } = await build({ topicAllow: /^(orders|__consumer_offsets|events|none)$/ });
    publisher.cluster.set('__consumer_offsets', 50);
    publisher.cluster.set('secret', 1);
    const list = await app.inject({ method: 'GET', url: '/topics' });
    expect(list.json()).toEqual(['events', 'orders']);
    const topic = await app.inject({ method: 'GET', url: '/topics/orders' });
    expect(topic.json()).toEqual({
      name: 'orders',
      configs: {},
      partitions: [0, 1, 2].map((p) => ({ partition: p, leader: 1, replicas: [{ broker: 1, leader: true, in_sync: true }] })),
    });
    expect((await app.inject({ method: 'GET', url: '/topics/orders/partitions' })).json()).toHaveLength(3);
    expect((await app.inject({ method: 'GET', url: '/topics/orders/partitions/2' })).json()).toMatchObject({ partition: 2, leader: 1 });
    expect((await app.inject({ method: 'GET', url: '/topics/orders/partitions/3' })).json().error_code).toBe(40402);
    expect((await app.inject({ method: 'GET', url: '/topics/secret' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/topics/none' })).statusCode).toBe(404);
  });

  it('consumer endpoints: 501 naming streamforge watch; GET / carries bridge_version; /healthy 204', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/consumers/my-group',
      payload: '{}',
      headers: { 'content-type': 'application/vnd.kafka.v2+json' },
    });
    expect(res.statusCode).toBe(501);
    expect(res.json().message).toContain('streamforge watch');
    expect((await app.inject({ method: 'GET', url: '/consumers/g/instances/c/records' })).statusCode).toBe(501);
    expect((await app.inject({ method: 'GET', url: '/' })).json().bridge_version).toBe('9.9.9');
    expect((await app.inject({ method: 'GET', url: '/healthy' })).statusCode).toBe(204);
  });
});
