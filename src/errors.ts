/**
 * Every error a user can meet, in one place: a string code to grep for, a message that says
 * what and why, a hint that says what to do, and the process exit code (README, "Exit codes").
 */

export const ExitCode = {
  ok: 0,
  /** ran, but the answer was missing or bad */
  failed: 1,
  /** usage or configuration error */
  usage: 2,
  /** Kafka unreachable or authentication failed */
  kafka: 3,
  /**
   * stdout closed while a command wrote its output (`| head`): 128 + SIGPIPE, the status a
   * shell reports for a command that SIGPIPE ended, as it does for cat, seq or git
   */
  stdoutClosed: 141,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, short (the --help line) and long (the reference pages). */
export const exitCodeMeanings: ReadonlyArray<{ readonly code: ExitCode; readonly short: string; readonly long: string }> = [
  { code: ExitCode.ok, short: 'done', long: 'done: the command did what was asked' },
  {
    code: ExitCode.failed,
    short: 'an answer missing or bad',
    long: 'ran, but an answer was missing or bad (no pong, a failed delivery, a queue that did not stop)',
  },
  {
    code: ExitCode.usage,
    short: 'usage or configuration error',
    long: 'usage or configuration error: a wrong flag or value, a port in use, a file that cannot be read',
  },
  { code: ExitCode.kafka, short: 'Kafka unreachable or authentication failed', long: 'Kafka unreachable, or authentication failed' },
];

export type ErrorCode =
  | 'SF_CONFIG_INVALID'
  | 'SF_PORT_IN_USE'
  | 'SF_KAFKA_UNREACHABLE'
  | 'SF_KAFKA_AUTH'
  | 'SF_KAFKA_TLS'
  | 'SF_KAFKA_TOPIC'
  | 'SF_KAFKA_PRODUCE'
  | 'SF_KAFKA'
  | 'SF_HTTP_BAD_JSON'
  | 'SF_HTTP_VALIDATION'
  | 'SF_HTTP_MEDIA_TYPE'
  | 'SF_HTTP_TOO_LARGE'
  | 'SF_HTTP_NOT_FOUND'
  | 'SF_HTTP_METHOD'
  | 'SF_HTTP_NOT_SERVED'
  | 'SF_HTTP_UNAUTHORIZED'
  | 'SF_HTTP_FORBIDDEN_TOPIC'
  | 'SF_HTTP_BUSY'
  | 'SF_HTTP_TIMEOUT'
  | 'SF_HTTP_SCHEMA'
  | 'SF_SCHEMA_REGISTRY_UNAVAILABLE'
  | 'SF_KAFKA_UNAVAILABLE'
  | 'SF_KAFKA_OUTCOME_UNKNOWN'
  | 'SF_IDEMPOTENCY_IN_PROGRESS'
  | 'SF_IDEMPOTENCY_KEY_REUSED'
  | 'SF_IDEMPOTENCY_UNAVAILABLE';

const exitCodes: Record<ErrorCode, ExitCode> = {
  SF_CONFIG_INVALID: ExitCode.usage,
  SF_PORT_IN_USE: ExitCode.usage,
  SF_KAFKA_UNREACHABLE: ExitCode.kafka,
  SF_KAFKA_AUTH: ExitCode.kafka,
  SF_KAFKA_TLS: ExitCode.kafka,
  SF_KAFKA_TOPIC: ExitCode.kafka,
  SF_KAFKA_PRODUCE: ExitCode.failed,
  SF_KAFKA: ExitCode.failed,
  // HTTP answers: what a request got, not how a process ends.
  SF_HTTP_BAD_JSON: ExitCode.failed,
  SF_HTTP_VALIDATION: ExitCode.failed,
  SF_HTTP_MEDIA_TYPE: ExitCode.failed,
  SF_HTTP_TOO_LARGE: ExitCode.failed,
  SF_HTTP_NOT_FOUND: ExitCode.failed,
  SF_HTTP_METHOD: ExitCode.failed,
  SF_HTTP_NOT_SERVED: ExitCode.failed,
  SF_HTTP_UNAUTHORIZED: ExitCode.failed,
  SF_HTTP_FORBIDDEN_TOPIC: ExitCode.failed,
  SF_HTTP_BUSY: ExitCode.failed,
  SF_HTTP_TIMEOUT: ExitCode.failed,
  SF_HTTP_SCHEMA: ExitCode.failed,
  SF_SCHEMA_REGISTRY_UNAVAILABLE: ExitCode.failed,
  SF_KAFKA_UNAVAILABLE: ExitCode.kafka,
  SF_KAFKA_OUTCOME_UNKNOWN: ExitCode.failed,
  SF_IDEMPOTENCY_IN_PROGRESS: ExitCode.failed,
  SF_IDEMPOTENCY_KEY_REUSED: ExitCode.failed,
  SF_IDEMPOTENCY_UNAVAILABLE: ExitCode.failed,
};

export class StreamforgeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exitCode: ExitCode;

  constructor(code: ErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.exitCode = exitCodes[code];
  }
}

