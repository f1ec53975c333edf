/**
 * librdkafka's error codes, translated once into ours: a code, a kind (what the failure means
 * to a caller: see KafkaErrorKind) and a hint a user can act on, with librdkafka's error as
 * the cause. The broker list is named; the password never is (librdkafka's own texts do not
 * carry it either).
 */
import Kafka from 'node-rdkafka';
import { ConfigError, KafkaError, unknownTopicMessage, type KafkaErrorKind } from '../errors.js';
import { isSecretProperty } from './client-props.js';

const E = Kafka.CODES.ERRORS;

const OUTCOME_UNKNOWN_HINT = 'the message may be in Kafka: check before sending it again, or make consumers tolerate duplicates';

export interface RdkafkaErrorLike {
  readonly message: string;
  readonly code: number;
}

export function isRdkafkaError(err: unknown): err is RdkafkaErrorLike {
  return typeof err === 'object' && err !== null && 'code' in err && typeof (err as { code: unknown }).code === 'number';
}

/**
 * node-rdkafka's error events carry only librdkafka's error string (code -1): its err2str texts,
 * after node-rdkafka strips "Broker: " / "Local: " and lower-cases them, give back the code for
 * the failures callers must tell apart.
 */
const byText = new Map<string, number>([
  ['unknown topic or partition', E.ERR_UNKNOWN_TOPIC_OR_PART],
  ['unknown topic', E.ERR__UNKNOWN_TOPIC],
  ['unknown partition', E.ERR__UNKNOWN_PARTITION],
  ['message timed out', E.ERR__MSG_TIMED_OUT],
  ['message size too large', E.ERR_MSG_SIZE_TOO_LARGE],
  ['queue full', E.ERR__QUEUE_FULL],
  ['not enough in-sync replicas', E.ERR_NOT_ENOUGH_REPLICAS],
  ['message(s) written to insufficient number of in-sync replicas', E.ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND],
  ['topic authorization failed', E.ERR_TOPIC_AUTHORIZATION_FAILED],
  ['invalid timestamp', E.ERR_INVALID_TIMESTAMP],
  ['broker failed to validate record', E.ERR_INVALID_RECORD],
  ['an invalid record in the same batch caused the failure of this message too', E.ERR__INVALID_DIFFERENT_RECORD],
]);

export function normaliseEventError(err: RdkafkaErrorLike): RdkafkaErrorLike {
  if (err.code !== -1) return err;
  const exact = byText.get(err.message.replace(/^(broker|local): /i, '').toLowerCase());
  if (exact !== undefined) return { code: exact, message: err.message };
  if (/authentication/i.test(err.message)) return { code: E.ERR__AUTHENTICATION, message: err.message };
  if (/ssl|certificate|handshake/i.test(err.message)) return { code: E.ERR__SSL, message: err.message };
  if (/all broker connections are down/i.test(err.message)) return { code: E.ERR__ALL_BROKERS_DOWN, message: err.message };
  if (/resolve/i.test(err.message)) return { code: E.ERR__RESOLVE, message: err.message };
  return err;
}

/** Failures that retrying will not cure: give up at once instead of waiting out the timeout. */
export function isFatalAtConnect(code: number): boolean {
  return (
    code === E.ERR__AUTHENTICATION ||
    code === E.ERR_SASL_AUTHENTICATION_FAILED ||
    code === E.ERR__SSL ||
    code === E.ERR_CLUSTER_AUTHORIZATION_FAILED ||
    code === E.ERR_TOPIC_AUTHORIZATION_FAILED
  );
}

export function mapConnectError(err: RdkafkaErrorLike, brokers: string, timeoutMs: number): KafkaError {
  const from = { librdkafkaCode: err.code, cause: err };
  if (err.code === E.ERR__AUTHENTICATION || err.code === E.ERR_SASL_AUTHENTICATION_FAILED) {
    return new KafkaError(
      'SF_KAFKA_AUTH',
      'auth',
      `authentication to Kafka at ${brokers} failed: ${err.message}`,
      'check KAFKA_USER, KAFKA_PASSWORD and KAFKA_SASL_MECHANISM (SCRAM-SHA-512 for Strimzi)',
      from,
    );
  }
  if (err.code === E.ERR__SSL) {
    return new KafkaError(
      'SF_KAFKA_TLS',
      'tls',
      `TLS handshake with Kafka at ${brokers} failed: ${err.message}`,
      'check KAFKA_CA_PATH (the CA that signed the broker certificates) and that the broker host names match them',
      from,
    );
  }
  if (err.code === E.ERR_TOPIC_AUTHORIZATION_FAILED || err.code === E.ERR_CLUSTER_AUTHORIZATION_FAILED) {
    return new KafkaError(
      'SF_KAFKA_AUTH',
      'forbidden',
      `Kafka at ${brokers} refused access: ${err.message}`,
      'the user lacks an ACL for this topic or operation; ask for Read/Write/Describe on the control-plane topics',
      from,
    );
  }
  return new KafkaError(
    'SF_KAFKA_UNREACHABLE',
    'unreachable',
    `cannot reach Kafka at ${brokers} within ${(timeoutMs / 1000).toFixed(1)}s: ${err.message}`,
    'check KAFKA_BOOTSTRAP_SERVERS and the network, that the broker runs, and that the security protocol matches its listener',
    from,
  );
}

