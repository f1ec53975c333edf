/**
 * The v2 produce routes of the Confluent REST Proxy and the Strimzi Kafka Bridge:
 * POST /topics/{topic} and /topics/{topic}/partitions/{partition}, so that their clients
 * switch by changing the URL. Answered in Confluent's dialect, which is a superset of the
 * Bridge's (docs/gateways.md), with what those gateways lack: an unknown topic or partition
 * is a 404 at once, not after a 60 s wait; every offset is Kafka's own after acks=all; and a
 * request of which nothing was written is a 503 with Retry-After (504 when the outcome is
 * unknown; the record's own 4xx when the broker refused it), not a 200 with errors inside. When
 * some records were delivered, the answer is 200 with an entry per record.
 */
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { OutgoingMessage } from '../../kafka/producer.js';
import type { KafkaV2ProduceRequest } from '../../protocol/types.js';
import { describeSchemaErrors, inspectedValidators } from '../../protocol/validators.js';
import {
  KAFKA_V2_JSON,
  kafkaRestMessage,
  v2Content,
  unprocessable,
  unsupportedMediaType,
  v2EntryCode,
  mostTelling,
} from '../errors/kafka-rest-errors.js';
import { checkedTopicFor, knownTopicFor, NONE, partitionProblems, partitionsKnown, pathPartition } from '../publish/topic-check.js';
import { scannedV2Records, schemaTypedV2Records, v2Records, type V2Format } from '../gateway/v2-records.js';
import { v2SchemaBytes } from '../gateway/schema-records.js';
import type { SchemaType } from '../../schema/registry-client.js';
import { scanV2Json, ScannedV2Body } from '../gateway/v2-scan.js';
import { errorResponses, produceErrorStatuses } from '../errors/documented-responses.js';
import { parseJsonBytes, scanOrParseJson } from '../body/json-body.js';
import { publish, publishMany } from '../publish/publish.js';
import { ref } from '../schema-refs.js';
import { servicesForRequest } from '../request-span.js';
import { servicesFor, type RouteServices } from '../services.js';

const formats: Record<string, V2Format> = {
  'application/vnd.kafka.json.v2+json': 'json',
  'application/vnd.kafka.binary.v2+json': 'binary',
  'application/vnd.kafka.text.v2+json': 'text',
};

/** Served when --schema-registry-url is set (else 415, naming the setting). */
const schemaFormats: Record<string, SchemaType> = {
  'application/vnd.kafka.avro.v2+json': 'AVRO',
  'application/vnd.kafka.jsonschema.v2+json': 'JSON',
  'application/vnd.kafka.protobuf.v2+json': 'PROTOBUF',
};

// looked up once per spelling, as formatOf below: every request asks
const schemaTypeByHeader = new Map<string, SchemaType | null>();
const schemaTypeOf = (contentType: string | undefined): SchemaType | undefined => {
  const header = contentType ?? '';
  let type = schemaTypeByHeader.get(header);
  if (type === undefined) {
    type = schemaFormats[header.split(';')[0]?.trim().toLowerCase() ?? ''] ?? null;
    if (schemaTypeByHeader.size < 100) schemaTypeByHeader.set(header, type);
  }
  return type ?? undefined;
};

// clients send one spelling of the header each: its format is looked up once
const formatByHeader = new Map<string, V2Format>();
const formatOf = (contentType: string | undefined): V2Format => {
  const header = contentType ?? '';
  let format = formatByHeader.get(header);
  if (format === undefined) {
    format = formats[header.split(';')[0]?.trim().toLowerCase() ?? ''] ?? 'json';
    if (formatByHeader.size < 100) formatByHeader.set(header, format);
  }
  return format;
};

const errors = errorResponses('kafka-rest-v2', produceErrorStatuses);

/** `?async=true`: the Bridge's fire-and-forget (204, nothing waited for). */
export function asyncFlag(query: unknown): boolean {
  const value = (query as { async?: unknown } | undefined)?.async;
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  throw new HttpError(400, 'SF_HTTP_VALIDATION', `async=${String(value)} is not true or false`, 'use ?async=true or leave it out');
}

function validated(body: unknown, limit: number, schemaTyped: boolean): KafkaV2ProduceRequest | ScannedV2Body {
  // read from its bytes: the scanner took only what the schema allows
  if (body instanceof ScannedV2Body) return body;
  const records = (body as { records?: unknown } | null)?.records;
  // before the schema: validating 87,000 records only to refuse them held the loop for seconds
  if (Array.isArray(records) && records.length > limit) {
    throw new HttpError(
      413,
      'SF_HTTP_TOO_LARGE',
      `the request has ${records.length} records, more than --batch-limit ${limit}`,
      'split it into requests of at most that many records',
    );
  }
  const validate = schemaTyped ? inspectedValidators().v2SchemaProduce : inspectedValidators().v2Produce;
  if (validate(body)) return body;
  const errs = validate.errors ?? [];
  // as the REST Proxy: no records at all is a 422; any other mismatch a 400
  const noRecords =
    typeof body !== 'object' ||
    body === null ||
    !Array.isArray((body as { records?: unknown }).records) ||
    (body as { records: unknown[] }).records.length === 0;
  const message = `the request does not match the schema: ${describeSchemaErrors(errs).replaceAll('message ', 'body ')}`;
  if (noRecords) throw unprocessable(message, 'send {"records": [{"value": ...}]} with at least one record');
  throw new HttpError(400, 'SF_HTTP_VALIDATION', message, 'see /docs, "kafka-rest v2"');
}

