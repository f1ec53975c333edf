/** The built executable as a subprocess, the way users and Kubernetes run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, type BrokerEnv } from './broker.js';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** A working directory without a .env file, unless the test writes one. */
export function cleanDir(): string {
  return mkdtempSync(join(tmpdir(), 'streamforge-test-'));
}

export function uniqueTopics(prefix: string): { QUEUE_CONTROL_TOPIC: string; QUEUE_EVENTS_TOPIC: string } {
  const id = `${prefix}-${randomBytes(4).toString('hex')}`;
  return { QUEUE_CONTROL_TOPIC: `${id}-control`, QUEUE_EVENTS_TOPIC: `${id}-events` };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** How streamforge is started: by default `node bin/streamforge` with this PATH and HOME. */
export interface Launcher {
  readonly command: string;
  readonly args: readonly string[];
  /** the environment besides the test's own variables */
  readonly baseEnv: Readonly<Record<string, string>>;
}

export const nodeLauncher = (): Launcher => ({
  command: process.execPath,
  args: [join(projectRoot, 'bin/streamforge')],
  // one process per server: the suite's servers share this machine's cores (--workers' default,
  // the container's CPUs, has tests of its own)
  baseEnv: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PRODUCER_WORKERS: '1' },
});

export class CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<CliResult>;
  #stdout = '';
  #stderr = '';
  readonly #waiters = new Set<() => void>();

  constructor(args: readonly string[], env: BrokerEnv & Record<string, string>, cwd = cleanDir(), launcher = nodeLauncher()) {
    const started = Date.now();
    this.child = spawn(launcher.command, [...launcher.args, ...args], {
      cwd,
      env: { ...launcher.baseEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.#stdout += d.toString();
      for (const w of this.#waiters) w();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.#stderr += d.toString();
      for (const w of this.#waiters) w();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        for (const w of this.#waiters) w();
        resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr, ms: Date.now() - started });
      });
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** stdout lines that are JSON objects (the dummy's logs, --json output) */
  json(): Array<Record<string, unknown>> {
    return this.#stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Resolves with the first JSON stdout line the predicate accepts. */
  async waitForJson(pred: (o: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const [first] = await this.waitForJsonLines(pred, 1, timeoutMs);
    return first as Record<string, unknown>;
  }

  /** Resolves with the first `count` JSON stdout lines the predicate accepts. */
  waitForJsonLines(
    pred: (o: Record<string, unknown>) => boolean,
    count: number,
    timeoutMs = 30_000,
  ): Promise<Array<Record<string, unknown>>> {
    return new Promise((resolve, reject) => {
      let finished = false;
      const check = (): void => {
        if (finished) return;
        const hits = this.json().filter(pred);
        if (hits.length >= count) {
          done();
          resolve(hits.slice(0, count));
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          done();
          reject(new Error(`process exited before the expected line\nstdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for a line\nstdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`));
      }, timeoutMs);
      const done = (): void => {
        finished = true;
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export function runCli(
  args: readonly string[],
  env: BrokerEnv & Record<string, string>,
  cwd?: string,
  launcher?: Launcher,
): Promise<CliResult> {
  return new CliProcess(args, env, cwd, launcher).exited;
}

/** A dummy, started and ready: its `started` event is delivered. */
export async function startDummy(
  args: readonly string[],
  env: BrokerEnv & Record<string, string>,
  launcher?: Launcher,
): Promise<CliProcess> {
  const dummy = new CliProcess(['dummy', '--metrics-port', '0', ...args], env, undefined, launcher);
  await dummy.waitForJson((o) => o.msg === 'event sent' && o.event === 'started');
  return dummy;
}

/** A monitor on a free loopback port, ready: its reader is positioned. */
export async function startMonitor(
  args: readonly string[],
  env: BrokerEnv & Record<string, string>,
): Promise<{ monitor: CliProcess; port: number }> {
  const port = await freePort();
  const monitor = new CliProcess(['monitor', '--metrics-port', String(port), '--metrics-host', '127.0.0.1', ...args], env);
  try {
    await monitor.waitForJson((o) => o.msg === 'monitor ready');
  } catch (err) {
    monitor.kill('SIGKILL');
    throw err;
  }
  return { monitor, port };
}
