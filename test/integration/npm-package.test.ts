/**
 * The npm package as a user gets it: `npm pack` (what the registry would receive), then
 * `npm install -g --prefix <scratch>` from that tarball (node-rdkafka compiles as in any
 * install, about two minutes here), and the installed `streamforge` on PATH reaching the broker.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { runCli, uniqueTopics, type Launcher } from '../support/cli-process.js';

jest.setTimeout(15 * 60_000);
const broker = requireBroker('plaintext');

describe('the npm package', () => {
  it('holds what runs and nothing else, installs globally, and its streamforge reaches the broker', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'sf-npm-'));
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
        cwd: projectRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const [{ filename, files }] = packed as [(typeof packed)[number]];
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'npm-shrinkwrap.json',
        'bin/streamforge',
        'dist/cli.js',
        'docs/streamforge.1',
      ]),
    );
    expect(
      paths.filter(
        (p) =>
          !/^(LICENSE|README\.md|package\.json|npm-shrinkwrap\.json|bin\/streamforge|docs\/streamforge\.1|dist\/.+\.js|schemas\/.+\.json)$/.test(
            p,
          ),
      ),
    ).toEqual([]);

    const prefix = join(scratch, 'prefix');
    const install = spawnSync(
      'npm',
      ['install', '-g', '--prefix', prefix, '--allow-scripts=node-rdkafka', '--no-fund', '--no-audit', join(scratch, filename)],
      { cwd: scratch, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: '/usr' } },
    );
    if (install.status !== 0) process.stderr.write(install.stderr.slice(-5000));
    expect(install.status).toBe(0);

    const installed: Launcher = {
      command: join(prefix, 'bin', 'streamforge'),
      args: [],
      baseEnv: { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '' },
    };
    // `man streamforge` after a global install: npm links package.json's "man" into share/man
    // (man -w names the file the link points to, so the two are compared by their real paths)
    const manEnv = { ...process.env, MANPATH: join(prefix, 'share', 'man') };
    const manPath = execFileSync('man', ['-w', 'streamforge'], { env: manEnv, encoding: 'utf8' }).trim();
    expect(realpathSync(manPath)).toBe(realpathSync(join(prefix, 'share', 'man', 'man1', 'streamforge.1')));
    expect(execFileSync('man', ['-P', 'cat', 'streamforge'], { env: manEnv, encoding: 'utf8' })).toMatch(/--bootstrap-servers/);

    const version = await runCli(['--version'], {}, scratch, installed);
    expect(version.code).toBe(0);
    // no dummy answers: the ping reaches Kafka and reports its loss (1), not a broken install
    const ping = await runCli(
      ['ping', '--queue-id', 'npm-nobody', '--expect-pong', '--timeout', '1'],
      { ...broker, ...uniqueTopics('npm') },
      scratch,
      installed,
    );
    expect(ping.stdout).toMatch(/1 sent, 0 received, 1 lost/);
    expect(ping.code).toBe(1);
  });
});
