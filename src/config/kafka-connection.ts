/**
 * From resolved settings to one validated description of how to reach Kafka. The password
 * lives here and in the client properties src/kafka/client-props.ts builds from it, and is
 * never logged (redactProps there).
 */
import { accessSync, constants } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { SaslMechanism, SecurityProtocol, kafkaSettings } from './common-settings.js';
import type { Resolved } from './resolve.js';
import { describeSource } from './setting.js';

export interface KafkaConnection {
  readonly brokers: string;
  readonly securityProtocol: SecurityProtocol;
  readonly saslMechanism: SaslMechanism;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly caPath: string | undefined;
  /** -X key=value pairs, applied last so they override ours */
  readonly extra: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
}

export function connectionFrom(resolved: Resolved<typeof kafkaSettings>): KafkaConnection {
  const v = resolved.values;
  const user = v.user;
  const protocol: SecurityProtocol = v.securityProtocol;
  const sasl = protocol.startsWith('SASL_');
  if (sasl && !user) {
    throw new ConfigError(
      `security protocol ${protocol} needs a user, and KAFKA_USER is not set`,
      'set KAFKA_USER and KAFKA_PASSWORD, or use --security-protocol PLAINTEXT',
    );
  }
  if (sasl && !v.password) {
    throw new ConfigError(
      `security protocol ${protocol} needs a password, and KAFKA_PASSWORD is not set`,
      'set KAFKA_PASSWORD in the environment or in .env (there is no flag, so it never shows in ps)',
    );
  }
  if (v.caPath) {
    try {
      accessSync(v.caPath, constants.R_OK);
    } catch {
      throw new ConfigError(
        `${describeSource(resolved.sources.caPath)} names ${v.caPath}, which is not a readable file`,
        "point KAFKA_CA_PATH at the PEM file of the CA that signed the brokers' certificates",
      );
    }
  }
  return Object.freeze({
    brokers: v.bootstrapServers,
    securityProtocol: protocol,
    saslMechanism: v.saslMechanism,
    user: sasl ? user : undefined,
    password: sasl ? v.password : undefined,
    caPath: v.caPath,
    extra: Object.freeze(Object.fromEntries(v.kafkaProperty)),
    connectTimeoutMs: v.connectTimeout,
  });
}
