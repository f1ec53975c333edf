/**
 * The container image, built and run for real: `streamforge dummy` inside it (buildah, host
 * network) answers `streamforge ping` from outside, against the local broker. The image holds
 * the single executable (dist/streamforge-linux-x64) and no Node. Built here every
 * time with scripts/container-image.sh (make docker-build): buildah's layer cache and the
 * debootstrap base in ~/.cache/streamforge make an unchanged build take seconds, and a changed
 * one cannot be tested stale. make setup installs buildah and debootstrap; skipped, with a
 * message, only where they are missing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { projectRoot, requireBroker } from '../support/broker.js';
import { runCli, uniqueTopics } from '../support/cli-process.js';

jest.setTimeout(20 * 60_000);
const script = `${projectRoot}/scripts/container-image.sh`;
const has = (cmd: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const ready = has('buildah') && has('debootstrap');
if (!ready) process.stderr.write('container test skipped: buildah and debootstrap are not installed (make docker-build installs them)\n');

const version = (JSON.parse(readFileSync(`${projectRoot}/package.json`, 'utf8')) as { version: string }).version;
const children: Array<{ kill: (s: NodeJS.Signals) => boolean }> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/**
 * The build, its stages reported as they begin (debootstrap, base, executable, image: minutes
 * on a fresh machine, which a silent suite would spend without a word); the rest kept for a failure.
 */
function buildImage(): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(script, ['build'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let pending = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-1_000_000);
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('container-image: ')) process.stderr.write(`${line}\n`);
    });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

(ready ? describe : describe.skip)('the container image', () => {
  it('runs streamforge dummy as a non-root user, and it answers ping from outside', async () => {
    const build = await buildImage();
    if (build.status !== 0) process.stderr.write(build.stderr.slice(-10_000));
    expect(build.status).toBe(0);
    const broker = requireBroker('plaintext');
    const topics = uniqueTopics('image');
    const env = { ...broker, ...topics };
    const child = spawn(script, ['run', 'dummy', '--queue-id', 'in-image', '--metrics-port', '0'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 600 && !/"event":"started"/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/"msg":"event sent".*"event":"started"/);

    const ping = await runCli(['ping', '--queue-id', 'in-image', '--expect-pong'], env);
    // stderr in the verdict: a failure says why the ping did not get its pong
    expect({ stdout: ping.stdout, stderr: ping.stderr, code: ping.code }).toMatchObject({
      stdout: expect.stringMatching(/pong from in-image: seq=1/),
      code: 0,
    });
    const stop = await runCli(['stop', '--queue-id', 'in-image', '--wait'], env);
    expect(stop.code).toBe(0);
    expect(await exited).toBe(0);
    // as the issue asks of the image: a non-root user, streamforge as entrypoint, the seed's command
    const inspected = JSON.parse(execFileSync(script, ['inspect'], { encoding: 'utf8' })) as {
      FromImage: string;
      OCIv1: { config: { User: string; Entrypoint: string[]; Cmd: string[] } };
    };
    expect(inspected.FromImage).toBe(`localhost/streamforge:${version}`);
    const config = inspected.OCIv1.config;
    expect(config.User).toBe('streamforge');
    expect(config.Entrypoint).toEqual(['streamforge']);
    expect(config.Cmd).toEqual(['dummy', '--simulate-loading', '--exit-after', '30']);
    // the executable alone: no Node in the image
    const ctr = execFileSync(script, ['run-shell', 'command -v node || echo no-node'], { encoding: 'utf8' });
    expect(ctr.trim()).toBe('no-node');
  });
});