/** A flag, environment variable or .env entry with a value we cannot use. */
export class ConfigError extends StreamforgeError {
  constructor(message: string, hint: string) {
    super('SF_CONFIG_INVALID', message, hint);
  }
}

/** A port we were told to listen on is taken. */
export class PortInUseError extends StreamforgeError {
  /** `zero`: what port 0 does for this setting */
  constructor(port: number, setting: string, zero = 'to turn the endpoint off') {
    super('SF_PORT_IN_USE', `port ${port} is already in use`, `choose another port with ${setting}, or 0 ${zero}`);
  }
}

/**
 * What a Kafka failure means, decided once in src/kafka/ (error-map.ts) from librdkafka's codes:
 * callers (the HTTP statuses, exit codes, retries) decide on this, never on a librdkafka number.
 */
export type KafkaErrorKind =
  /** no broker answered in time; the cluster may come back */
  | 'unreachable'
  /** the login was refused (user, password, SASL mechanism) */
  | 'auth'
  /** logged in, but an ACL forbids the topic, group or operation */
  | 'forbidden'
  /** the TLS handshake failed (CA, host names) */
  | 'tls'
  | 'no-such-topic'
  | 'no-such-partition'
  /** the message or batch is larger than the broker or topic takes */
  | 'too-large'
  /** the broker refused this record as it is (its timestamp, or no key for a compacted topic) */
  | 'invalid-record'
  /** librdkafka's local queue is full: nothing was handed over, slow down */
  | 'backpressure'
  /** certainly not written (refused before it was handed to a broker): retrying is safe */
  | 'not-written'
  /** handed over and not acknowledged in time: it may be in Kafka, a retry may duplicate it */
  | 'outcome-unknown'
  /** anything else: a broker error we cannot vouch for, or a bug */
  | 'failed'
  | SchemaFailureKind
  | IdempotencyFailureKind;

/** Why a request with an Idempotency-Key was not served as a first request or a replay. */
export type IdempotencyFailureKind =
  /** another request with the key is being served (here or on another replica) */
  | 'idempotency-in-progress'
  /** the key was used for a different request */
  | 'idempotency-key-reused'
  /** the claims and answers cannot be read or written now */
  | 'idempotency-unavailable';

/** Why a schema-typed key or value (Avro, JSON Schema, Protobuf) was refused: rows of the same table. */
export type SchemaFailureKind =
  /** the Schema Registry cannot be reached, or refused serve-producer */
  | 'registry-unavailable'
  /** the schema id, subject or version the request names is not in the registry */
  | 'schema-not-found'
  /** the subject's compatibility rule refused the request's schema */
  | 'schema-incompatible'
  /** the request's schema is not a valid Avro, JSON Schema or Protobuf schema */
  | 'schema-invalid'
  /** schema-typed keys without a key schema (key_schema / key_schema_id) */
  | 'key-schema-missing'
  /** schema-typed values without a value schema */
  | 'value-schema-missing'
  /** a key or value that does not match its schema */
  | 'schema-mismatch';

