/**
 * Bad input loses nothing: garbage on the control topic, legacy messages, bad flags, an
 * unreachable broker and a taken port each get a clear message and the protocol's exit code.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBroker } from '../support/broker.js';
import { CliProcess, cleanDir, freePort, runCli, startDummy, uniqueTopics } from '../support/cli-process.js';
import { produceRaw, readJson, readTopic } from '../support/kcat.js';

jest.setTimeout(90_000);
const broker = requireBroker('plaintext');
const running: CliProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill('SIGKILL');
});

describe('malformed commands on the control topic', () => {
  it('are logged at warn, counted, and never stop the dummy from answering pings', async () => {
    const topics = uniqueTopics('garbage');
    const port = await freePort();
    const d = await startDummy(['--queue-id', 'q-garbage', '--metrics-port', String(port), '--metrics-host', '127.0.0.1'], {
      ...broker,
      ...topics,
    });
    running.push(d);
    const control = topics.QUEUE_CONTROL_TOPIC;
    const garbage: Array<[string, Buffer]> = [
      ['not JSON', Buffer.from('ping please')],
      ['wrong types', Buffer.from(JSON.stringify({ queue_id: 'q-garbage', command: 'ping', sent_at: 'yesterday' }))],
      ['binary', Buffer.from([0x00, 0xff, 0xfe, 0x81, 0x02])],
      ['a megabyte of garbage', Buffer.alloc(1_000_000, '{[')],
      ['an unknown command', Buffer.from(JSON.stringify({ queue_id: 'q-garbage', command: 'reboot', sent_at: 1 }))],
    ];
    for (const [, value] of garbage) await produceRaw(broker, control, value, 'q-garbage');

    const ping = await runCli(['ping', '--queue-id', 'q-garbage', '--expect-pong', '--timeout', '10'], { ...broker, ...topics });
    expect(ping.code).toBe(0);

    const warnings = d.json().filter((l) => l.level === 'warn' && l.msg === 'skipping an invalid command');
    expect(warnings).toHaveLength(garbage.length);
    expect(warnings.map((w) => w.reason)).toEqual([
      expect.stringMatching(/^not JSON/),
      'sent_at must be number or null',
      'not UTF-8 text (binary data?)',
      '1000000 bytes: larger than a command can be (at most 65536 bytes)',
      'command must be equal to one of the allowed values: ping, stop',
    ]);
    // the log carries a short snippet, never the megabyte
    for (const w of warnings) expect(String(w.value).length).toBeLessThanOrEqual(83);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^dummy_invalid_commands_total ${garbage.length}$`, 'm'));
  });
});

describe('legacy messages', () => {
  it('the dummy answers a legacy command without command_id, copying sent_at exactly', async () => {
    const topics = uniqueTopics('legacycmd');
    const d = await startDummy(['--queue-id', 'q-legacy'], { ...broker, ...topics });
    running.push(d);
    await produceRaw(
      broker,
      topics.QUEUE_CONTROL_TOPIC,
      Buffer.from('{"queue_id": "q-legacy", "command": "ping", "sent_at": 1754202651.997}'),
    );
    await d.waitForJson((o) => o.msg === 'event sent' && o.event === 'pong');
    const pong = (await readJson(broker, topics.QUEUE_EVENTS_TOPIC)).find((e) => e.event === 'pong');
    expect(pong).toMatchObject({ queue_id: 'q-legacy', ping_ts: 1754202651.997 });
    expect(pong).not.toHaveProperty('command_id');
  });

  it('ping accepts a legacy pong that has no command_id (matched on ping_ts)', async () => {
    const topics = uniqueTopics('legacypong');
    const env = { ...broker, ...topics };
    // Make the topics exist first, so the fake legacy service below can read the ping.
    await runCli(['stop', '--queue-id', 'warm-up'], env);
    const ping = new CliProcess(['ping', '--queue-id', 'q-old', '--expect-pong', '--timeout', '20'], env);
    running.push(ping);
    let command: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !command; i++) {
      const records = await readTopic(broker, topics.QUEUE_CONTROL_TOPIC);
      const hit = records.map((r) => JSON.parse(r.payload ?? '{}') as Record<string, unknown>).find((c) => c.queue_id === 'q-old');
      if (hit) command = hit;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(command).toBeDefined();
    // What an old aiokafka service sends: no command_id, no timestamp, no status.
    const legacyPong = `{"event": "pong", "queue_id": "q-old", "ping_ts": ${String(command?.sent_at)}, "ponged_at": ${Number(command?.sent_at) + 0.012}, "kafka_user": "legacy"}`;
    await produceRaw(broker, topics.QUEUE_EVENTS_TOPIC, Buffer.from(legacyPong));
    const r = await ping.exited;
    expect(r.stdout).toMatch(/^pong from q-old: seq=1 time=[\d.]+ ms one-way=12\.00 ms$/m);
    expect(r.code).toBe(0);
  });
});

describe('wrong flags and configuration: exit 2 and a message that says which and why', () => {
  const env = { KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' };
  it.each([
    [['ping', '--queue-id', 'q', '--interval', 'often'], /--interval must be a duration such as 5 \(seconds\), 500ms/],
    [['ping', '--queue-id', 'q', '--repeat', '0'], /--repeat must be a whole number from 1/],
    [['ping', '--bogus'], /unknown option '--bogus'/],
    [['ping'], /no queue to ping: --queue-id is required/],
    [['dummy', '--metrics-port', '99999'], /--metrics-port must be a TCP port/],
    [['dummy', '--security-protocol', 'TLS'], /--security-protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'/],
    [['stop', '--queue-id', 'q', '--control-topic', 'no spaces'], /--control-topic must be a Kafka topic name/],
    [['nonsense'], /unknown command 'nonsense'/],
    [
      ['ping', '--queue-id', 'q', '-X', 'sasl.pasword=x'],
      /^streamforge: librdkafka refused the property sasl\.pasword: No such configuration property/,
    ],
    [['dummy', '--metrics-port', '0', '-X', 'debug=nonsense'], /librdkafka refused the property debug: Invalid value "nonsense"/],
  ])('%j', async (args, message) => {
    const r = await runCli(args, env);
    expect(r.stderr).toMatch(message);
    // one line and a hint, no stack trace
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(2);
  });

  it('names the variable when the environment is wrong', async () => {
    const r = await runCli(['ping', '--queue-id', 'q'], { ...env, PING_TIMEOUT: '-3' });
    expect(r.stderr).toMatch(/PING_TIMEOUT \(environment\) must be a duration such as 5 \(seconds\)/);
    expect(r.code).toBe(2);
  });

  it('reads .env from the working directory, below the environment', async () => {
    const dir = cleanDir();
    writeFileSync(join(dir, '.env'), 'PING_REPEAT=zero\n');
    const r = await runCli(['ping', '--queue-id', 'q'], env, dir);
    expect(r.stderr).toMatch(/PING_REPEAT \(\.env file\) must be a whole number/);
    expect(r.code).toBe(2);
    const overridden = await runCli(['ping', '--queue-id', 'q', '--connect-timeout', '0.5'], { ...env, PING_REPEAT: '1' }, dir);
    expect(overridden.code).toBe(3);
  });

  it('SASL without a password is a configuration error', async () => {
    const r = await runCli(['ping', '--queue-id', 'q'], { ...env, KAFKA_USER: 'someone' });
    expect(r.stderr).toMatch(/needs a password, and KAFKA_PASSWORD is not set/);
    expect(r.code).toBe(2);
  });

  it.each([
    ['dummy', 'or 0 to turn the endpoint off'],
    ['monitor', 'or 0 for any free port'],
  ])('a metrics port in use is exit 2 for %s, naming the setting', async (cmd, zero) => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli([cmd, '--metrics-port', String(port), '--metrics-host', '127.0.0.1'], {
        ...broker,
        ...uniqueTopics('port'),
      });
      expect(r.stderr).toMatch(new RegExp(`port ${port} is already in use`));
      expect(r.stderr).toContain(`--metrics-port / METRICS_PORT, ${zero}`);
      expect(r.code).toBe(2);
    } finally {
      blocker.close();
    }
  });
});

describe('Kafka unreachable: exit 3 within --connect-timeout, naming the brokers', () => {
  it.each([['dummy'], ['ping'], ['stop']])('%s', async (cmd) => {
    const extra = cmd === 'dummy' ? ['--metrics-port', '0'] : [];
    const r = await runCli([cmd, '--queue-id', 'q', '--connect-timeout', '2', ...extra], {
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1',
    });
    expect(r.stderr).toMatch(/cannot reach Kafka at 127\.0\.0\.1:1 within 2\.0s/);
    expect(r.stderr).toContain('hint:');
    expect(r.code).toBe(3);
    expect(r.ms).toBeLessThan(15_000);
  });
});
