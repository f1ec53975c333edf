/** The program in-process, as the shell would run it: its exit code, stdout and stderr, no broker needed. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main, packageVersion } from '../../src/program.js';

export interface ProgramRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** a subcommand began to run (not help, not a usage error from commander) */
  readonly started: boolean;
}

export async function runProgram(args: readonly string[], env: Record<string, string> = {}): Promise<ProgramRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  let started = false;
  const code = await main(
    ['node', 'streamforge', ...args],
    {
      env,
      cwd: mkdtempSync(join(tmpdir(), 'sf-program-')),
      stdout,
      stderr,
      stdin: new PassThrough(),
      interactive: false,
      onSignal: () => undefined,
      version: packageVersion(),
    },
    () => (started = true),
  );
  return { code, out, err, started };
}
