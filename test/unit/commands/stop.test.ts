/** commands/stop.ts: its settings to a run, and its exit codes. */
import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

describe('streamforge stop', () => {
  it('without a queue id: exit 2 before any connection', async () => {
    const r = await runProgram(['stop']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/no queue to stop: --queue-id is required/);
  });

  it('a broker that cannot be reached: exit 3, nothing on stdout (its results go there)', async () => {
    const r = await runProgram(['stop', '--queue-id', 'q1', '--wait', '-b', '127.0.0.1:1', '--connect-timeout', '300ms']);
    expect(r.code).toBe(ExitCode.kafka);
    expect(r.err).toMatch(/SF_KAFKA_UNREACHABLE/);
    expect(r.out).toBe('');
  });
});