/**
 * librdkafka refuses a property when a client is built (a typo in -X, a bad value): that is
 * a configuration error (exit 2), said in one line. The value is left out where it may be a
 * secret (`-X sasl.password=...` with a bad value must not print the password).
 */
export function mapClientConfigError(err: unknown): unknown {
  // not `instanceof Error`: node-rdkafka's errors may come from another realm (jest's VM modules)
  const raw = (err as { message?: unknown } | null)?.message;
  const message = typeof raw === 'string' ? raw : '';
  const property = /configuration property:? "([^"]+)"/.exec(message)?.[1];
  if (!property) return err;
  const reason = isSecretProperty(property) ? message.replace(/value "[^"]*"/, 'value') : message;
  return new ConfigError(
    `librdkafka refused the property ${property}: ${reason}`,
    "check -X / KAFKA_PROPERTIES (librdkafka's names, e.g. -X fetch.wait.max.ms=10; see librdkafka's CONFIGURATION.md)",
  );
}

/** Builds a librdkafka client; a property it refuses becomes a ConfigError. */
export function buildClient<T>(make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw mapClientConfigError(err);
  }
}

/** Reading or committing a consumer group's offsets (a service's command reader). */
export function mapGroupError(err: RdkafkaErrorLike, group: string): KafkaError {
  const from = { librdkafkaCode: err.code, cause: err };
  if (err.code === E.ERR_GROUP_AUTHORIZATION_FAILED) {
    return new KafkaError(
      'SF_KAFKA_AUTH',
      'forbidden',
      `Kafka refused access to consumer group ${group}: ${err.message}`,
      `the user needs Read on group ${group} (Strimzi: a group ACL, e.g. prefix consumer-), or choose a group it may use with --group-id / QUEUE_CONSUMER_GROUP`,
      from,
    );
  }
  return new KafkaError(
    'SF_KAFKA_UNREACHABLE',
    'unreachable',
    `cannot read or commit the offsets of consumer group ${group}: ${err.message}`,
    'the group coordinator did not answer; check that the brokers run and are reachable',
    from,
  );
}

/**
 * What a failed produce means, by librdkafka's code: the one table every produce error goes
 * through. Only what was certainly never written is "not-written" (retrying is safe); a message
 * librdkafka may have sent without hearing back is "outcome-unknown" (a retry may duplicate it).
 */
type ProduceKind = Extract<
  KafkaErrorKind,
  'backpressure' | 'too-large' | 'no-such-partition' | 'no-such-topic' | 'forbidden' | 'invalid-record' | 'not-written' | 'outcome-unknown'
>;

function produceKind(code: number): ProduceKind {
  switch (code) {
    case E.ERR__QUEUE_FULL:
      return 'backpressure';
    case E.ERR_MSG_SIZE_TOO_LARGE:
    case E.ERR_RECORD_LIST_TOO_LARGE:
      return 'too-large';
    case E.ERR__UNKNOWN_PARTITION:
      return 'no-such-partition';
    case E.ERR_UNKNOWN_TOPIC_OR_PART:
    case E.ERR__UNKNOWN_TOPIC:
      return 'no-such-topic';
    case E.ERR_TOPIC_AUTHORIZATION_FAILED:
      return 'forbidden';
    // the broker looked at this record and refused it: a timestamp outside its accepted range
    // (message.timestamp.before/after.max.ms), a compacted topic's record without a key
    case E.ERR_INVALID_TIMESTAMP:
    case E.ERR_INVALID_RECORD:
      return 'invalid-record';
    // refused before anything was appended, or never sent; INVALID_DIFFERENT_RECORD: refused
    // with another record of its produce batch (KIP-467), this one was fine
    case E.ERR__ALL_BROKERS_DOWN:
    case E.ERR__INVALID_DIFFERENT_RECORD:
    case E.ERR__PURGE_QUEUE:
    case E.ERR_NOT_ENOUGH_REPLICAS:
    case E.ERR_LEADER_NOT_AVAILABLE:
    case E.ERR_NOT_LEADER_FOR_PARTITION:
      return 'not-written';
    default:
      // timed out (possibly sent), purged in flight, or a code we cannot vouch for
      return 'outcome-unknown';
  }
}

