/** plugins/error-answers.ts: a route's path as the pattern that makes another method's request a 405. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { pathPattern } from '../../../../src/http/plugins/error-answers.js';
import { buildTestApp as build, closeTestApps } from '../../../support/producer-app.js';

afterEach(closeTestApps);

describe('routes with path parameters', () => {
  it('another method on a path a parametric route matches is a 405 naming the methods it takes', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'DELETE', url: '/topics/orders' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
    expect((await app.inject({ method: 'PUT', url: '/v3/clusters/c/topics/t/records:batch' })).headers.allow).toBe('POST');
    expect((await app.inject({ method: 'DELETE', url: '/topics/orders/x/y/z' })).statusCode).toBe(404);
  });

  it('pathPattern: a parameter is one segment, :: a colon', () => {
    const p = pathPattern('/v3/clusters/:cluster_id/topics/:topic/records::batch');
    expect(p.test('/v3/clusters/abc/topics/t.1/records:batch')).toBe(true);
    expect(p.test('/v3/clusters/abc/topics/t/records')).toBe(false);
    expect(p.test('/v3/clusters/a/b/topics/t/records:batch')).toBe(false);
    expect(pathPattern('/consumers/*').test('/consumers/g/instances/c')).toBe(true);
  });
});
