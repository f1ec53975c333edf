/** commands/dummy.ts: its settings to a service, and its exit codes. */
import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

const unreachable = ['-b', '127.0.0.1:1', '--connect-timeout', '300ms'];

describe('streamforge dummy', () => {
  it('logs its start as JSON with the queue id it derived or was given, then exit 3 when Kafka cannot be reached', async () => {
    const r = await runProgram(['dummy', ...unreachable], { QUEUE_ID: 'loader-q1' });
    expect(r.code).toBe(ExitCode.kafka);
    const start = JSON.parse(r.out.split('\n')[0] ?? '') as Record<string, unknown>;
    expect(start).toMatchObject({ level: 'info', msg: 'starting', queue_id: 'loader-q1', brokers: '127.0.0.1:1' });
    expect(r.err).toMatch(/SF_KAFKA_UNREACHABLE/);
  });

  it('a value it cannot use is exit 2 naming where it came from', async () => {
    const r = await runProgram(['dummy', '--queue-id', 'q1', ...unreachable], { DUMMY_EXIT_AFTER: 'later' });
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/DUMMY_EXIT_AFTER \(environment\) must be a duration/);
  });
});
