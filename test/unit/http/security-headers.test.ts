/** Helmet's headers, computed once, on every answer: success, error, refusal and unknown path alike. */
import { afterEach, describe, expect, it } from '@jest/globals';
import helmet from 'helmet';
import { helmetHeaders } from '../../../src/http/plugins/security-headers.js';
import { buildTestApp, closeTestApps, post } from '../../support/producer-app.js';

afterEach(closeTestApps);

/** What helmet itself sets on a real response object, for comparison. */
function setByHelmet(): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = { setHeader: (k: string, v: unknown) => (headers[k.toLowerCase()] = String(v)), removeHeader: () => undefined };
  helmet({ contentSecurityPolicy: false })({} as never, res as never, () => undefined);
  return headers;
}

describe('security headers', () => {
  it('are exactly what helmet sets, without a Content-Security-Policy (Swagger UI needs inline scripts)', () => {
    const headers = helmetHeaders();
    expect(headers).toEqual(setByHelmet());
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers).not.toHaveProperty('content-security-policy');
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('are on every answer: 200, 400, 401, 404', async () => {
    const { app } = await buildTestApp({ tokens: ['s3cret'] });
    const answers = [
      await app.inject('/health'),
      await post(app, '/produce', '{"topic":', { authorization: 'Bearer s3cret' }),
      await post(app, '/produce', '{"topic":"t","message":1}'),
      await app.inject({ url: '/nope', headers: { authorization: 'Bearer s3cret' } }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 401, 404]);
    for (const answer of answers) {
      for (const [name, value] of Object.entries(helmetHeaders())) expect(answer.headers[name]).toBe(value);
    }
  });
});
