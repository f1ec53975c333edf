/** Shell completion, driven through bash itself: subcommands, flags, and enumerated values. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { cleanDir, runCli } from '../support/cli-process.js';

async function bashCompletes(words: string[]): Promise<string[]> {
  const script = (await runCli(['completion', 'bash'], {})).stdout;
  const file = join(cleanDir(), 'c.bash');
  writeFileSync(file, script);
  const out = execFileSync(
    'bash',
    [
      '-c',
      `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _streamforge; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    {
      encoding: 'utf8',
    },
  );
  return out.split('\n').filter(Boolean).sort();
}

describe('streamforge completion', () => {
  it('bash completes subcommands, their flags, and the values of enumerated flags', async () => {
    expect(await bashCompletes(['streamforge', 's'])).toEqual(['serve-producer', 'stop']);
    expect(await bashCompletes(['streamforge', 'ping', '--exp'])).toEqual(['--expect-pong']);
    expect(await bashCompletes(['streamforge', 'ping', '--security-protocol', 'SASL'])).toEqual(['SASL_PLAINTEXT', 'SASL_SSL']);
    expect(await bashCompletes(['streamforge', 'serve-producer', '--compression', ''])).toEqual(['gzip', 'lz4', 'none', 'snappy', 'zstd']);
    expect(await bashCompletes(['streamforge', 'watch', '--event', 'p'])).toEqual(['pong']);
    expect(await bashCompletes(['streamforge', 'completion', ''])).toEqual(['bash', 'fish', 'zsh']);
  });

  it('zsh and fish scripts name every subcommand and flag', async () => {
    const zsh = (await runCli(['completion', 'zsh'], {})).stdout;
    expect(zsh.startsWith('#compdef streamforge')).toBe(true);
    for (const sub of ['dummy', 'ping', 'stop', 'serve-producer', 'watch']) expect(zsh).toContain(`'${sub}:`);
    expect(zsh).toContain("--security-protocol'[how to talk to the brokers");
    const fish = (await runCli(['completion', 'fish'], {})).stdout;
    expect(fish).toContain("complete -c streamforge -n '__fish_seen_subcommand_from ping' -l expect-pong");
    expect(fish).toContain("-l log-format -x -a 'json text'");
  });

  it('an unknown shell is exit 2', async () => {
    const r = await runCli(['completion', 'tcsh'], {});
    expect(r.stderr).toContain("no completion for shell 'tcsh'");
    expect(r.code).toBe(2);
  });
});
