/** routes/system.ts through fastify's inject: /, /health, /ready, /metrics, /docs. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { buildTestApp as build, closeTestApps, NOW, post } from '../../../support/producer-app.js';

afterEach(closeTestApps);

describe('system routes', () => {
  it('GET / names the server and lists the endpoints', async () => {
    const { app } = await build();
    const body = (await app.inject('/')).json();
    expect(body).toMatchObject({ name: 'streamforge-producer', version: '9.9.9', env: 'test' });
    expect(body.endpoints.produce).toBe('POST /produce');
  });

  it('/health reports Kafka; /ready is 503 with Retry-After until connected with fresh metadata', async () => {
    const { app, publisher } = await build();
    expect((await app.inject('/health')).json()).toEqual({ status: 'healthy', timestamp: NOW.toISOString(), kafka_connected: true });
    expect((await app.inject('/ready')).statusCode).toBe(200);
    publisher.fresh = false;
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    expect((await app.inject('/health')).json()).toMatchObject({ status: 'degraded', kafka_connected: false });
  });

  it('/metrics has the HTTP and producer metrics', async () => {
    const { app } = await build();
    await post(app, '/produce', { topic: 'm', message: 1 });
    // a batch counts each message, per topic
    await post(app, '/produce/batch', [
      { topic: 'm', message: 1 },
      { topic: 'n', message: 2 },
      { topic: 'm', message: 3 },
    ]);
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(/^http_requests_total\{method="POST",route="\/produce",status="200"\} 1$/m);
    expect(text).toMatch(/^producer_events_published_total\{topic="m"\} 3$/m);
    expect(text).toMatch(/^producer_events_published_total\{topic="n"\} 1$/m);
    expect(text).toMatch(/^producer_batch_size_count 1$/m);
    expect(text).toMatch(/^producer_queue_depth 3$/m);
    expect(text).toMatch(/^producer_in_flight 2$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket/m);
    expect(text).toMatch(/^producer_publish_duration_seconds_count 4$/m);
  });

  it('404 for an unknown route, in the same error shape', async () => {
    const { app } = await build();
    const res = await app.inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ success: false, error: { code: 'SF_HTTP_NOT_FOUND', message: 'no route GET /nope' } });
  });

  it('serves the OpenAPI document generated from the same schemas, and Swagger UI', async () => {
    const { app } = await build();
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/produce', '/produce/batch', '/api/v1/events/user', '/health', '/ready']),
    );
    expect(doc.components.schemas.ProduceRequest.required).toEqual(['topic', 'message']);
    expect(Object.keys(doc.paths['/produce/batch'].post.responses)).toEqual(expect.arrayContaining(['200', '207', '413']));
    const ui = await app.inject('/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('sets the usual security headers', async () => {
    const { app } = await build();
    const res = await app.inject('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});
