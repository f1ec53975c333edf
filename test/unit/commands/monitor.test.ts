/** commands/monitor.ts: combinations it refuses before it starts, and its exit codes. */
import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

describe('streamforge monitor', () => {
  it('a probe timeout as long as the probe interval: exit 2, saying why', async () => {
    const r = await runProgram(['monitor', '--probe-interval', '2s', '--probe-timeout', '3s']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/--probe-timeout \(3s\) must be shorter than --probe-interval \(2s\)/);
  });

  it('without probes the timeout is not checked; a broker that cannot be reached is exit 3', async () => {
    const r = await runProgram(['monitor', '--no-probe', '--probe-interval', '2s', '--probe-timeout', '3s', '--metrics-port', '0'], {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
      KAFKA_CONNECT_TIMEOUT: '300ms',
    });
    expect(r.code).toBe(ExitCode.kafka);
    expect(r.err).toMatch(/SF_KAFKA_UNREACHABLE/);
  });
});