/** The words for each kind of produce failure; the kind itself comes from produceKind. */
type Words = (topic: string, why: string) => { message: string; hint: string };
const produceWords: Record<ProduceKind, Words> = {
  backpressure: (_t, why) => ({
    message: `the local producer queue is full (${why})`,
    hint: 'Kafka is slower than the incoming messages; retry later',
  }),
  'too-large': (t, why) => ({
    message: `the message is too large for topic ${t}: ${why}`,
    hint: 'send a smaller message, or raise max.message.bytes on the topic and message.max.bytes (-X) on the producer',
  }),
  'no-such-partition': (t, why) => ({
    message: `topic ${t} has no such partition: ${why}`,
    hint: 'omit the partition, or use one the topic has',
  }),
  'no-such-topic': (t) => ({ message: unknownTopicMessage(t), hint: 'create the topic first' }),
  forbidden: (t, why) => ({ message: `not allowed to write to topic ${t}: ${why}`, hint: 'the user needs a Write ACL on this topic' }),
  'invalid-record': (t, why) => ({
    message: `Kafka refused the record for topic ${t}: ${why}`,
    hint: "nothing was written; fix the record (a timestamp within the broker's accepted range; a key for a compacted topic)",
  }),
  'not-written': (t, why) => ({ message: `Kafka did not take the message to ${t}: ${why}`, hint: 'nothing was written: retry later' }),
  'outcome-unknown': (t, why) => ({
    message: `Kafka did not acknowledge the message in time (${why}); it may still have been written (topic ${t})`,
    hint: OUTCOME_UNKNOWN_HINT,
  }),
};

export function mapProduceError(raw: RdkafkaErrorLike, topic: string): KafkaError {
  const err = normaliseEventError(raw);
  const kind = produceKind(err.code);
  const { message, hint } = produceWords[kind](topic, err.message);
  // the codes (and so the exit codes) as before the kinds: only a missing topic is a topic error
  const code = kind === 'no-such-topic' ? 'SF_KAFKA_TOPIC' : kind === 'forbidden' ? 'SF_KAFKA_AUTH' : 'SF_KAFKA_PRODUCE';
  return new KafkaError(code, kind, message, hint, { librdkafkaCode: err.code, cause: raw });
}

export function mapAdminError(err: RdkafkaErrorLike, topic: string): KafkaError {
  const from = { librdkafkaCode: err.code, cause: err };
  if (err.code === E.ERR_TOPIC_AUTHORIZATION_FAILED || err.code === E.ERR_CLUSTER_AUTHORIZATION_FAILED) {
    return new KafkaError(
      'SF_KAFKA_TOPIC',
      'forbidden',
      `topic ${topic} does not exist and this user may not create it: ${err.message}`,
      'create the topic (a Strimzi KafkaTopic) or grant Create on it',
      from,
    );
  }
  return new KafkaError('SF_KAFKA_TOPIC', 'failed', `cannot create topic ${topic}: ${err.message}`, 'create the topic by hand', from);
}

/** A metadata request that failed: nothing was sent, and the cluster could not be asked. */
export function mapMetadataError(err: RdkafkaErrorLike, timeoutMs: number): KafkaError {
  const from = { librdkafkaCode: err.code, cause: err };
  if (err.code === E.ERR_CLUSTER_AUTHORIZATION_FAILED || err.code === E.ERR_TOPIC_AUTHORIZATION_FAILED) {
    return new KafkaError(
      'SF_KAFKA_AUTH',
      'forbidden',
      `Kafka refused a metadata request: ${err.message}`,
      'grant the user Describe on the topics',
      from,
    );
  }
  return new KafkaError(
    'SF_KAFKA_UNREACHABLE',
    'unreachable',
    `Kafka did not answer a metadata request within ${timeoutMs} ms: ${err.message}`,
    'check that the brokers are up and reachable; nothing was sent',
    from,
  );
}

/** A metadata request not made: Kafka is known to be unavailable. */
export function metadataUnavailable(why: string): KafkaError {
  return new KafkaError('SF_KAFKA_UNREACHABLE', 'unreachable', `Kafka is unavailable (${why})`, 'retry later: nothing was sent', {
    librdkafkaCode: E.ERR__ALL_BROKERS_DOWN,
  });
}

export const rdkafkaCodes = {
  topicAlreadyExists: E.ERR_TOPIC_ALREADY_EXISTS,
} as const;

/** A message that may or may not be in Kafka: handed over, no acknowledgement in time. */
export function outcomeUnknown(topic: string, message: string): KafkaError {
  return new KafkaError('SF_KAFKA_PRODUCE', 'outcome-unknown', `${message} (topic ${topic})`, OUTCOME_UNKNOWN_HINT, {
    librdkafkaCode: E.ERR__MSG_TIMED_OUT,
  });
}

/** Kafka is known to be unavailable: the message is refused without being handed over. */
export function kafkaUnavailable(topic: string, why: string): KafkaError {
  return new KafkaError(
    'SF_KAFKA_PRODUCE',
    'not-written',
    `Kafka is unavailable (${why}); the message to ${topic} was not sent`,
    'retry after the Retry-After delay: nothing was written',
    { librdkafkaCode: E.ERR__ALL_BROKERS_DOWN },
  );
}
