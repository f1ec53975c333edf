import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { kafkaSettings, logSettings, topicSettings } from '../../../src/config/common-settings.js';
import { readDotenv } from '../../../src/config/dotenv.js';
import { connectionFrom } from '../../../src/config/kafka-connection.js';
import { connectionProps, redactProps } from '../../../src/kafka/client-props.js';
import { resolveSettings, type Inputs } from '../../../src/config/resolve.js';
import { flagNamesOf, formatDuration, parse, showValue } from '../../../src/config/setting.js';
import { commands } from '../../../src/commands/index.js';
import { ConfigError, ExitCode } from '../../../src/errors.js';
import { serveProducerSettings } from '../../../src/commands/serve-producer.js';

const settings = { ...kafkaSettings, ...topicSettings, ...logSettings };
const inputs = (over: Partial<Inputs>): Inputs => ({ flags: {}, env: {}, dotenv: {}, ...over });

describe('precedence: flags > env > .env > defaults', () => {
  it('uses the default when nothing is set', () => {
    const r = resolveSettings(settings, inputs({}));
    expect(r.values.controlTopic).toBe('queue-control');
    expect(r.sources.controlTopic).toEqual({ kind: 'default' });
  });

  it('.env beats the default', () => {
    const r = resolveSettings(settings, inputs({ dotenv: { QUEUE_CONTROL_TOPIC: 'from-dotenv' } }));
    expect(r.values.controlTopic).toBe('from-dotenv');
    expect(r.sources.controlTopic).toEqual({ kind: 'dotenv', name: 'QUEUE_CONTROL_TOPIC' });
  });

  it('the environment beats .env', () => {
    const r = resolveSettings(
      settings,
      inputs({ env: { QUEUE_CONTROL_TOPIC: 'from-env' }, dotenv: { QUEUE_CONTROL_TOPIC: 'from-dotenv' } }),
    );
    expect(r.values.controlTopic).toBe('from-env');
  });

  it('takes CA_PATH (what the queue manager passes) for KAFKA_CA_PATH, which wins when both are set', () => {
    const alias = resolveSettings(settings, inputs({ env: { CA_PATH: '/ca/alias.pem' } }));
    expect(alias.values.caPath).toBe('/ca/alias.pem');
    expect(alias.sources.caPath).toEqual({ kind: 'env', name: 'CA_PATH' });
    const both = resolveSettings(settings, inputs({ env: { CA_PATH: '/ca/alias.pem', KAFKA_CA_PATH: '/ca/main.pem' } }));
    expect(both.values.caPath).toBe('/ca/main.pem');
    // environment beats .env, whichever of the two names each uses
    const mixed = resolveSettings(settings, inputs({ env: { CA_PATH: '/ca/alias.pem' }, dotenv: { KAFKA_CA_PATH: '/ca/dotenv.pem' } }));
    expect(mixed.values.caPath).toBe('/ca/alias.pem');
  });

  it('a flag beats the environment', () => {
    const r = resolveSettings(settings, inputs({ flags: { controlTopic: 'from-flag' }, env: { QUEUE_CONTROL_TOPIC: 'from-env' } }));
    expect(r.values.controlTopic).toBe('from-flag');
    expect(r.sources.controlTopic).toEqual({ kind: 'flag', name: '--control-topic' });
  });

  it('collects a repeatable flag, and splits its variable on semicolons', () => {
    const fromFlags = resolveSettings(settings, inputs({ flags: { kafkaProperty: ['linger.ms=5', 'a.b=c=d'] } }));
    expect(fromFlags.values.kafkaProperty).toEqual([
      ['linger.ms', '5'],
      ['a.b', 'c=d'],
    ]);
    const fromEnv = resolveSettings(settings, inputs({ env: { KAFKA_PROPERTIES: 'linger.ms=5; bootstrap.servers=a:1,b:2' } }));
    expect(fromEnv.values.kafkaProperty).toEqual([
      ['linger.ms', '5'],
      ['bootstrap.servers', 'a:1,b:2'],
    ]);
  });

  it('reads switches from the environment as booleans', () => {
    const r = resolveSettings({ debug: { ...logSettings.debug, env: 'X_DEBUG' } }, inputs({ env: { X_DEBUG: 'yes' } }));
    expect(r.values.debug).toBe(true);
  });
});

