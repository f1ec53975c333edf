/**
 * Settings every Kafka subcommand shares: where the brokers are, how to authenticate, which
 * topics carry the control plane, and how to log. Declared once; each command adds its own.
 */
import { parse, ParseFailure, type Setting } from './setting.js';

const upper = (s: string): string => s.toUpperCase();

function brokerList(raw: string): string {
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new ParseFailure('must list at least one broker as host:port');
  for (const p of parts) {
    const hostPort = p.replace(/^[a-z_]+:\/\//i, '');
    if (!/^(\[[0-9a-f:]+\]|[^:\s/@]+):\d{1,5}$/i.test(hostPort)) {
      // user:password@host must not reach a log: whatever precedes an @ is left out
      const shown = p.replace(/^([a-z_]+:\/\/)?[^@]*@/i, '$1[redacted]@');
      const why = shown === p ? '' : ' (credentials go in KAFKA_USER and KAFKA_PASSWORD, not in the address)';
      throw new ParseFailure(`must be host:port[,host:port...], and '${shown}' is not host:port${why}`);
    }
  }
  return parts.join(',');
}

export function topicName(raw: string): string {
  const v = raw.trim();
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(v) || v === '.' || v === '..') {
    throw new ParseFailure(`must be a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ -, got '${raw}'`);
  }
  return v;
}

function keyValue(raw: string): [string, string] {
  const eq = raw.indexOf('=');
  const key = eq > 0 ? raw.slice(0, eq).trim() : '';
  // The value may be a password: never repeat it in the message.
  if (!/^[a-z0-9._-]+$/i.test(key)) {
    throw new ParseFailure('must be key=value with a librdkafka property name (e.g. -X fetch.wait.max.ms=10)');
  }
  return [key, raw.slice(eq + 1)];
}

export const securityProtocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof securityProtocols)[number];
export const saslMechanisms = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

export const kafkaSettings = {
  bootstrapServers: {
    flags: '-b, --bootstrap-servers <list>',
    env: 'KAFKA_BOOTSTRAP_SERVERS',
    description: 'Kafka brokers, host:port[,host:port...]',
    default: 'localhost:9092',
    parse: brokerList,
  } satisfies Setting<string>,
  securityProtocol: {
    flags: '--security-protocol <protocol>',
    env: 'KAFKA_SECURITY_PROTOCOL',
    description: `how to talk to the brokers: ${securityProtocols.join(', ')}`,
    defaultLabel: 'SASL_SSL when KAFKA_USER is set, else PLAINTEXT',
    derive: (v): SecurityProtocol => (v.user ? 'SASL_SSL' : 'PLAINTEXT'),
    parse: parse.oneOf(securityProtocols, upper),
  } satisfies Setting<SecurityProtocol>,
  saslMechanism: {
    flags: '--sasl-mechanism <mechanism>',
    env: 'KAFKA_SASL_MECHANISM',
    description: `SASL mechanism: ${saslMechanisms.join(', ')}`,
    default: 'SCRAM-SHA-512',
    parse: parse.oneOf(saslMechanisms, upper),
  } satisfies Setting<SaslMechanism>,
  user: {
    flags: '--user <name>',
    env: 'KAFKA_USER',
    description: 'SASL user name',
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  password: {
    env: 'KAFKA_PASSWORD',
    description: 'SASL password (environment or .env only: flags are visible in ps)',
    parse: parse.string,
    secret: true,
  } satisfies Setting<string>,
  caPath: {
    flags: '--ca-path <file>',
    env: 'KAFKA_CA_PATH',
    // the queue manager passes CA_PATH to the Jobs it launches
    envAliases: ['CA_PATH'],
    description: "PEM file of the CA that signed the brokers' certificates (TLS)",
    parse: parse.nonEmpty,
  } satisfies Setting<string>,
  kafkaProperty: {
    flags: '-X, --kafka-property <key=value>',
    env: 'KAFKA_PROPERTIES',
    description: 'any librdkafka property, repeatable, as in kcat (env: separated by ;)',
    parse: keyValue,
    repeatable: true,
  } satisfies Setting<[string, string]>,
  connectTimeout: {
    flags: '--connect-timeout <duration>',
    env: 'KAFKA_CONNECT_TIMEOUT',
    description: 'give up reaching Kafka after this long (exit 3)',
    default: 30_000,
    parse: parse.duration({ minMs: 100, maxMs: 3_600_000 }),
  } satisfies Setting<number>,
};

export const topicSettings = {
  controlTopic: {
    flags: '--control-topic <topic>',
    env: 'QUEUE_CONTROL_TOPIC',
    description: 'topic of commands (ping, stop)',
    default: 'queue-control',
    parse: topicName,
  } satisfies Setting<string>,
  eventsTopic: {
    flags: '--events-topic <topic>',
    env: 'QUEUE_EVENTS_TOPIC',
    description: 'topic of lifecycle events (started, pong, ...)',
    default: 'queue-events',
    parse: topicName,
  } satisfies Setting<string>,
};

export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];
export const logFormats = ['json', 'text'] as const;
export type LogFormat = (typeof logFormats)[number];

export const logSettings = {
  debug: {
    flags: '--debug',
    description: 'log at debug level (same as LOG_LEVEL=debug)',
    envLabel: 'LOG_LEVEL=debug',
    switch: true,
    default: false,
    parse: parse.bool,
  } satisfies Setting<boolean>,
  logLevel: {
    flags: '--log-level <level>',
    env: 'LOG_LEVEL',
    description: `log level: ${logLevels.join(', ')}`,
    default: 'info',
    parse: parse.oneOf(logLevels, (s) => s.toLowerCase()),
  } satisfies Setting<LogLevel>,
  logFormat: {
    flags: '--log-format <format>',
    env: 'LOG_FORMAT',
    description: 'json (one object per line, for Fluent Bit / Loki) or text (for humans)',
    default: 'json',
    parse: parse.oneOf(logFormats, (s) => s.toLowerCase()),
  } satisfies Setting<LogFormat>,
};

/** `--json` for commands whose stdout carries results; each command names its own variable. */
export function jsonOutputSetting(env: string): Setting<boolean> & { switch: true } {
  return { flags: '--json', env, description: 'one JSON object per line instead of text', switch: true, default: false, parse: parse.bool };
}

/** Where a long-running reader of the events topic starts: watch and monitor read it alike. */
export function sinceSetting(env: string): Setting<number> {
  return {
    flags: '--since <duration>',
    env,
    description: "start this long ago, e.g. 10m, 2h (Kafka's offsets for times)",
    // not a timer: how far back to read
    parse: parse.duration({ minMs: 1, maxMs: 365 * 86_400_000 }),
  };
}

export function staleSetting(env: string): Setting<number> & { default: number } {
  return {
    flags: '--stale <duration>',
    env,
    description: 'mark a queue stale after this long without an event',
    default: 60_000,
    parse: parse.duration({ minMs: 1000 }),
  };
}

/** The address /metrics, /healthz and /readyz bind: the dummy's and the monitor's. */
export const metricsHostSetting = {
  flags: '--metrics-host <address>',
  env: 'METRICS_HOST',
  description: 'address the metrics endpoint binds',
  default: '0.0.0.0',
  parse: parse.nonEmpty,
} satisfies Setting<string>;
