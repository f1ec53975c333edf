/**
 * The fleet's own messages, not ours: commands produced raw onto the control topic by kcat in
 * every shape docs/protocol.md lists (the loaders' tests send neither sent_at nor command_id), and a
 * stop sent while a service is down, which its next life must handle. Raw records go in without
 * a key, as the legacy producers send them, so they land on any partition.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { brokerEnv, requireBroker, type BrokerEnv } from '../support/broker.js';
import { CliProcess, runCli, startDummy, uniqueTopics } from '../support/cli-process.js';
import { produceRaw, readJson } from '../support/kcat.js';

jest.setTimeout(120_000);
const plaintext = requireBroker('plaintext');
const sasl = brokerEnv('sasl');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

async function dummy(args: string[], env: BrokerEnv): Promise<CliProcess> {
  const d = await startDummy(args, env);
  running.push(d);
  return d;
}

const raw = (topic: string, text: string): Promise<void> => produceRaw(plaintext, topic, Buffer.from(text));
const isPongSent = (o: Record<string, unknown>): boolean => o.msg === 'event sent' && o.event === 'pong';

// The SASL dummy is checked through the same broker's PLAINTEXT listener: Debian's kcat
// cannot log in with SCRAM to this broker (see sasl-scram.test.ts).
const listeners: Array<[string, BrokerEnv | undefined]> = [
  ['PLAINTEXT', plaintext],
  ['SASL_SSL', sasl],
];

describe.each(listeners)('every command shape of docs/protocol.md, produced raw (%s)', (_name, env) => {
  const maybe = env ? it : it.skip;
  maybe('is acted on: pongs carry what the command had, and the bare stop ends the service', async () => {
    const topics = uniqueTopics('fleet');
    const queue = 'loader-btcusdt-dummy-2024-06-01-testid';
    const d = await dummy(['--queue-id', queue], { ...(env as BrokerEnv), ...topics });
    const control = topics.QUEUE_CONTROL_TOPIC;

    await raw(control, `{"queue_id": "${queue}", "command": "ping", "sent_at": 1754202651.997}`);
    await raw(control, '{"queue_id": "*", "command": "ping", "sent_at": 1754202652.5, "command_id": "3f0c6a4e-fleet"}');
    await raw(control, `{"command": "ping", "queue_id": "${queue}"}`);
    await d.waitForJsonLines(isPongSent, 3);
    await raw(control, `{"command": "stop", "queue_id": "${queue}"}`);
    const exit = await d.exited;
    expect(exit.code).toBe(0);

    expect(d.json().filter((l) => l.level === 'warn')).toEqual([]);
    const events = await readJson(plaintext, topics.QUEUE_EVENTS_TOPIC);
    expect(events.map((e) => e.event)).toEqual(['started', 'pong', 'pong', 'pong', 'interrupted']);
    const pongs = events.filter((e) => e.event === 'pong');
    expect(pongs.find((p) => p.ping_ts === 1754202651.997)).not.toHaveProperty('command_id');
    expect(pongs.find((p) => p.ping_ts === 1754202652.5)).toMatchObject({ command_id: '3f0c6a4e-fleet' });
    const bare = pongs.find((p) => p.ping_ts === null);
    expect(bare).toBeDefined();
    expect(bare).not.toHaveProperty('command_id');
    for (const p of pongs) expect(p).toMatchObject({ queue_id: queue, ponged_at: expect.any(Number) });
    expect(events.at(-1)).toMatchObject({ event: 'interrupted', message: 'stopped by a stop command', finished: true });
  });
});

describe('a command sent while a service is down reaches it on restart', () => {
  it('a stop queued while the dummy was killed ends its next life; a new queue id does not see it; the life after runs on', async () => {
    const topics = uniqueTopics('restart');
    const env = { ...plaintext, ...topics };
    const control = topics.QUEUE_CONTROL_TOPIC;

    const first = await dummy(['--queue-id', 'q-restart'], env);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // Two stops, one partition (same key), as an operator who asks twice: the first ends the
    // next life, the second is void once the queue has stopped.
    await produceRaw(plaintext, control, Buffer.from('{"command": "stop", "queue_id": "q-restart"}'), 'k');
    await produceRaw(plaintext, control, Buffer.from('{"command": "stop", "queue_id": "*"}'), 'k');

    // Nothing but the queued stop can end this life: no --exit-after, no signal.
    const second = new CliProcess(['dummy', '--queue-id', 'q-restart', '--metrics-port', '0'], env);
    running.push(second);
    const exit = await second.exited;
    expect(exit.code).toBe(0);
    const sent = second.json().filter((l) => l.msg === 'event sent');
    expect(sent.map((l) => l.event)).toEqual(['started', 'interrupted']);
    expect(second.json().find((l) => l.msg === 'ready for commands')).toMatchObject({
      group_id: 'consumer-q-restart',
      positions: expect.arrayContaining([expect.objectContaining({ from: expect.stringMatching(/^the group's committed offset/) })]),
    });

    // A new queue id has no committed offset: it starts at the end and never sees the "*" stop.
    const stranger = await dummy(['--queue-id', 'q-stranger'], env);
    // The life after resumes after both stops: it runs on and answers the next ping.
    const third = await dummy(['--queue-id', 'q-restart'], env);
    const ping = await runCli(['ping', '--queue-id', 'q-restart', '--expect-pong', '--timeout', '20'], env);
    expect(ping.stdout).toMatch(/1 sent, 1 received, 0 lost/);
    expect(ping.code).toBe(0);
    for (const d of [third, stranger]) d.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    expect((await stranger.exited).code).toBe(0);
    expect(stranger.json().filter(isPongSent)).toEqual([]);
    expect(
      third
        .json()
        .filter((l) => l.msg === 'event sent')
        .map((l) => l.event),
    ).toEqual(['started', 'pong', 'interrupted']);
  });

  it('--group-id names the group (env QUEUE_CONSUMER_GROUP), and the group, not the queue id, carries the place', async () => {
    const topics = uniqueTopics('groupid');
    const env = { ...plaintext, ...topics, QUEUE_CONSUMER_GROUP: 'streamforge-dummy-shared' };
    const first = await dummy(['--queue-id', 'q-group'], env);
    expect(first.json().find((l) => l.msg === 'ready for commands')).toMatchObject({ group_id: 'streamforge-dummy-shared' });
    first.kill('SIGKILL');
    await first.exited;
    await raw(topics.QUEUE_CONTROL_TOPIC, '{"command": "stop", "queue_id": "q-group"}');
    // the flag beats the variable: another group has no place yet, so it starts at the end
    const other = await dummy(['--queue-id', 'q-group', '--group-id', 'streamforge-dummy-other'], env);
    const same = new CliProcess(['dummy', '--queue-id', 'q-group', '--metrics-port', '0'], env);
    running.push(same);
    expect((await same.exited).code).toBe(0);
    expect(
      same
        .json()
        .filter((l) => l.msg === 'event sent')
        .map((l) => l.event),
    ).toEqual(['started', 'interrupted']);
    other.kill('SIGTERM');
    expect((await other.exited).code).toBe(0);
    expect(other.json().filter((l) => l.msg === 'command received')).toEqual([]);
  });
});

describe('two instances with the same queue id', () => {
  it('both act on every command: a ping gets a pong from each, a stop stops both', async () => {
    const topics = uniqueTopics('twins');
    const env = { ...plaintext, ...topics };
    const a = await dummy(['--queue-id', 'q-twin'], env);
    const b = await dummy(['--queue-id', 'q-twin'], env);
    await raw(topics.QUEUE_CONTROL_TOPIC, '{"queue_id": "q-twin", "command": "ping", "sent_at": 7, "command_id": "twin-ping"}');
    await Promise.all([a.waitForJson(isPongSent), b.waitForJson(isPongSent)]);
    const stop = await runCli(['stop', '--queue-id', 'q-twin'], env);
    expect(stop.code).toBe(0);
    expect((await a.exited).code).toBe(0);
    expect((await b.exited).code).toBe(0);
    const events = await readJson(plaintext, topics.QUEUE_EVENTS_TOPIC);
    expect(events.filter((e) => e.event === 'pong' && e.command_id === 'twin-ping')).toHaveLength(2);
    expect(events.filter((e) => e.event === 'interrupted')).toHaveLength(2);
  });
});

describe.each(listeners.slice(1))('CA_PATH, as the queue manager passes it (%s)', (_name, env) => {
  const maybe = env ? it : it.skip;
  maybe('alone names the CA: a dummy and a ping connect over SASL_SSL', async () => {
    const { KAFKA_CA_PATH, ...rest } = env as BrokerEnv;
    const topics = uniqueTopics('capath');
    const viaAlias = { ...rest, CA_PATH: KAFKA_CA_PATH as string, ...topics };
    const d = await dummy(['--queue-id', 'q-capath'], viaAlias);
    const ping = await runCli(['ping', '--queue-id', 'q-capath', '--expect-pong', '--timeout', '20'], viaAlias);
    expect(ping.code).toBe(0);
    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
    // KAFKA_CA_PATH wins when both are set: a wrong one is reported by its own name
    const both = await runCli(['ping', '--queue-id', 'q'], { ...viaAlias, KAFKA_CA_PATH: '/nonexistent/ca.pem' });
    expect(both.stderr).toContain('KAFKA_CA_PATH (environment) names /nonexistent/ca.pem');
    expect(both.code).toBe(2);
  });
});

describe('stdout closed early', () => {
  // The read end is closed before the child starts, so its first write fails: deterministic.
  function withClosedStdout(args: string[], env: BrokerEnv): Promise<{ code: number | null; stderr: string }> {
    const p = new CliProcess(args, env);
    p.child.stdout?.destroy();
    return p.exited;
  }

  it('help exits 0 and quietly, as `streamforge ping --help | head -1` does', async () => {
    for (const args of [['ping', '--help'], ['--help'], ['watch', '--help']]) {
      const r = await withClosedStdout(args, plaintext);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('watch --json stops quietly with 141, the status of a command SIGPIPE ended', async () => {
    const topics = uniqueTopics('epipe');
    const env = { ...plaintext, ...topics };
    const d = await dummy(['--queue-id', 'q-epipe'], env);
    d.kill('SIGTERM');
    await d.exited;
    const watch = await withClosedStdout(['watch', '--json', '--from-beginning'], env);
    expect(watch.stderr).toBe('');
    expect(watch.code).toBe(141);
    // ping's output too; a ping that was still running stops instead of waiting out its pings
    const ping = await withClosedStdout(['ping', '--queue-id', 'q-nobody', '--repeat', '1000', '--interval', '0.1'], env);
    expect(ping.stderr).toBe('');
    expect(ping.code).toBe(141);
  });
});