describe('bad values name their source and say what is allowed', () => {
  const fail = (i: Partial<Inputs>, these: Parameters<typeof resolveSettings>[0] = settings): ConfigError => {
    try {
      resolveSettings(these, inputs(i));
    } catch (err) {
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('names the flag', () => {
    const err = fail({ flags: { connectTimeout: 'soon' } });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.message).toBe("--connect-timeout must be a duration such as 5 (seconds), 500ms, 15s or 1m (from 100ms to 1h), got 'soon'");
    expect(err.hint).toContain('KAFKA_CONNECT_TIMEOUT');
  });

  it('names the environment variable', () => {
    expect(fail({ env: { KAFKA_SECURITY_PROTOCOL: 'TLS' } }).message).toBe(
      "KAFKA_SECURITY_PROTOCOL (environment) must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got 'TLS'",
    );
  });

  it('names the .env file', () => {
    expect(fail({ dotenv: { QUEUE_EVENTS_TOPIC: 'bad topic!' } }).message).toMatch(
      /^QUEUE_EVENTS_TOPIC \(\.env file\) must be a Kafka topic name/,
    );
  });

  it('rejects broker lists that are not host:port', () => {
    expect(fail({ env: { KAFKA_BOOTSTRAP_SERVERS: 'kafka:9092,broken' } }).message).toContain("'broken' is not host:port");
  });

  it('never echoes credentials written into a broker address', () => {
    for (const raw of ['u:Secret@host:1', 'SASL_SSL://u:Secret@host:1', 'kafka:9092,admin:Secret@kafka-2']) {
      const message = fail({ env: { KAFKA_BOOTSTRAP_SERVERS: raw } }).message;
      expect(message).not.toContain('Secret');
      expect(message).toContain('[redacted]@');
      expect(message).toContain('credentials go in KAFKA_USER and KAFKA_PASSWORD');
    }
  });

  it('refuses a topic allowlist that can backtrack exponentially, saying why (exit 2)', () => {
    const allow = serveProducerSettings.topics;
    for (const bad of ['(a+)+|orders', '(x*)*', '(a|a?)+b']) {
      const err = fail({ flags: { topics: bad } }, { topics: allow });
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain('can take exponential time');
    }
    const ok = resolveSettings({ topics: allow }, inputs({ flags: { topics: 'orders|events|user-.*' } })).values.topics as RegExp;
    expect(ok.test('user-42')).toBe(true);
    expect(ok.test('orders-secret')).toBe(false);
  });

  it('never echoes a -X value, which may be a password', () => {
    const err = fail({ flags: { kafkaProperty: ['sasl.password hunter2'] } });
    expect(err.message).not.toContain('hunter2');
  });

  it('accepts case-insensitive enums and normalises them', () => {
    const r = resolveSettings(settings, inputs({ env: { KAFKA_SECURITY_PROTOCOL: 'sasl_ssl', KAFKA_SASL_MECHANISM: 'scram-sha-512' } }));
    expect(r.values.securityProtocol).toBe('SASL_SSL');
    expect(r.values.saslMechanism).toBe('SCRAM-SHA-512');
  });
});

describe('parsers', () => {
  it('parses booleans the usual ways and rejects the rest', () => {
    for (const t of ['1', 'true', 'YES', 'on']) expect(parse.bool(t)).toBe(true);
    for (const f of ['0', 'false', 'no', 'off']) expect(parse.bool(f)).toBe(false);
    expect(() => parse.bool('maybe')).toThrow('must be true or false');
  });

  it('parses ports, 0 included', () => {
    expect(parse.port('0')).toBe(0);
    expect(parse.port('8000')).toBe(8000);
    expect(() => parse.port('70000')).toThrow('TCP port');
    expect(() => parse.port('-1')).toThrow('TCP port');
  });

  it('parses bounded integers', () => {
    expect(parse.int(1, 10)('3')).toBe(3);
    expect(() => parse.int(1, 10)('0')).toThrow('from 1 to 10');
    expect(() => parse.int(1, 10)('2.5')).toThrow('whole number');
  });
});

describe('the Kafka connection', () => {
  const resolve = (env: Record<string, string>) => connectionFrom(resolveSettings(kafkaSettings, inputs({ env })));

  it('defaults to PLAINTEXT without a user, SASL_SSL/SCRAM-SHA-512 with one', () => {
    expect(resolve({}).securityProtocol).toBe('PLAINTEXT');
    const sasl = resolve({ KAFKA_USER: 'u', KAFKA_PASSWORD: 'p' });
    expect(sasl.securityProtocol).toBe('SASL_SSL');
    expect(sasl.saslMechanism).toBe('SCRAM-SHA-512');
  });

  it('refuses SASL without a password, and says where to put it', () => {
    expect(() => resolve({ KAFKA_USER: 'u' })).toThrow(/needs a password, and KAFKA_PASSWORD is not set/);
  });

  it('refuses a CA path that is not a readable file', () => {
    expect(() => resolve({ KAFKA_CA_PATH: '/nonexistent/ca.crt' })).toThrow(
      /KAFKA_CA_PATH \(environment\) names \/nonexistent\/ca.crt, which is not a readable file/,
    );
  });

  it('maps to librdkafka properties, -X last, and redacts the password for logs', () => {
    const conn = resolve({ KAFKA_USER: 'u', KAFKA_PASSWORD: 'hunter2', KAFKA_PROPERTIES: 'linger.ms=7;ssl.key.password=kp' });
    const props = connectionProps(conn, 'test');
    expect(props).toMatchObject({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'sasl.username': 'u',
      'sasl.password': 'hunter2',
      'linger.ms': '7',
    });
    const shown = JSON.stringify(redactProps(props));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('"kp"');
  });
});

describe('.env files', () => {
  it("reads the working directory's .env without touching process.env", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-dotenv-'));
    writeFileSync(join(dir, '.env'), '# comment\nQUEUE_ID=from-file\nKAFKA_PASSWORD="quoted secret"\n');
    expect(await readDotenv(dir)).toEqual({ QUEUE_ID: 'from-file', KAFKA_PASSWORD: 'quoted secret' });
    expect(process.env.QUEUE_ID).toBeUndefined();
  });

  it('treats a missing .env as empty', async () => {
    expect(await readDotenv(mkdtempSync(join(tmpdir(), 'sf-dotenv-')))).toEqual({});
  });
});

