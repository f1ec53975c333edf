/** Help texts are part of the interface: every flag shows its variable, defaults show, examples exist. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { projectRoot } from '../support/broker.js';
import { runCli } from '../support/cli-process.js';

const version = (JSON.parse(readFileSync(`${projectRoot}/package.json`, 'utf8')) as { version: string }).version;

describe('streamforge --help and --version', () => {
  it('--version prints the package version, exit 0', async () => {
    const r = await runCli(['--version'], {});
    expect(r.stdout.trim()).toBe(version);
    expect(r.code).toBe(0);
  });

  it('--help lists the subcommands, the exit codes and examples', async () => {
    const r = await runCli(['--help'], {});
    expect(r.code).toBe(0);
    for (const cmd of ['dummy', 'ping', 'stop', 'serve-producer', 'watch']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    expect(r.stdout).toContain('Exit codes: 0 done, 1');
    expect(r.stdout).toContain('$ streamforge ping --queue-id q1 --expect-pong');
  });

  it('no subcommand is a usage error that shows the help', async () => {
    const r = await runCli([], {});
    expect(r.stderr).toContain('Usage: streamforge');
    expect(r.code).toBe(2);
  });

  it.each(['dummy', 'ping', 'stop', 'serve-producer'])(
    '%s --help: every flag names its variable, with defaults and examples',
    async (cmd) => {
      const r = await runCli([cmd, '--help'], {});
      expect(r.code).toBe(0);
      // commander wraps long lines; join each option's continuation lines to check it whole
      const options = r.stdout
        .split('\nOptions:\n')[1]
        ?.split('\n\n')[0]
        ?.replace(/\n {20,}/g, ' ')
        .split('\n')
        .filter((l) => /^\s+-/.test(l) && !l.includes('--help'));
      expect(options?.length).toBeGreaterThan(10);
      for (const line of options ?? []) expect(line).toMatch(/\[env [A-Z_=a-z]+/);
      expect(options?.join('\n')).toMatch(/--bootstrap-servers <list> .*\[env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092\]/);
      expect(r.stdout).toContain('KAFKA_PASSWORD');
      expect(options?.join('\n')).toMatch(/--ca-path <file> .*\[env KAFKA_CA_PATH or CA_PATH\]/);
      expect(r.stdout).toMatch(/Examples:\n {2}\$ streamforge /);
    },
  );
});
