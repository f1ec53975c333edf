/** commands/serve-producer.ts: settings to the one options object the server hands on, and what it refuses before it starts. */
import { describe, expect, it } from '@jest/globals';
import { serveProducerSettings, serverOptions } from '../../../src/commands/serve-producer.js';
import { connectionFrom } from '../../../src/config/kafka-connection.js';
import { resolveSettings } from '../../../src/config/resolve.js';
import { ExitCode } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

const resolved = (flags: Record<string, unknown>, env: Record<string, string> = {}) =>
  resolveSettings(serveProducerSettings, { flags, env, dotenv: {}, facts: { version: '1.2.3' } });

describe('serverOptions', () => {
  it('gives the app its part whole, Kafka the ingest profile, the listener its address: each setting once, where it belongs', () => {
    const r = resolved(
      { maxPendingRecords: '5000', workers: '1', readTimeout: '3s', compression: 'zstd', tlsCert: 'c.pem', tlsKey: 'k.pem' },
      { SERVER_ADDRESS: '127.0.0.1:9000', PRODUCER_API_TOKENS: 't1,t2' },
    );
    const o = serverOptions(r.values, connectionFrom(r));
    expect(o.app).toMatchObject({
      info: { version: '1.2.3' },
      tokens: ['t1', 't2'],
      corsOrigins: [],
      admission: { records: 5000 },
      requestTimeoutMs: 3000,
    });
    expect(o.kafka.profile).toMatchObject({ kind: 'ingest', compression: 'zstd', deliveryTimeoutMs: 10_000 });
    expect(o.listen).toMatchObject({ host: '127.0.0.1', port: 9000, tls: { certPath: 'c.pem', keyPath: 'k.pem' } });
    expect(o.kafka.conn.brokers).toBe('localhost:9092');
  });

  it('gives each worker an even share of the pending budgets, never less than one whole request', () => {
    const admission = (flags: Record<string, unknown>) =>
      serverOptions(resolved(flags).values, connectionFrom(resolved(flags))).app.admission;
    expect(admission({ workers: '4', maxPendingRecords: '20000', maxPendingBytes: '64mb' })).toEqual({
      records: 5000,
      bytes: 16 * 1024 * 1024,
    });
    expect(admission({ workers: '4', maxPendingRecords: '2000', batchLimit: '1000' })).toMatchObject({ records: 1000 });
  });

  it("defaults --workers to the CPUs this process may use, and says so in help's words", () => {
    expect(resolved({}).values.workers).toBeGreaterThanOrEqual(1);
    expect(serveProducerSettings.workers.defaultLabel).toMatch(/CPUs the container may use/);
  });
});

describe('streamforge serve-producer refuses what cannot work, before it connects (exit 2)', () => {
  it.each([
    [['--max-pending-records', '100', '--batch-limit', '1000'], /--max-pending-records 100 is less than --batch-limit 1000/],
    [['--max-pending-bytes', '2kb', '--body-limit', '1mb'], /--max-pending-bytes 2048 is less than --body-limit 1048576/],
    [['--tls-key', 'k.pem'], /--tls-key is set without --tls-cert/],
    [['--tls-client-ca', 'ca.pem'], /--tls-client-ca is set without --tls-cert/],
    [['--port', '9100', '--metrics-port', '9100'], /--metrics-port 9100 is the HTTP port/],
  ])('%j', async (args, message) => {
    const r = await runProgram(['serve-producer', '-b', '127.0.0.1:1', '--connect-timeout', '300ms', ...args]);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(message);
  });

  it('a broker that cannot be reached is exit 3, logged as JSON with its hint', async () => {
    // one process: workers would be forks of the test runner
    const r = await runProgram(['serve-producer', '-b', '127.0.0.1:1', '--connect-timeout', '300ms', '--port', '0', '--workers', '1']);
    expect(r.code).toBe(ExitCode.kafka);
    expect(JSON.parse(r.out.trim().split('\n').pop() ?? '')).toMatchObject({
      level: 'error',
      code: 'SF_KAFKA_UNREACHABLE',
      hint: expect.stringMatching(/KAFKA_BOOTSTRAP_SERVERS/),
    });
  });
});
