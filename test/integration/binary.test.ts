/**
 * The single executable (make dist: dist/streamforge-linux-x64) as a user without Node runs it:
 * copied to a scratch directory, started with a PATH that holds no `node` and no NODE_*
 * variable, against the broker over SASL_SSL with the generated CA. Run twice, the second start
 * uses the addon the first one unpacked; a damaged cached addon is noticed by its hash and
 * written again. The executable is built once (make test builds it before the suite) and
 * reused by this file and the container test.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { CliProcess, runCli, startDummy, uniqueTopics, type Launcher } from '../support/cli-process.js';
import { postJson, startProducerServer } from '../support/http-server.js';
import { createTopic } from '../support/kafka-admin.js';
import { readTopic } from '../support/kcat.js';

jest.setTimeout(180_000);
const built = join(projectRoot, 'dist', 'streamforge-linux-x64');
const scratch = mkdtempSync(join(tmpdir(), 'sf-binary-'));
const binary = join(scratch, 'streamforge');
const home = join(scratch, 'home');
/** a directory on PATH with nothing in it: no node, no npm */
const emptyBin = join(scratch, 'bin');
const launcher: Launcher = { command: binary, args: [], baseEnv: { PATH: emptyBin, HOME: home } };
const sasl = requireBroker('sasl');
const plaintext = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const addonOf = (): string => {
  const cache = join(home, '.cache', 'streamforge');
  const [build] = existsSync(cache) ? execFileSync('ls', [cache], { encoding: 'utf8' }).split('\n').filter(Boolean) : [];
  return join(cache, build ?? 'none', 'addon', 'build', 'Release', 'node-librdkafka.node');
};

beforeAll(() => {
  if (!existsSync(built)) execFileSync(process.execPath, [join(projectRoot, 'scripts', 'build-binary.mjs')], { stdio: 'inherit' });
  mkdirSync(emptyBin, { recursive: true });
  copyFileSync(built, binary);
  execFileSync('chmod', ['+x', binary]);
});

describe('the single executable, where no Node is installed', () => {
  it('has no node beside it, and answers --version, --help and completion', async () => {
    const lookup = spawnSync('/bin/sh', ['-c', 'command -v node'], { env: { PATH: emptyBin }, encoding: 'utf8' });
    expect(lookup.error).toBeUndefined();
    expect(lookup.stdout).toBe('');
    expect(lookup.status).not.toBe(0);
    const version = await runCli(['--version'], {}, scratch, launcher);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version,
    );
    const help = await runCli(['--help'], {}, scratch, launcher);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve-producer/);
    const completion = await runCli(['completion', 'bash'], {}, scratch, launcher);
    expect(completion.stdout).toMatch(/complete -F _streamforge streamforge/);
  });

  it('runs a dummy and pings it over SASL_SSL with the generated CA, then stops it; twice, the second time from the cache', async () => {
    for (const round of [1, 2]) {
      const env = { ...sasl, ...uniqueTopics(`bin-${round}`) };
      const before = existsSync(addonOf()) ? statSync(addonOf()).mtimeMs : undefined;
      const dummy = await startDummy(['--queue-id', `bin-q${round}`], env, launcher);
      running.push(dummy);
      const ping = await runCli(
        ['ping', '--queue-id', `bin-q${round}`, '--expect-pong', '--repeat', '3', '--interval', '0.2'],
        env,
        scratch,
        launcher,
      );
      expect(ping.stdout).toMatch(/3 sent, 3 received, 0 lost/);
      expect(ping.code).toBe(0);
      const stop = await runCli(['stop', '--queue-id', `bin-q${round}`, '--wait'], env, scratch, launcher);
      expect(stop.stdout).toMatch(/interrupted/);
      expect(stop.code).toBe(0);
      expect((await dummy.exited).code).toBe(0);
      // the first run unpacked the addon; the second found it whole and left it as it was
      if (round === 2) expect(statSync(addonOf()).mtimeMs).toBe(before);
      expect(dummy.stderr).not.toMatch(/written again/);
    }
  });

  it('notices a damaged cached addon by its hash, writes it again, and works', async () => {
    const addon = addonOf();
    const good = sha256(addon);
    const bytes = readFileSync(addon);
    bytes.write('damaged', 4096);
    writeFileSync(addon, bytes);
    expect(sha256(addon)).not.toBe(good);
    const env = { ...sasl, ...uniqueTopics('bin-damaged') };
    const ping = await runCli(['ping', '--queue-id', 'nobody-here', '--expect-pong', '--timeout', '1'], env, scratch, launcher);
    expect(ping.stderr).toMatch(/node-librdkafka\.node did not match its SHA-256 and was written again/);
    expect(ping.code).toBe(1); // no pong: it reached Kafka, with the addon written again
    expect(sha256(addon)).toBe(good);
  });

  it('says where it could not write its native files, and exits 2', async () => {
    const notADirectory = join(scratch, 'a-file');
    writeFileSync(notADirectory, '');
    const env = { ...sasl, ...uniqueTopics('bin-nocache'), XDG_CACHE_HOME: join(notADirectory, 'cache') };
    const ping = await runCli(['ping', '--queue-id', 'nobody-here', '--timeout', '1'], env, scratch, launcher);
    expect(ping.stderr).toMatch(/cannot write the executable's native files to .*a-file\/cache\/streamforge/);
    expect(ping.stderr).toMatch(/hint: set XDG_CACHE_HOME to a writable directory/);
    expect(ping.code).toBe(2);
  });

  it('serve-producer (two workers: node:cluster forks the executable) answers /produce with the offset where kcat finds the record', async () => {
    const topic = `bin-produce-${Date.now()}`;
    await createTopic(plaintext, topic, 3);
    const server = await startProducerServer(['--no-enrich', '--workers', '2'], { ...sasl }, launcher);
    running.push(server.process);
    const r = await postJson(`${server.url}/produce`, { topic, key: 'k', message: { from: 'the executable' } });
    expect(r.status).toBe(200);
    const { partition, offset } = r.body as { partition: number; offset: number };
    const records = await readTopic(plaintext, topic);
    const found = records.find((x) => x.partition === partition && x.offset === offset);
    expect(JSON.parse(found?.payload ?? 'null')).toEqual({ from: 'the executable' });
  });
});