describe('one duration grammar for every time flag, in milliseconds', () => {
  const timeSettings = commands.flatMap((c) =>
    Object.entries(c.settings)
      .filter(([, s]) => s.flags?.includes('<duration>'))
      .map(([key, s]) => [`${c.name} ${flagNamesOf(s).long ?? key}`, key, s] as const),
  );

  it('covers the time flags of every subcommand', () => {
    const names = timeSettings.map(([name]) => name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ping --timeout',
        'ping --interval',
        'stop --timeout',
        'serve-producer --produce-timeout',
        'serve-producer --shutdown-timeout',
        'dummy --exit-after',
        'dummy --loading-interval',
        'watch --stale',
        'watch --since',
        'ping --connect-timeout',
      ]),
    );
    // no time flag is left on another grammar
    for (const c of commands) for (const s of Object.values(c.settings)) expect(s.flags ?? '').not.toContain('<seconds>');
  });

  it.each(timeSettings)('%s takes plain seconds and units alike', (_name, key, setting) => {
    const resolve = (raw: string): unknown => resolveSettings({ [key]: setting }, inputs({ flags: { [key]: raw } })).values[key];
    expect(resolve('5')).toBe(5000);
    expect(resolve('5s')).toBe(5000);
    expect(resolve('2.5')).toBe(2500);
    expect(resolve('1500ms')).toBe(1500);
    expect(resolve('1m')).toBe(60_000);
    expect(resolve('0.5m')).toBe(30_000);
    expect(() => resolve('5 parsecs')).toThrow(/must be a duration such as 5 \(seconds\), 500ms, 15s or 1m/);
  });

  it("keeps each flag's bounds, in the unit the user wrote", () => {
    const d = parse.duration({ minMs: 100, maxMs: 900_000 });
    expect(d('0.1')).toBe(100);
    expect(() => d('99ms')).toThrow("must be a duration such as 5 (seconds), 500ms, 15s or 1m (from 100ms to 15m), got '99ms'");
    expect(() => d('16m')).toThrow(/to 15m/);
    expect(() => d('-1')).toThrow(/got '-1'/);
    expect(() => d('')).toThrow(/got ''/);
  });

  it('stops a timer at 24 days (Node fires a longer one at once); --since reads back a year', () => {
    expect(() => parse.duration({ minMs: 1 })('25d')).toThrow(/from 1ms to 24d\), got '25d'/);
    expect(parse.duration({ minMs: 1 })('24d')).toBe(24 * 86_400_000);
    const since = commands.find((c) => c.name === 'watch')?.settings.since;
    expect(since?.parse('300d')).toBe(300 * 86_400_000);
  });

  it('shows defaults in --help as a person writes them', () => {
    expect([0, 5, 500, 1000, 1500, 30_000, 90_000, 120_000, 3_600_000, 2 * 86_400_000].map(formatDuration)).toEqual([
      '0s',
      '5ms',
      '500ms',
      '1s',
      '1.5s',
      '30s',
      '90s',
      '2m',
      '1h',
      '2d',
    ]);
    expect(showValue(kafkaSettings.connectTimeout, kafkaSettings.connectTimeout.default)).toBe('30s');
    expect(showValue(kafkaSettings.bootstrapServers, kafkaSettings.bootstrapServers.default)).toBe('localhost:9092');
  });

  it('merges defaults once: a setting with a default is present in the resolved values', () => {
    const r = resolveSettings(serveProducerSettings, inputs({}));
    expect(r.values.produceTimeout).toBe(10_000);
    // below Kubernetes' default grace of 30 s, so the kubelet's SIGKILL does not race the flush
    expect(r.values.shutdownTimeout).toBe(20_000);
    expect(r.values.kafkaProperty).toEqual([]);
    expect(r.values.debug).toBe(false);
    // a derived default: computed from the other values when no source sets it
    expect(r.values.securityProtocol).toBe('PLAINTEXT');
  });
});