/**
 * One wording for a topic Kafka does not have, whoever finds out: the topic catalog before
 * producing, or librdkafka after (whose words vary: "Unknown topic or partition" from the
 * broker, "Local: Unknown topic" from its own cache on the next try). Confluent's REST Proxy's
 * wording, which its clients may match on.
 */
export const unknownTopicMessage = (topic: string): string => `Topic ${topic} not found`;

/** Kafka-side failures; the kafka layer maps librdkafka's codes onto a code and a kind. */
export class KafkaError extends StreamforgeError {
  readonly kind: KafkaErrorKind;
  /** librdkafka's own code, kept for logs and tests */
  readonly librdkafkaCode: number | undefined;

  constructor(
    code: Extract<
      ErrorCode,
      'SF_KAFKA_UNREACHABLE' | 'SF_KAFKA_AUTH' | 'SF_KAFKA_TLS' | 'SF_KAFKA_TOPIC' | 'SF_KAFKA_PRODUCE' | 'SF_KAFKA'
    >,
    kind: KafkaErrorKind,
    message: string,
    hint: string,
    opts: { librdkafkaCode?: number; cause?: unknown } = {},
  ) {
    super(code, message, hint, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.kind = kind;
    this.librdkafkaCode = opts.librdkafkaCode;
  }

  /** Trying again later may succeed, and cannot write the message twice. */
  get retriable(): boolean {
    return failureMeanings[this.kind].retriable;
  }
}

/** What a client may do after a failed produce: retry safely (not_written), or check first (unknown). */
export type ProduceOutcome = 'not_written' | 'unknown';

/** What one kind of failure means to whoever asked for the write: one row of failureMeanings. */
export interface FailureMeaning {
  /** the HTTP status of the answer */
  readonly status: number;
  readonly code: ErrorCode;
  /** whether the record is certainly not in Kafka, or may be */
  readonly outcome: ProduceOutcome;
  /** trying the same request again later may succeed, and cannot write it twice */
  readonly retriable: boolean;
  /** seconds a client should wait before it retries (the Retry-After header), where a retry is the cure */
  readonly retryAfterS?: number;
  /** the Confluent REST Proxy's error_code for the whole answer */
  readonly kafkaRestCode: number;
  /** its error_code in a v2 entry of one record: 50003 "retriable", 50002 not */
  readonly kafkaRestEntryCode: 50002 | 50003;
  /**
   * When every record of a request failed, the answer is the failure of lowest rank (the first
   * of equals): an unknown outcome first (a retry may duplicate), then a record the broker
   * refused, then Kafka too busy or unavailable, then the rest.
   */
  readonly rank: 1 | 2 | 3 | 4;
  /** what a client should do, in the HTTP answer */
  readonly hint: string;
}

const unavailable = {
  status: 503,
  code: 'SF_KAFKA_UNAVAILABLE',
  outcome: 'not_written',
  retriable: true,
  retryAfterS: 5,
  kafkaRestCode: 50003,
  kafkaRestEntryCode: 50003,
  rank: 3,
  hint: 'Kafka is unavailable; nothing was written, so retry after the Retry-After delay',
} as const satisfies FailureMeaning;

const outcomeUnknown = {
  status: 504,
  code: 'SF_KAFKA_OUTCOME_UNKNOWN',
  outcome: 'unknown',
  retriable: false,
  kafkaRestCode: 50003,
  kafkaRestEntryCode: 50003,
  rank: 1,
  hint: 'the message may be in Kafka: check before sending it again, or make consumers tolerate duplicates',
} as const satisfies FailureMeaning;

/** A schema-typed request refused as it is: nothing written, and the same request will fail again. */
function schemaRefusal(status: 409 | 422, kafkaRestCode: number, hint: string): FailureMeaning {
  return {
    status,
    code: 'SF_HTTP_SCHEMA',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode,
    kafkaRestEntryCode: 50002,
    rank: 2,
    hint,
  };
}

/**
 * What each kind of failure means, in one place: the HTTP status of every route family, the
 * outcome, whether a retry is safe, Retry-After, and the Confluent codes of the gateways' error
 * shapes. Every answer to a failed write is built from its row (HttpError.of); nothing decides
 * from a status number. A full local queue (librdkafka's, or serve-producer's own in-flight
 * budget) is one row: 429 with Retry-After, nothing written.
 */
export const failureMeanings: Readonly<Record<KafkaErrorKind, FailureMeaning>> = {
  backpressure: {
    status: 429,
    code: 'SF_HTTP_BUSY',
    outcome: 'not_written',
    retriable: true,
    retryAfterS: 1,
    kafkaRestCode: 42901,
    kafkaRestEntryCode: 50003,
    rank: 3,
    hint: 'nothing was written: retry after the Retry-After delay, send smaller requests, or run more servers',
  },
  'too-large': {
    status: 413,
    code: 'SF_HTTP_TOO_LARGE',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode: 413,
    kafkaRestEntryCode: 50002,
    rank: 4,
    hint: 'send a smaller message, or raise max.message.bytes on the topic',
  },
  // a partition that does not exist names a missing resource, as an unknown topic does
  // (Confluent's REST Proxy: 404, error 40402)
  'no-such-partition': {
    status: 404,
    code: 'SF_HTTP_NOT_FOUND',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode: 40402,
    kafkaRestEntryCode: 50002,
    rank: 4,
    hint: 'omit partition, or use one the topic has',
  },
  'no-such-topic': {
    status: 404,
    code: 'SF_HTTP_NOT_FOUND',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode: 40401,
    kafkaRestEntryCode: 50002,
    rank: 4,
    hint: 'create the topic (a Strimzi KafkaTopic) first',
  },
  'invalid-record': {
    status: 422,
    code: 'SF_HTTP_VALIDATION',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode: 422,
    kafkaRestEntryCode: 50002,
    rank: 2,
    hint: "nothing was written; fix the record (a timestamp within the broker's accepted range; a key for a compacted topic)",
  },
  forbidden: {
    status: 403,
    code: 'SF_HTTP_FORBIDDEN_TOPIC',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode: 40301,
    kafkaRestEntryCode: 50002,
    rank: 4,
    hint: 'grant the producer user Write on the topic',
  },
  'outcome-unknown': outcomeUnknown,
  // refused before anything was handed over, or the cluster cannot be reached at all
  'not-written': unavailable,
  unreachable: unavailable,
  // a retry cannot cure a refused login or a bad certificate, but nothing was written either
  auth: { ...unavailable, retriable: false, hint: 'the producer cannot log in to Kafka; nothing was written (see its log)' },
  tls: { ...unavailable, retriable: false, hint: 'the producer cannot reach Kafka over TLS; nothing was written (see its log)' },
  // a broker error we cannot vouch for: the message may have been written
  failed: { ...outcomeUnknown, hint: 'the message may be in Kafka: check before sending it again' },
  // Schema-typed records (Avro, JSON Schema, Protobuf): refused before anything is handed to
  // Kafka, with the REST Proxy's codes. Its registry failure is 408; here it is 503 with
  // Retry-After, the status every HTTP client knows to retry, with the same 40801.
  'registry-unavailable': {
    ...unavailable,
    code: 'SF_SCHEMA_REGISTRY_UNAVAILABLE',
    kafkaRestCode: 40801,
    hint: 'the Schema Registry is unavailable; nothing was written, so retry after the Retry-After delay (subjects already used keep working from the cache)',
  },
  'schema-not-found': schemaRefusal(422, 40801, 'register the schema first, or name a schema id, subject and version the registry has'),
  'schema-incompatible': schemaRefusal(
    409,
    40801,
    "the subject's compatibility rule (BACKWARD by default) refused the schema: add fields with defaults, or register it under another subject",
  ),
  'schema-invalid': schemaRefusal(422, 42205, 'send a valid schema (Avro JSON, JSON Schema with "$schema", or a .proto file)'),
  'key-schema-missing': schemaRefusal(422, 42201, "send key_schema or key_schema_id with the keys (v3: the key's schema fields)"),
  'value-schema-missing': schemaRefusal(422, 42202, "send value_schema or value_schema_id with the values (v3: the value's schema fields)"),
  // Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): 409 and 422 as the draft says
  'idempotency-in-progress': {
    status: 409,
    code: 'SF_IDEMPOTENCY_IN_PROGRESS',
    outcome: 'not_written',
    retriable: true,
    retryAfterS: 1,
    kafkaRestCode: 40901,
    kafkaRestEntryCode: 50003,
    rank: 3,
    hint: 'nothing was written by this request; the first request with this key is still being served: retry after the Retry-After delay to get its answer',
  },
  'idempotency-key-reused': {
    status: 422,
    code: 'SF_IDEMPOTENCY_KEY_REUSED',
    outcome: 'not_written',
    retriable: false,
    kafkaRestCode: 42209,
    kafkaRestEntryCode: 50002,
    rank: 2,
    hint: 'nothing was written; a key stands for one request: send a new key for a new request, or the same request again',
  },
  'idempotency-unavailable': {
    ...unavailable,
    code: 'SF_IDEMPOTENCY_UNAVAILABLE',
    retryAfterS: 1,
    hint: 'nothing was written; the idempotency topics cannot be read or written now: retry with the same key after the Retry-After delay',
  },
  'schema-mismatch': schemaRefusal(422, 42203, 'nothing was written; send data that matches the schema (Avro: unions as {"type": value})'),
};

/** An answer to an HTTP request that went wrong: its status, and headers such as Retry-After. */
export class HttpError extends StreamforgeError {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly details: unknown;
  /** for a failed produce: whether the message is certainly not in Kafka, or may be */
  readonly outcome: ProduceOutcome | undefined;
  /** the Confluent REST Proxy's error_code where it is finer than the status (40401, 40402...) */
  readonly kafkaRestCode: number | undefined;
  /** the kind of failed write this answers, whose row in failureMeanings it was built from */
  readonly kind: KafkaErrorKind | undefined;