interface Entry {
  partition: number | null;
  offset: number | null;
  error_code: number | null;
  error: string | null;
  message?: string;
}

// Confluent's failed entry, with the Bridge's `message` beside Confluent's `error`: a Bridge
// client reads the one, a REST Proxy client the other
const failedEntry = (err: HttpError): Entry => {
  const text = kafkaRestMessage(err);
  return { partition: null, offset: null, error_code: v2EntryCode(err), error: text, message: text };
};

function countAsyncFailures(s: RouteServices, topic: string, outcomes: ReadonlyArray<unknown>): void {
  let notWritten = 0;
  let unknown = 0;
  for (const o of outcomes) {
    if (!(o instanceof HttpError)) continue;
    if (o.outcome === 'unknown') unknown++;
    else notWritten++;
  }
  if (notWritten > 0) s.metrics.asyncFailed(topic, 'not_written', notWritten);
  if (unknown > 0) s.metrics.asyncFailed(topic, 'unknown', unknown);
}

async function produceV2(s: RouteServices, req: FastifyRequest, reply: FastifyReply, partitionText: string | undefined) {
  reply.type(KAFKA_V2_JSON);
  const { topic } = req.params as { topic: string };
  const partition = partitionText === undefined ? undefined : pathPartition(partitionText);
  const fireAndForget = asyncFlag(req.query);
  const schemaType = schemaTypeOf(req.headers['content-type']);
  const body = validated(req.body, s.batchLimit, schemaType !== undefined);
  const records = body.records.length;
  const info = knownTopicFor(s, topic, partition, records) ?? (await checkedTopicFor(s, topic, partition, records));
  let schemaIds: { key_schema_id: number | null; value_schema_id: number | null } = { key_schema_id: null, value_schema_id: null };
  let messages: OutgoingMessage[];
  if (body instanceof ScannedV2Body) messages = scannedV2Records(topic, partition, body);
  else if (schemaType !== undefined && s.schemas) {
    const typed = await v2SchemaBytes(s.schemas, topic, schemaType, body).catch((err: unknown) => {
      // refused whole: each record is one more not written, under the refusal's code
      if (err instanceof HttpError) s.metrics.failed(s.route, topic, err.code, records);
      throw err;
    });
    schemaIds = { key_schema_id: typed.keySchemaId, value_schema_id: typed.valueSchemaId };
    messages = schemaTypedV2Records(topic, partition, body, typed);
  } else messages = v2Records(topic, partition, formatOf(req.headers['content-type']), body);
  if (messages.length > 1) s.metrics.batch(messages.length);
  const partitions = messages.map((m) => m.partition);
  const problems = partitionsKnown(info, partitions) ? NONE : await partitionProblems(s, info, partitions);
  const sendable: OutgoingMessage[] = [];
  const slots: number[] = [];
  const entries: Entry[] = new Array(messages.length);
  messages.forEach((m, i) => {
    const problem = problems[i];
    if (problem) {
      s.metrics.failed(s.route, topic, problem.code);
      entries[i] = failedEntry(problem);
    } else {
      sendable.push(m);
      slots.push(i);
    }
  });
  if (fireAndForget) {
    // publishMany takes the admission budget before it returns (429 when full, answered here);
    // the outcome is counted and logged by it, and what failed also as an async failure, since
    // no client will hear of it
    const sending = publishMany(s, sendable, 'async');
    void sending.then(
      (outcomes) => countAsyncFailures(s, topic, outcomes),
      (err: unknown) => s.logger.error('async produce failed', { error: String(err) }),
    );
    return reply.code(204).send();
  }
  // one record (the common request) through the single-message path, as /produce
  const outcomes =
    sendable.length === 1
      ? [await publish(s, sendable[0] as OutgoingMessage).catch((err: HttpError) => err)]
      : await publishMany(s, sendable);
  const failures: HttpError[] = problems.filter((p): p is HttpError => p !== undefined);
  outcomes.forEach((outcome, i) => {
    const index = slots[i] as number;
    if (outcome instanceof HttpError) {
      failures.push(outcome);
      entries[index] = failedEntry(outcome);
    } else {
      entries[index] = { partition: outcome.partition, offset: outcome.offset, error_code: null, error: null };
    }
  });
  // Nothing delivered: the status says so (a client that reads only the status must not take
  // it for a success, the REST Proxy's 200 that its users complain of), with the failure that
  // tells most (FailureMeaning.rank: an unknown outcome first, as a retry may duplicate it).
  if (failures.length === messages.length) throw mostTelling(failures);
  return { offsets: entries, ...schemaIds };
}