describe('derived defaults: computed from the other resolved values, never filled in by a command', () => {
  const dummySettings = commands.find((c) => c.name === 'dummy')?.settings ?? {};

  it('the security protocol follows KAFKA_USER unless a source sets it', () => {
    const withUser = resolveSettings(kafkaSettings, inputs({ env: { KAFKA_USER: 'u' } }));
    expect([withUser.values.securityProtocol, withUser.sources.securityProtocol]).toEqual(['SASL_SSL', { kind: 'default' }]);
    expect(
      resolveSettings(kafkaSettings, inputs({ flags: { securityProtocol: 'sasl_plaintext' }, env: { KAFKA_USER: 'u' } })).values
        .securityProtocol,
    ).toBe('SASL_PLAINTEXT');
  });

  it("the dummy's consumer group follows its queue id, derived or given", () => {
    expect(resolveSettings(dummySettings, inputs({ flags: { queueId: 'q7' } })).values).toMatchObject({
      queueId: 'q7',
      groupId: 'consumer-q7',
    });
    expect(resolveSettings(dummySettings, inputs({})).values.groupId).toMatch(/^consumer-dummy-/);
    expect(resolveSettings(dummySettings, inputs({ flags: { queueId: 'q7' }, env: { QUEUE_CONSUMER_GROUP: 'g' } })).values.groupId).toBe(
      'g',
    );
  });

  it("serve-producer's host and port follow SERVER_ADDRESS unless a flag or PRODUCER_* sets them; its version is the program's", () => {
    const address = resolveSettings(
      serveProducerSettings,
      inputs({ env: { SERVER_ADDRESS: '127.0.0.2:9001' }, facts: { version: '9.9.9' } }),
    );
    expect([address.values.host, address.values.port, address.values.appVersion]).toEqual(['127.0.0.2', 9001, '9.9.9']);
    const portOnly = resolveSettings(serveProducerSettings, inputs({ flags: { port: '8080' }, env: { SERVER_ADDRESS: ':9001' } }));
    expect([portOnly.values.host, portOnly.values.port]).toEqual(['0.0.0.0', 8080]);
    expect(resolveSettings(serveProducerSettings, inputs({})).values.corsOrigin).toEqual([]);
  });
});
