/** commands/watch.ts: combinations it refuses before it starts. */
import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../../src/errors.js';
import { runProgram } from '../../support/program.js';

describe('streamforge watch', () => {
  it('two starting points: exit 2 before any connection', async () => {
    const r = await runProgram(['watch', '--json', '--from-beginning', '--since', '1h']);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/--from-beginning and --since both say where to start/);
  });
});
