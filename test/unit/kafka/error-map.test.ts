import { describe, expect, it } from '@jest/globals';
import Kafka from 'node-rdkafka';
import {
  buildClient,
  mapClientConfigError,
  mapConnectError,
  mapGroupError,
  mapProduceError,
  normaliseEventError,
} from '../../../src/kafka/error-map.js';

const E = Kafka.CODES.ERRORS;

describe('librdkafka errors that arrive as text with code -1', () => {
  it.each([
    ['unknown topic or partition', E.ERR_UNKNOWN_TOPIC_OR_PART],
    ['Local: Unknown topic', E.ERR__UNKNOWN_TOPIC],
    ['message timed out', E.ERR__MSG_TIMED_OUT],
    ['message size too large', E.ERR_MSG_SIZE_TOO_LARGE],
    ['not enough in-sync replicas', E.ERR_NOT_ENOUGH_REPLICAS],
    ['authentication failure', E.ERR__AUTHENTICATION],
    ['ssl error', E.ERR__SSL],
  ])('%j -> %d', (message, code) => {
    expect(normaliseEventError({ code: -1, message }).code).toBe(code);
  });

  it('keeps real codes and unknown texts as they are', () => {
    expect(normaliseEventError({ code: 5, message: 'x' })).toEqual({ code: 5, message: 'x' });
    expect(normaliseEventError({ code: -1, message: 'something new' }).code).toBe(-1);
  });
});

