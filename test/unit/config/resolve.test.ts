/** resolve.ts: precedence (flags, environment, .env, defaults), errors that name their source, derived defaults. */
import { describe, expect, it } from '@jest/globals';
import { kafkaSettings, logSettings, topicSettings } from '../../../src/config/common-settings.js';
import { resolveSettings, type Inputs } from '../../../src/config/resolve.js';
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
