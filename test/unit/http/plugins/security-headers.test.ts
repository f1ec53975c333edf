/** Helmet's headers, computed once, on every answer: success, error, refusal and unknown path alike. */
import { afterEach, describe, expect, it } from '@jest/globals';
import helmet from 'helmet';
import { helmetHeaders } from '../../../../src/http/plugins/security-headers.js';
import { buildTestApp, closeTestApps, post } from '../../../support/producer-app.js';
import { makePki, pem } from '../../../support/tls.js';

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
      for (const [name, value] of Object.entries(helmetHeaders())) {
        // over plain HTTP there is no HSTS: it would pin the name to an HTTPS nobody serves
        if (name === 'strict-transport-security') expect(answer.headers[name]).toBeUndefined();
        else expect(answer.headers[name]).toBe(value);
      }
    }
  });

  it('HSTS and upgrade-insecure-requests only when the server speaks HTTPS', async () => {
    const plain = (await buildTestApp()).app;
    const docsCsp = async (app: typeof plain) => String((await app.inject('/docs/static/index.html')).headers['content-security-policy']);
    expect(await docsCsp(plain)).not.toMatch(/upgrade-insecure-requests/);
    expect(await docsCsp(plain)).toMatch(/default-src 'self'/);
    const pki = makePki();
    const server = pki.serverCert('unit');
    const tls = (await buildTestApp({ tls: { cert: pem(server.cert), key: pem(server.key) } })).app;
    expect((await tls.inject('/health')).headers['strict-transport-security']).toBe(helmetHeaders()['strict-transport-security']);
    expect(await docsCsp(tls)).toMatch(/upgrade-insecure-requests/);
  });
});
