/**
 * The app as a whole (app.ts and its plugins) through fastify's inject: what every route gets,
 * security headers, authentication, CORS.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { buildTestApp as build, closeTestApps, post } from '../../support/producer-app.js';

afterEach(closeTestApps);

describe('security', () => {
  it('requires a bearer token, except on /health, /ready and /metrics', async () => {
    const { app } = await build({ tokens: ['s3cret', 'other'] });
    const none = await post(app, '/produce', { topic: 't', message: 1 });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="streamforge"');
    expect((await post(app, '/produce', { topic: 't', message: 1 }, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
    expect((await post(app, '/produce', { topic: 't', message: 1 }, { authorization: 'Bearer other' })).statusCode).toBe(200);
    for (const path of ['/health', '/ready', '/metrics']) expect((await app.inject(path)).statusCode).toBe(200);
    expect((await app.inject('/')).statusCode).toBe(401);
  });

  it('says whether the token was missing or wrong, in our error shape; the scheme is case-insensitive', async () => {
    const { app } = await build({ tokens: ['s3cret'] });
    const send = (authorization?: string) =>
      post(app, '/produce', { topic: 't', message: 1 }, authorization === undefined ? {} : { authorization });
    for (const missing of [undefined, 'Basic czNjcmV0', 'Bearer', 'Bearer   ']) {
      const res = await send(missing);
      expect([missing, res.statusCode]).toEqual([missing, 401]);
      expect(res.json()).toMatchObject({ success: false, error: { code: 'SF_HTTP_UNAUTHORIZED', message: 'a bearer token is required' } });
    }
    const wrong = await send('Bearer s3cre');
    expect(wrong.json()).toMatchObject({ error: { code: 'SF_HTTP_UNAUTHORIZED', message: 'the bearer token is not valid' } });
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="streamforge"');
    expect(wrong.body).not.toContain('s3cre');
    expect((await send('bearer s3cret')).statusCode).toBe(200);
    expect((await send('BEARER  s3cret ')).statusCode).toBe(200);
    // an unknown path is no way around the check, and says nothing of what exists
    expect((await app.inject('/nope')).statusCode).toBe(401);
  });

  it('answers CORS only for configured origins', async () => {
    const { app } = await build({ corsOrigins: ['https://ops.example'] });
    const ok = await app.inject({
      method: 'OPTIONS',
      url: '/produce',
      headers: { origin: 'https://ops.example', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://ops.example');
    const other = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
    const { app: closed } = await build();
    const none = await closed.inject({ method: 'GET', url: '/health', headers: { origin: 'https://ops.example' } });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });
});