  constructor(
    statusCode: number,
    code: ErrorCode,
    message: string,
    hint: string,
    opts: {
      headers?: Record<string, string>;
      details?: unknown;
      outcome?: ProduceOutcome;
      kafkaRestCode?: number;
      kind?: KafkaErrorKind;
    } = {},
  ) {
    super(code, message, hint);
    this.statusCode = statusCode;
    this.headers = opts.headers ?? {};
    this.details = opts.details;
    this.outcome = opts.outcome;
    this.kafkaRestCode = opts.kafkaRestCode;
    this.kind = opts.kind;
  }

  /** The answer to a failed write of this kind, from its row in failureMeanings; `hint` where the row's is too general. */
  static of(kind: KafkaErrorKind, message: string, hint?: string): HttpError {
    const m = failureMeanings[kind];
    return new HttpError(m.status, m.code, message, hint ?? m.hint, {
      headers: m.retryAfterS === undefined ? {} : { 'retry-after': String(m.retryAfterS) },
      outcome: m.outcome,
      kafkaRestCode: m.kafkaRestCode,
      kind,
    });
  }

  /** This answer's row, when it answers a failed write. */
  get meaning(): FailureMeaning | undefined {
    return this.kind === undefined ? undefined : failureMeanings[this.kind];
  }
}

/** One line for a terminal or a log: what, why, and what to do. */
export function describeError(err: unknown): { code: string; message: string; hint?: string } {
  if (err instanceof StreamforgeError) {
    return { code: err.code, message: err.message, hint: err.hint };
  }
  if (err instanceof Error) return { code: 'SF_INTERNAL', message: err.message };
  return { code: 'SF_INTERNAL', message: String(err) };
}
