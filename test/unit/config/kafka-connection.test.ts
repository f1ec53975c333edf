/** kafka-connection.ts: settings to one validated description of how to reach Kafka. */
import { describe, expect, it } from '@jest/globals';
import { kafkaSettings } from '../../../src/config/common-settings.js';
import { connectionFrom } from '../../../src/config/kafka-connection.js';
import { connectionProps, redactProps } from '../../../src/kafka/client-props.js';
import { resolveSettings, type Inputs } from '../../../src/config/resolve.js';
const inputs = (over: Partial<Inputs>): Inputs => ({ flags: {}, env: {}, dotenv: {}, ...over });

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
