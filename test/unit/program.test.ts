/**
 * The program in-process, without a broker: help, version, completion and bad usage, with the
 * exit codes of docs/protocol.md. (The built executable's own start-up is covered by the
 * integration tests.)
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { completionScript, shells } from '../../src/completion.js';
import { commands } from '../../src/commands/index.js';
import { ExitCode } from '../../src/errors.js';
import { packageVersion } from '../../src/program.js';
import { runProgram } from '../support/program.js';

const run = (...args: string[]) => runProgram(args);

describe('help and version', () => {
  it('lists every subcommand, watch included, with examples and exit codes', async () => {
    const r = await run('--help');
    expect(r.code).toBe(ExitCode.ok);
    for (const name of ['dummy', 'ping', 'stop', 'serve-producer', 'watch', 'completion'])
      expect(r.out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(r.out.replace(/\s+/g, ' ')).toMatch(/a live terminal view of the queues/);
    expect(r.out).toMatch(/Exit codes: 0 done, 1 .*, 2 usage or configuration error, 3 Kafka unreachable/);
    expect(r.started).toBe(false);
  });

  it.each(commands.map((c) => c.name))('%s --help: every flag with its variable and default, and examples', async (name) => {
    const r = await run(name, '--help');
    expect(r.code).toBe(ExitCode.ok);
    // commander wraps the help at 80 columns
    const flat = r.out.replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /--bootstrap-servers <list> Kafka brokers, host:port\[,host:port\.\.\.\] \[env KAFKA_BOOTSTRAP_SERVERS; default localhost:9092\]/,
    );
    expect(flat).toMatch(
      /--connect-timeout <duration> give up reaching Kafka after this long \(exit 3\) \[env KAFKA_CONNECT_TIMEOUT; default 30s\]/,
    );
    expect(r.out).toMatch(/Examples:\n {2}\$ streamforge /);
    expect(r.out).not.toMatch(/<seconds>|default 30000/);
  });

  it('no arguments: the help on stderr, exit 2', async () => {
    const r = await run();
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(/Usage: streamforge/);
  });

  it('-V prints the version', async () => {
    const r = await run('-V');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out.trim()).toBe(packageVersion());
  });
});

describe('bad usage exits 2 with a reason, before any I/O', () => {
  it.each([
    [['nonsense'], /unknown command 'nonsense'/],
    [['ping', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['ping', '--queue-id', 'q', '--timeout', 'soon'], /--timeout must be a duration such as 5 \(seconds\), 500ms, 15s or 1m/],
    [['ping'], /no queue to ping: --queue-id is required/],
    [['completion', 'powershell'], /no completion for shell 'powershell'/],
  ])('%j', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(ExitCode.usage);
    expect(r.err).toMatch(message);
  });
});

describe('completion', () => {
  it.each(shells)('%s: every subcommand and every flag, and the choices of enumerations', (shell) => {
    const script = completionScript(shell, commands);
    for (const c of commands) expect(script).toContain(c.name);
    for (const flag of ['queue-id', 'bootstrap-servers', 'produce-timeout', 'exit-after', 'since'])
      expect(script).toContain(shell === 'fish' ? `-l ${flag}` : `--${flag}`);
    expect(script).toContain('SCRAM-SHA-512');
    expect(script).toContain('SASL_SSL');
  });

  it('the bash script is valid bash and completes a subcommand and a flag', () => {
    const script = completionScript('bash', commands);
    const complete = (words: string[]): string[] =>
      execFileSync(
        'bash',
        [
          '-c',
          `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _streamforge; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete(['streamforge', 'se'])).toEqual(['serve-producer']);
    expect(complete(['streamforge', 'ping', '--queue'])).toEqual(['--queue-id']);
    expect(complete(['streamforge', 'ping', '--security-protocol', 'SASL_'])).toEqual(['SASL_PLAINTEXT', 'SASL_SSL']);
  });

  it('is printed by the program, and counts as a command that ran', async () => {
    const r = await run('completion', 'fish');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toBe(completionScript('fish', commands));
    expect(r.started).toBe(true);
  });
});
