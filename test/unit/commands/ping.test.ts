/** commands/ping.ts (and the control session it shares with stop, common.ts): its settings to a run, and its exit codes. */
import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

// nothing listens on port 1: refused at once, as an unreachable cluster is
const unreachable = ['-b', '127.0.0.1:1', '--connect-timeout', '300ms'];

describe('streamforge ping', () => {
  it('without a queue id: exit 2, naming the flag and the variable, before any connection', async () => {
    const r = await runProgram(['ping']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/no queue to ping: --queue-id is required \(SF_CONFIG_INVALID\)/);
    expect(r.err).toMatch(/QUEUE_ID/);
  });

  it('takes the queue id from QUEUE_ID, as the fleet passes it; a broker that cannot be reached is exit 3 naming it', async () => {
    const r = await runProgram(['ping', ...unreachable], { QUEUE_ID: 'q1' });
    expect(r.code).toBe(ExitCode.kafka);
    expect(r.err).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1 within 0\.3s.*\(SF_KAFKA_UNREACHABLE\)/);
    expect(r.out).toBe('');
  });

  it('refuses a repeat count or interval it cannot use: exit 2, saying what is allowed', async () => {
    for (const args of [
      ['--repeat', '0'],
      ['--interval', 'soon'],
    ]) {
      const r = await runProgram(['ping', '--queue-id', 'q1', ...args, ...unreachable]);
      expect([args, r.code]).toEqual([args, ExitCode.usage]);
      expect(r.err).toMatch(/must be/);
    }
  });
});