const produceSchema = (summary: string, withPartition: boolean) => ({
  summary,
  description:
    'The Confluent REST Proxy v2 and Strimzi Kafka Bridge produce API. At most --batch-limit records (413 above it). Content-Type application/vnd.kafka.json.v2+json (key and value any JSON), ...binary.v2+json (base64) or ...text.v2+json (strings); with --schema-registry-url also ...avro.v2+json, ...jsonschema.v2+json and ...protobuf.v2+json (key_schema/value_schema or their ids; 415 without a registry). 200: one entry per record in request order, with the partition and offset Kafka assigned after acks=all, or error_code 50003 (retriable) / 50002 and the reason. 404 with 40401/40402 at once for an unknown topic or partition. 429 with Retry-After and 42901 when the server, or librdkafka\'s own queue, holds as many records not yet acknowledged as it takes (nothing written; async=true too). 503 (nothing written, Retry-After) or 504 (outcome unknown) when no record was delivered because of Kafka. ?async=true answers 204 without waiting. Errors are {"error_code", "message"}.',
  tags: ['kafka-rest v2'],
  params: {
    type: 'object',
    required: withPartition ? ['topic', 'partition'] : ['topic'],
    properties: {
      topic: { type: 'string' },
      ...(withPartition ? { partition: { type: 'integer', minimum: 0, maximum: 2147483647 } } : {}),
    },
  },
  querystring: {
    type: 'object',
    properties: {
      // as served: `?async` alone (an empty value) means true, as the flag it reads like
      async: {
        type: 'string',
        enum: ['true', 'false', ''],
        description: 'answer 204 at once, without waiting for Kafka (`?async` alone: true)',
      },
    },
  },
  body: {
    content: {
      'application/vnd.kafka.json.v2+json': { schema: ref('kafka-v2-produce-request') },
      'application/vnd.kafka.binary.v2+json': { schema: ref('kafka-v2-binary-request') },
      'application/vnd.kafka.text.v2+json': { schema: ref('kafka-v2-text-request') },
      'application/vnd.kafka.avro.v2+json': { schema: ref('kafka-v2-schema-request') },
      'application/vnd.kafka.jsonschema.v2+json': { schema: ref('kafka-v2-schema-request') },
      'application/vnd.kafka.protobuf.v2+json': { schema: ref('kafka-v2-schema-request') },
    },
  },
  response: {
    200: v2Content(ref('kafka-v2-produce-response'), 'one entry per record, in request order'),
    204: { type: 'null', description: 'async=true: accepted, not waited for' },
    ...errors,
  },
});

/**
 * The vendor media types are JSON underneath: json-body.ts parses them, as it does every body;
 * the json format's usual body is read from its bytes instead (v2-scan.ts).
 */
function registerParsers(app: Parameters<FastifyPluginCallback>[0], batchLimit: number, schemaTyped: boolean): void {
  const scan = (bytes: Buffer) => scanV2Json(bytes, batchLimit);
  for (const type of [...Object.keys(formats), ...(schemaTyped ? Object.keys(schemaFormats) : [])]) {
    const json = formats[type] === 'json';
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => {
      const result = json ? scanOrParseJson(body as Buffer, scan) : parseJsonBytes(body as Buffer);
      if ('error' in result) return done(result.error, undefined);
      done(null, result.value);
    });
  }
}

// the documented schemas describe the routes; the handler validates (the statuses are the dialect's)
const noValidation = () => () => true;

const kafkaRestV2Routes: FastifyPluginCallback = (app, _opts, done) => {
  const s = servicesFor(app.services, 'kafka-rest-v2');
  registerParsers(app, s.batchLimit, s.schemas !== undefined);
  // application/json stays JSON-parsed, and is refused here with the dialect's 415
  // (before the body is read: a synchronous hook, as it runs on every request)
  app.addHook('onRequest', (req, _reply, next) => {
    const type = req.headers['content-type'];
    if (req.method === 'POST' && !(type ?? '').toLowerCase().startsWith('application/vnd.kafka.')) {
      return next(unsupportedMediaType(type, 'kafka-rest-v2'));
    }
    next();
  });
  const config = { errorFormat: 'kafka-rest-v2' as const };
  app.post(
    '/topics/:topic',
    { config, schema: produceSchema('produce records to a topic (REST Proxy v2, Strimzi Bridge)', false), validatorCompiler: noValidation },
    async (req, reply) => produceV2(servicesForRequest(s, req), req, reply, undefined),
  );
  app.post(
    '/topics/:topic/partitions/:partition',
    {
      config,
      schema: produceSchema('produce records to one partition (REST Proxy v2, Strimzi Bridge)', true),
      validatorCompiler: noValidation,
    },
    async (req, reply) => produceV2(servicesForRequest(s, req), req, reply, (req.params as { partition: string }).partition),
  );
  done();
};

export default kafkaRestV2Routes;
