/**
 * watch against the real broker: --json (the kcat -J of the control plane), the terminal view
 * with a real Kafka source and a running dummy, and once in a real terminal (tmux).
 */
import { execFileSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { render } from 'ink-testing-library';
import { createLogger } from '../../src/observability/logger.js';
import { openWatchSource } from '../../src/watch/run-tui.js';
import { App } from '../../src/watch/ui/App.js';
import { connectionOfEnv, projectRoot, requireBroker } from '../support/broker.js';
import { CliProcess, runCli, startDummy, uniqueTopics } from '../support/cli-process.js';
import { produceRaw } from '../support/kcat.js';

jest.setTimeout(120_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c();
});

const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          topic: string;
          partition: number;
          offset: number;
          key: string | null;
          payload: Record<string, unknown>;
          warning?: string;
        },
    );

describe('watch --json', () => {
  it('--from-beginning --exit-at-end prints every event like kcat -J, warnings for invalid ones, then exits 0', async () => {
    const topics = uniqueTopics('wjson');
    const d = await startDummy(['--queue-id', 'w-json', '--exit-after', '0.5'], { ...broker, ...topics });
    running.push(d);
    await d.exited;
    await produceRaw(broker, topics.QUEUE_EVENTS_TOPIC, Buffer.from('not an event'));
    const r = await runCli(['watch', '--json', '--from-beginning', '--exit-at-end'], { ...broker, ...topics });
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    // The raw record has no key, so it may sit on another partition: Kafka orders records within
    // a partition only, and which partition's batch comes first varies on a loaded machine.
    const valid = out.filter((l) => l.payload.event !== undefined);
    const invalid = out.filter((l) => l.payload.event === undefined);
    expect(valid.map((l) => l.payload.event)).toEqual(['started', 'finished']);
    expect(valid[0]).toMatchObject({
      topic: topics.QUEUE_EVENTS_TOPIC,
      partition: expect.any(Number),
      offset: expect.any(Number),
      key: 'w-json',
    });
    expect(invalid).toEqual([expect.objectContaining({ payload: 'not an event', warning: expect.stringMatching(/^not JSON/) })]);
  });

  it('filters by --event and --queue-id, and --since starts at a point in time', async () => {
    const topics = uniqueTopics('wfilter');
    for (const q of ['w-a', 'w-b']) {
      const d = await startDummy(['--queue-id', q, '--exit-after', '0.3'], { ...broker, ...topics });
      running.push(d);
      await d.exited;
    }
    const env = { ...broker, ...topics };
    const finished = lines((await runCli(['watch', '--json', '--from-beginning', '--exit-at-end', '--event', 'finished'], env)).stdout);
    expect(finished.map((l) => [l.payload.event, l.payload.queue_id]).sort()).toEqual([
      ['finished', 'w-a'],
      ['finished', 'w-b'],
    ]);
    const onlyB = lines((await runCli(['watch', '--json', '--from-beginning', '--exit-at-end', '--queue-id', 'w-b'], env)).stdout);
    expect(new Set(onlyB.map((l) => l.payload.queue_id))).toEqual(new Set(['w-b']));
    const recent = lines((await runCli(['watch', '--json', '--since', '1h', '--exit-at-end'], env)).stdout);
    expect(recent).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 1500));
    expect(lines((await runCli(['watch', '--json', '--since', '1s', '--exit-at-end'], env)).stdout)).toHaveLength(0);
  });

  it('is what watch does when stdout is not a terminal; bad flags are exit 2', async () => {
    const topics = uniqueTopics('wpipe');
    const d = await startDummy(['--queue-id', 'w-pipe', '--exit-after', '0.3'], { ...broker, ...topics });
    running.push(d);
    await d.exited;
    const r = await runCli(['watch', '--from-beginning', '--exit-at-end'], { ...broker, ...topics });
    expect(lines(r.stdout).map((l) => l.payload.event)).toEqual(['started', 'finished']);
    const both = await runCli(['watch', '--from-beginning', '--since', '5m'], broker);
    expect(both.stderr).toContain('--from-beginning and --since both say where to start');
    expect(both.code).toBe(2);
    expect((await runCli(['watch', '--event', 'exploded'], broker)).code).toBe(2);
  });
});