describe('mapping to our errors', () => {
  it.each([
    [E.ERR__QUEUE_FULL, 'backpressure', true],
    [E.ERR_MSG_SIZE_TOO_LARGE, 'too-large', false],
    [E.ERR_RECORD_LIST_TOO_LARGE, 'too-large', false],
    [E.ERR__UNKNOWN_PARTITION, 'no-such-partition', false],
    [E.ERR_UNKNOWN_TOPIC_OR_PART, 'no-such-topic', false],
    [E.ERR_TOPIC_AUTHORIZATION_FAILED, 'forbidden', false],
    [E.ERR__MSG_TIMED_OUT, 'outcome-unknown', false],
    [E.ERR__PURGE_INFLIGHT, 'outcome-unknown', false],
    [E.ERR__PURGE_QUEUE, 'not-written', true],
    [E.ERR__ALL_BROKERS_DOWN, 'not-written', true],
    [E.ERR_NOT_ENOUGH_REPLICAS, 'not-written', true],
  ])('a produce failure with code %d is of kind %s (retriable: %s), its librdkafka error the cause', (code, kind, retriable) => {
    const raw = { code, message: `librdkafka says ${code}` };
    const err = mapProduceError(raw, 't');
    expect(err).toMatchObject({ kind, retriable, librdkafkaCode: code });
    expect(err.cause).toBe(raw);
    // an unknown topic has one wording (below); every other kind keeps librdkafka's words
    expect(err.message).toContain(kind === 'no-such-topic' ? 'Topic t not found' : `librdkafka says ${code}`);
  });

  it("words an unknown topic one way, whether the broker said so or librdkafka's cache on the next try", () => {
    const said = [
      mapProduceError({ code: E.ERR_UNKNOWN_TOPIC_OR_PART, message: 'Broker: Unknown topic or partition' }, 'orders'),
      mapProduceError({ code: E.ERR__UNKNOWN_TOPIC, message: 'Local: Unknown topic' }, 'orders'),
      mapProduceError({ code: -1, message: 'unknown topic or partition' }, 'orders'),
    ].map((e) => e.message);
    expect(said).toEqual(['Topic orders not found', 'Topic orders not found', 'Topic orders not found']);
  });

  it('reads the kind of a failure that came as text only', () => {
    expect(mapProduceError({ code: -1, message: 'unknown topic or partition' }, 't')).toMatchObject({
      kind: 'no-such-topic',
      code: 'SF_KAFKA_TOPIC',
      message: 'Topic t not found',
    });
  });

  it('keeps the codes (and exit codes) of before: only a missing topic is SF_KAFKA_TOPIC, a refused write SF_KAFKA_AUTH', () => {
    expect(mapProduceError({ code: E.ERR__UNKNOWN_PARTITION, message: 'x' }, 't').code).toBe('SF_KAFKA_PRODUCE');
    expect(mapProduceError({ code: E.ERR__UNKNOWN_TOPIC, message: 'x' }, 't').code).toBe('SF_KAFKA_TOPIC');
    expect(mapProduceError({ code: E.ERR_TOPIC_AUTHORIZATION_FAILED, message: 'x' }, 't').code).toBe('SF_KAFKA_AUTH');
    expect(mapProduceError({ code: E.ERR__QUEUE_FULL, message: 'x' }, 't').code).toBe('SF_KAFKA_PRODUCE');
  });

  it('gives connect and group failures their kinds', () => {
    expect(mapConnectError({ code: E.ERR__AUTHENTICATION, message: 'x' }, 'k:1', 1000).kind).toBe('auth');
    expect(mapConnectError({ code: E.ERR__SSL, message: 'x' }, 'k:1', 1000).kind).toBe('tls');
    expect(mapConnectError({ code: E.ERR__TRANSPORT, message: 'x' }, 'k:1', 1000)).toMatchObject({ kind: 'unreachable', retriable: true });
    expect(mapGroupError({ code: E.ERR_GROUP_AUTHORIZATION_FAILED, message: 'x' }, 'g').kind).toBe('forbidden');
  });

  it('turns a property librdkafka refuses into a usage error (exit 2), never echoing a secret value', () => {
    const refused = (props: Record<string, string>): unknown => {
      try {
        buildClient(() => new Kafka.Producer({ 'bootstrap.servers': 'k:1', ...props }));
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(refused({ 'sasl.pasword': 'x' })).toMatchObject({
      code: 'SF_CONFIG_INVALID',
      exitCode: 2,
      message: 'librdkafka refused the property sasl.pasword: No such configuration property: "sasl.pasword"',
    });
    expect(refused({ debug: 'nonsense' })).toMatchObject({ exitCode: 2, message: expect.stringContaining('"nonsense"') });
    // librdkafka names a refused value in its message ('Invalid value "nonsense" for configuration
    // property "debug"'); no secret property of it refuses a value when the client is built, so
    // its own message for debug, with a secret property's name and value put in, is the case
    const invalid = String((refused({ debug: 'nonsense' }) as Error).message);
    const said = /: (Invalid value "nonsense" for configuration property "debug".*)$/.exec(invalid)?.[1];
    expect(said).toBeDefined();
    const secret = mapClientConfigError({ message: said?.replace('nonsense', 'hunter2').replace('"debug"', '"sasl.password"') });
    expect(secret).toMatchObject({ code: 'SF_CONFIG_INVALID', message: expect.stringContaining('sasl.password') });
    expect(String((secret as Error).message)).not.toContain('hunter2');
    const other = new Error('something else');
    expect(() =>
      buildClient(() => {
        throw other;
      }),
    ).toThrow(other);
  });

  it("names the command reader's group when Kafka refuses it, and how to choose another", () => {
    const err = mapGroupError({ code: E.ERR_GROUP_AUTHORIZATION_FAILED, message: 'Broker: Group authorization failed' }, 'consumer-q1');
    expect(err.code).toBe('SF_KAFKA_AUTH');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('Kafka refused access to consumer group consumer-q1: Broker: Group authorization failed');
    expect(err.hint).toContain('--group-id / QUEUE_CONSUMER_GROUP');
    expect(mapGroupError({ code: E.ERR__TIMED_OUT, message: 'timed out' }, 'g').code).toBe('SF_KAFKA_UNREACHABLE');
  });

  it('names the brokers and gives a hint, never a password', () => {
    const err = mapConnectError({ code: E.ERR__AUTHENTICATION, message: 'authentication failure' }, 'kafka:9093', 30_000);
    expect(err.code).toBe('SF_KAFKA_AUTH');
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe('authentication to Kafka at kafka:9093 failed: authentication failure');
    expect(err.hint).toContain('KAFKA_PASSWORD');
    expect(mapConnectError({ code: E.ERR__TRANSPORT, message: 'broker transport failure' }, 'k:1', 2000).message).toBe(
      'cannot reach Kafka at k:1 within 2.0s: broker transport failure',
    );
  });
});
