/**
 * The README's quickstart, run as written: the shell block after the `<!-- quickstart` marker,
 * verbatim, in bash with -e and pipefail, so each of its commands must succeed. It runs in a
 * scratch directory that mirrors the clone, whose `.kafka` is the tests' own broker directory:
 * `make kafka-up` there finds the broker global-setup started, and nothing reaches a broker a
 * user started with `make kafka-up` in the clone itself.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { projectRoot } from '../support/broker.js';

jest.setTimeout(300_000);
const usingOwnBroker = process.env.KAFKA_BOOTSTRAP_SERVERS === undefined;

function quickstartBlock(readme: string): string {
  const marker = readme.indexOf('<!-- quickstart');
  if (marker < 0) throw new Error('README.md has no <!-- quickstart --> marker');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!block?.[1]) throw new Error('no ```sh block after the quickstart marker');
  return block[1];
}

const scratch = mkdtempSync(join(tmpdir(), 'streamforge-quickstart-'));
let group: number | undefined;
/** Whatever the block left running (a dummy whose readiness it still waits for, on a timeout). */
function stopGroup(): void {
  try {
    if (group !== undefined) process.kill(-group, 'SIGKILL');
  } catch {
    // nothing left running
  }
}
afterAll(() => {
  stopGroup();
  rmSync(scratch, { recursive: true, force: true });
});

(usingOwnBroker ? describe : describe.skip)("the README's quickstart", () => {
  it('runs as written, and each command succeeds', async () => {
    const block = quickstartBlock(readFileSync(join(projectRoot, 'README.md'), 'utf8'));
    expect(block).toMatch(/streamforge ping/);
    for (const name of readdirSync(projectRoot)) {
      // dist/ is left out: make build writes its own there, and the tests' executables are not rewritten under them
      if (['.kafka', '.git', 'dist'].includes(name)) continue;
      symlinkSync(join(projectRoot, name), join(scratch, name));
    }
    symlinkSync(join(projectRoot, '.kafka', 'test'), join(scratch, '.kafka'));

    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', block], {
      cwd: scratch,
      detached: true, // its own process group: whatever it left running is stopped below
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        // the jars the clone's broker resolved, not a second download into the test broker's directory
        KAFKA_LOCAL_LIBS: join(projectRoot, '.kafka', 'libs'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    group = child.pid;
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    stopGroup();
    expect({ status, stderr: status === 0 ? '' : err.slice(-4000) }).toEqual({ status: 0, stderr: '' });
    expect(out).toMatch(/3 sent, 3 received, 0 lost/);
    expect(out).toMatch(/q1: interrupted/);
    expect(out).toMatch(/"success":true,"message":"Message delivered","topic":"test-topic","partition":\d+,"offset":\d+/);
    // watch's last lines: events as JSON, each with its topic and offset
    const lines = out.trim().split('\n').slice(-3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ topic: 'queue-events', offset: expect.any(Number) });
  });
});