describe('the watch view on a real broker', () => {
  it('sees started and loading, a pong after p, interrupted after s and y', async () => {
    const topics = uniqueTopics('wtui');
    const env = { ...broker, ...topics };
    const conn = connectionOfEnv(env);
    const { source, ready, close } = openWatchSource({
      conn,
      topics: { control: topics.QUEUE_CONTROL_TOPIC, events: topics.QUEUE_EVENTS_TOPIC },
      start: { kind: 'end' },
      filter: { queueId: undefined, events: [] },
      logger: createLogger({ level: 'error', format: 'json', stream: new PassThrough() }),
    });
    cleanups.push(close);
    const view = render(<App source={source} maxEvents={1000} staleMs={60_000} />);
    cleanups.push(() => view.unmount());
    await ready;
    const dummy = await startDummy(['--queue-id', 'w-live', '--simulate-loading', '--loading-interval', '0.3'], env);
    running.push(dummy);
    const until = async (pred: (frame: string) => boolean, what: string): Promise<string> => {
      for (let i = 0; i < 150; i++) {
        const f = view.lastFrame() ?? '';
        if (pred(f)) return f;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the view never showed ${what}:\n${view.lastFrame() ?? ''}`);
    };
    // ink-testing-library's stdin can lose a key while the screen redraws under load (keys never
    // got lost in the real terminal): press again, as a user would, until the key shows its effect
    const press = async (key: string, shows: (frame: string) => boolean, what: string): Promise<void> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        view.stdin.write(key);
        for (let i = 0; i < 10; i++) {
          if (shows(view.lastFrame() ?? '')) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`pressing ${key} never showed ${what}:\n${view.lastFrame() ?? ''}`);
    };
    await until((f) => /started\s+w-live/.test(f) && /loading\s+w-live/.test(f), 'started and loading');
    await press('p', (f) => /pinging w-live|pong from w-live/.test(f), 'the ping');
    await until((f) => /pong from w-live in [\d.]+ ms/.test(f), 'a pong');
    // the ping and pong records reach the table on the next frame
    await until((f) => /w-live\s+loading.*1\/1\s+[\d.]+ms/.test(f), 'the ping, the pong and the round trip in the row');
    await press('s', (f) => f.includes('stop w-live? (y/n)'), 'the question');
    await press('y', (f) => /stopping w-live|stop sent to w-live/.test(f), 'the stop');
    await until((f) => /interrupted\s+w-live/.test(f), 'interrupted');
    expect((await dummy.exited).code).toBe(0);
  });
});

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) process.stderr.write('tmux test skipped: tmux is not installed (scripts/setup.sh installs it)\n');

// A tmux server of the tests' own, without the user's ~/.tmux.conf: a developer's running tmux
// (its options, its environment) must not change what the test sees.
const tmuxSocket = `sf-test-${process.pid}`;
const tmux = (...args: string[]): string =>
  execFileSync('tmux', ['-L', tmuxSocket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: 'pipe' });

/** A command in a detached tmux pane: what a user sees, read back with capture-pane. */
function inTmux(
  env: Record<string, string>,
  args: string,
): { screen: (pred: (s: string) => boolean) => Promise<string>; keys: (k: string) => void } {
  const session = `sf-watch-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const command = `cd ${projectRoot} && env ${exports} node bin/streamforge ${args}; echo "watch exited with $?"; sleep 60`;
  tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '40', command);
  cleanups.push(() => void tmux('kill-session', '-t', session));
  const capture = () => tmux('capture-pane', '-p', '-t', session);
  return {
    // generous: CI runs this beside a three-broker failover test on two cores
    async screen(pred) {
      let screen = capture();
      for (let i = 0; i < 300 && !pred(screen); i++) {
        await new Promise((r) => setTimeout(r, 100));
        screen = capture();
      }
      return screen;
    },
    keys: (k) => void tmux('send-keys', '-t', session, k),
  };
}

(hasTmux ? describe : describe.skip)('watch in a real terminal (tmux)', () => {
  it('shows the queue on screen and quits cleanly with q', async () => {
    const topics = uniqueTopics('wtmux');
    const env = { ...broker, ...topics };
    const dummy = await startDummy(['--queue-id', 'w-tmux'], env);
    running.push(dummy);
    // CI=true as in a CI job's shell: ink would then draw nothing until exit (it did, in CI)
    const pane = inTmux({ ...env, CI: 'true' }, 'watch --since 1m');
    let screen = await pane.screen((s) => /w-tmux\s+started/.test(s));
    expect(screen).toMatch(/w-tmux\s+started/);
    expect(screen).toContain('LIVE');
    expect(screen).toContain('connected');
    pane.keys('q');
    screen = await pane.screen((s) => s.includes('watch exited with'));
    expect(screen).toContain('watch exited with 0');
  });

  it('shows "connecting" at once while the broker does not answer, and q still quits with 0', async () => {
    const pane = inTmux({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' }, 'watch --connect-timeout 60');
    let screen = await pane.screen((s) => s.includes('streamforge watch'));
    expect(screen).toMatch(/127\.0\.0\.1:1 .*connecting/);
    pane.keys('q');
    screen = await pane.screen((s) => s.includes('watch exited with'));
    expect(screen).toContain('watch exited with 0');
  });

  it('ends with the connect error and exit 3 when the broker never answers', async () => {
    const pane = inTmux({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' }, 'watch --connect-timeout 2');
    const screen = await pane.screen((s) => s.includes('watch exited with'));
    expect(screen).toContain('SF_KAFKA_UNREACHABLE');
    expect(screen).toContain('watch exited with 3');
  });
});
