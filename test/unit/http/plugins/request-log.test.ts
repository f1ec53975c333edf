/** plugins/request-log.ts: every answered request counted by its route pattern, and logged at debug, a 5xx at warn. */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../../src/observability/logger.js';
import { buildTestApp, closeTestApps, post } from '../../../support/producer-app.js';

afterEach(closeTestApps);

async function appLogging(level: 'debug' | 'warn') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  stream.on('data', (d: Buffer) =>
    lines.push(
      ...d
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ),
  );
  const { app, publisher } = await buildTestApp({ logger: createLogger({ level, format: 'json', stream }) });
  return { app, publisher, lines };
}

describe('request log', () => {
  it('logs each request at debug with its route pattern, method and status; counts it by the same labels', async () => {
    const { app, lines } = await appLogging('debug');
    expect((await post(app, '/topics/orders', '{}', { 'content-type': 'application/vnd.kafka.json.v2+json' })).statusCode).toBe(422);
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ level: 'debug', method: 'POST', route: '/topics/:topic', status: 422 });
    expect((await app.inject('/metrics')).body).toMatch(/^http_requests_total\{method="POST",route="\/topics\/:topic",status="422"\} 1$/m);
  });

  it('at warn, only what the server could not do (5xx) is logged', async () => {
    const { app, publisher, lines } = await appLogging('warn');
    await post(app, '/produce', { topic: 't', message: 1 });
    publisher.metadataDown = true;
    expect((await post(app, '/produce', { topic: 'elsewhere', message: 1 })).statusCode).toBe(503);
    expect(lines.filter((l) => l.msg === 'request').map((l) => [l.level, l.status])).toEqual([['warn', 503]]);
  });
});
