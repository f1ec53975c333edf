/**
 * Where the integration tests' broker is. Without KAFKA_BOOTSTRAP_SERVERS, the project's own
 * broker (scripts/kafka-local.sh) with its PLAINTEXT and SASL_SSL listeners; with it, that
 * broker, and SASL tests run when STREAMFORGE_TEST_SASL_ENV names a dotenv file for SASL.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { kafkaSettings } from '../../src/config/common-settings.js';
import { connectionFrom, type KafkaConnection } from '../../src/config/kafka-connection.js';
import { resolveSettings } from '../../src/config/resolve.js';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export type BrokerEnv = Readonly<Record<string, string>>;
export type Listener = 'plaintext' | 'sasl';

const kafkaVars = [
  'KAFKA_BOOTSTRAP_SERVERS',
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_USER',
  'KAFKA_PASSWORD',
  'KAFKA_CA_PATH',
];

function pick(vars: Record<string, string | undefined>): BrokerEnv {
  return Object.fromEntries(kafkaVars.filter((k) => vars[k] !== undefined).map((k) => [k, vars[k] as string]));
}

export function brokerEnv(listener: Listener): BrokerEnv | undefined {
  if (process.env.KAFKA_BOOTSTRAP_SERVERS) {
    if (listener === 'plaintext') return pick(process.env);
    const file = process.env.STREAMFORGE_TEST_SASL_ENV;
    return file ? pick(parse(readFileSync(file, 'utf8'))) : undefined;
  }
  // the broker of the tests' own that global-setup.mjs starts, apart from a user's (.kafka/)
  return pick(parse(readFileSync(`${projectRoot}/.kafka/test/${listener === 'plaintext' ? 'plaintext' : 'sasl'}.env`, 'utf8')));
}

export function requireBroker(listener: Listener): BrokerEnv {
  const env = brokerEnv(listener);
  if (!env) throw new Error(`no ${listener} broker configured for the tests`);
  return env;
}

/** The Kafka connection the CLI would build from these variables, for tests that use src/kafka directly. */
export function connectionOfEnv(env: BrokerEnv): KafkaConnection {
  return connectionFrom(resolveSettings(kafkaSettings, { flags: {}, env, dotenv: {} }));
}
