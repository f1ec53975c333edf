/**
 * The Confluent REST Proxy v3 produce API: POST /v3/clusters/{cluster_id}/topics/{topic}/records
 * (one record, or a stream of them in one body, each reported as Kafka acknowledges it) and
 * .../records:batch (207, successes and failures). Any cluster id is taken in the path, as a
 * self-managed REST Proxy does (--strict-cluster-id: only the cluster's own, GET /v3/clusters).
 * Where the REST Proxy answers 200 with the error inside (its users' first complaint), a body of
 * one record gets that record's own status: 404 for an unknown topic,
 * 400 for bad data, 503 with Retry-After when nothing was written, 504 when the outcome is
 * unknown. A stream is answered 200 once its first report is ready, and then report by report.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../errors.js';
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import type { TopicInfo } from '../../kafka/topics.js';
import type { KafkaV3Record } from '../../protocol/types.js';
import { describeSchemaErrors, inspectedValidators } from '../../protocol/validators.js';
import { JsonObjectSplitter } from '../body/json-object-stream.js';
import { kafkaRestBody, kafkaRestCode, kafkaRestMessage, unprocessable } from '../errors/kafka-rest-errors.js';
import { checkedTopicFor, producingCluster, knownTopicFor, partitionProblems, partitionsKnown } from '../publish/topic-check.js';
import { dataProblem, registryProblem, v3Record, v3Report, type V3Prepared } from '../gateway/v3-records.js';
import { v3SchemaParts } from '../gateway/schema-records.js';
import { endOnReadTimeout, readTimeout } from '../errors/client-errors.js';
import { RecordStream, type Outcome } from '../gateway/v3-record-stream.js';
import { notUtf8, parseJsonBody } from '../body/json-body.js';
import { errorResponses, produceErrorStatuses } from '../errors/documented-responses.js';
import { produceFailure } from '../errors/failure-answer.js';
import { isoTimestamp, publish, publishMany } from '../publish/publish.js';
import { ref } from '../schema-refs.js';
import { servicesForRequest } from '../request-span.js';
import { servicesFor, type RouteServices } from '../services.js';
import { invalidUtf8Offset } from '../body/utf8.js';

const config = { errorFormat: 'kafka-rest-v3' as const };
const errors = errorResponses('kafka-rest-v3', produceErrorStatuses);

const params = {
  type: 'object',
  required: ['cluster_id', 'topic'],
  properties: { cluster_id: { type: 'string' }, topic: { type: 'string' } },
};

/** One record's answer: the report and the HTTP status it would have alone. */

const failure = (err: HttpError): Outcome => ({ status: err.statusCode, body: kafkaRestBody(err), headers: err.headers });

function prepared(s: RouteServices, topic: string, text: string): V3Prepared | Promise<V3Prepared> {
  const parsed = parseJsonBody(text);
  if ('error' in parsed) throw parsed.error;
  const problem = (s.schemas ? undefined : registryProblem(parsed.value)) ?? dataProblem(parsed.value);
  if (problem) throw problem;
  const validate = inspectedValidators().v3Record;
  if (!validate(parsed.value)) {
    throw new HttpError(
      400,
      'SF_HTTP_VALIDATION',
      `the record does not match the schema: ${describeSchemaErrors(validate.errors).replaceAll('message ', 'record ')}`,
      'see /docs, "kafka-rest v3"',
    );
  }
  return withSchemas(s, topic, parsed.value as KafkaV3Record, '');
}

/** The record, its schema-typed key and value written first (asynchronously: the registry may be asked). */
function withSchemas(s: RouteServices, topic: string, record: KafkaV3Record, where: string): V3Prepared | Promise<V3Prepared> {
  const typed = s.schemas && v3SchemaParts(s.schemas, topic, record, where);
  return typed ? typed.then((t) => v3Record(topic, record, where, t)) : v3Record(topic, record, where);
}

/** A record that does not match the schema is one more record not written. */
async function preparedOrCounted(s: RouteServices, topic: string, text: string): Promise<V3Prepared> {
  try {
    return await prepared(s, topic, text);
  } catch (err) {
    if (err instanceof HttpError) s.metrics.failed(s.route, topic, err.code);
    throw err;
  }
}

/** Validated, checked against metadata, sent, and reported; never rejects. */
async function produceOne(s: RouteServices, clusterId: string, topic: TopicInfo, text: string): Promise<Outcome> {
  try {
    const p = await preparedOrCounted(s, topic.name, text);
    if (!partitionsKnown(topic, [p.message.partition])) {
      const [problem] = await partitionProblems(s, topic, [p.message.partition]);
      if (problem) {
        s.metrics.failed(s.route, topic.name, problem.code);
        throw problem;
      }
    }
    const now = s.now();
    const delivery = await publish(s, p.message);
    return { status: 200, body: v3Report(clusterId, p, delivery, isoTimestamp(delivery, now)) };
  } catch (err) {
    return failure(err instanceof HttpError ? err : produceFailure(err));
  }
}

const EMPTY_BODY = 'Payload error. Request body is empty. Data is required.';
const EMPTY_HINT = 'send one record object, or several one after another';

/** A body with a Content-Length, whole (at most --body-limit), as text. */
function wholeBody(body: Readable, length: number, limit: number): Promise<string> {
  if (length > limit) {
    body.resume();
    throw new HttpError(
      413,
      'SF_HTTP_TOO_LARGE',
      'the request body is larger than --body-limit',
      'send less per request, stream it (Transfer-Encoding: chunked), or raise --body-limit',
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => {
      const bytes = Buffer.concat(chunks);
      const bad = invalidUtf8Offset(bytes);
      if (bad >= 0) reject(notUtf8(bad, bytes[bad]));
      else resolve(bytes.toString('utf8'));
    });
    body.once('error', reject);
  });
}

/**
 * A body with a Content-Length: read whole, then its records sent together. One record is
 * answered with its report and its own status; several with 200 and a report per line, in
 * record order (a body that stops being records ends with that error's report).
 */
async function produceWhole(
  s: RouteServices,
  reply: FastifyReply,
  clusterId: string,
  topic: TopicInfo,
  text: string,
  maxRecordChars: number,
) {
  const splitter = new JsonObjectSplitter(maxRecordChars);
  const records: string[] = [];
  let ending: HttpError | undefined;
  try {
    splitter.push(text, (record) => records.push(record));
    splitter.end();
  } catch (err) {
    // nothing before it: the error is the whole answer
    if (records.length === 0) throw err;
    ending = err as HttpError;
  }
  // counted before any is sent: a body is all or nothing as to its size
  if (records.length > s.batchLimit) {
    throw new HttpError(
      413,
      'SF_HTTP_TOO_LARGE',
      `the body has ${records.length} records, more than --batch-limit ${s.batchLimit}`,
      'send at most that many records per request, or stream them (Transfer-Encoding: chunked)',
    );
  }
  const outcomes: Array<Promise<Outcome>> = records.map((record) => produceOne(s, clusterId, topic, record));
  if (ending) outcomes.push(Promise.resolve(failure(ending)));
  if (outcomes.length === 0) throw unprocessable(EMPTY_BODY, EMPTY_HINT);
  if (outcomes.length === 1) {
    const only = await (outcomes[0] as Promise<Outcome>);
    return reply
      .code(only.status)
      .headers(only.headers ?? {})
      .send(only.body);
  }
  const all = await Promise.all(outcomes);
  return reply
    .code(200)
    .type('application/json')
    .send(all.map((o) => JSON.stringify(o.body)).join('\n') + '\n');
}

/**
 * A chunked body, which may stay open as long as its client sends: each record is sent as soon
 * as it is whole, and reported (one JSON object per line, in record order) as Kafka
 * acknowledges it, so a client may wait for a report before sending the next record. The
 * answer starts with the first report: 200, unless the body has ended by then with one record,
 * which gets its own status. A body that stops being JSON objects ends the stream with its error.
 */
async function produceStream(
  s: RouteServices,
  reply: FastifyReply,
  clusterId: string,
  topic: TopicInfo,
  body: Readable,
  maxRecordChars: number,
) {
  const stream = new RecordStream(body, {
    maxRecordChars,
    batchLimit: s.batchLimit,
    produce: (record) => produceOne(s, clusterId, topic, record),
    failed: failure,
    logger: s.logger,
    topic: topic.name,
  });
  const first = await stream.nth(0);
  if (!first) {
    await stream.reading;
    throw unprocessable(EMPTY_BODY, EMPTY_HINT);
  }
  if (stream.bodyEnded && stream.count === 1) {
    return reply
      .code(first.status)
      .headers(first.headers ?? {})
      .send(first.body);
  }
  const out = new PassThrough();
  // a stream that outlives --read-timeout ends with a last report that says so, well formed
  const undo = endOnReadTimeout(reply.raw, () => stream.cutOff((before) => readTimeout(s.readTimeoutMs, before)));
  void stream.reading.then(undo);
  void stream.writeReports(first, out);
  // a stream has no content type of its own: fastify would call it application/octet-stream
  return reply.code(200).type('application/json').send(out);
}

async function produceRecords(s: RouteServices, req: FastifyRequest, reply: FastifyReply, maxRecordChars: number) {
  const { cluster_id, topic: name } = req.params as { cluster_id: string; topic: string };
  const { clusterId } = await producingCluster(s, cluster_id);
  // refused before its body is read: counted as one record, the least it held
  const topic = knownTopicFor(s, name, undefined, 1) ?? (await checkedTopicFor(s, name, undefined, 1));
  // no body at all (and so no content type): fastify ran no parser
  const body = req.body as Readable | undefined;
  if (!body) throw unprocessable(EMPTY_BODY, EMPTY_HINT);
  const length = req.headers['content-length'];
  if (length === undefined) return produceStream(s, reply, clusterId, topic, body, maxRecordChars);
  const text = await wholeBody(body, Number(length), maxRecordChars);
  return produceWhole(s, reply, clusterId, topic, text, maxRecordChars);
}

/** The batch's envelope: {"entries": [...]} with an id on each; the entries themselves are checked one by one. */
function batchEntries(body: unknown, limit: number): ReadonlyArray<KafkaV3Record & { readonly id: string }> {
  const hint = 'send {"entries": [{"id": "1", "value": {"type": "JSON", "data": {...}}}]}';
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== 'entries')) {
    throw unprocessable('the batch must be an object with only "entries"', hint, 42208);
  }
  const entries = (body as { entries?: unknown }).entries;
  if (!Array.isArray(entries) || entries.length === 0) throw unprocessable('the batch has no entries', hint, 42208);
  if (entries.length > limit) {
    throw unprocessable(
      `the batch has ${entries.length} entries, more than --batch-limit ${limit}`,
      'split it into smaller batches',
      42208,
    );
  }
  const seen = new Set<string>();
  entries.forEach((e: unknown, i) => {
    const id = (e as { id?: unknown } | null)?.id;
    if (typeof e !== 'object' || e === null || typeof id !== 'string' || id.length < 1 || id.length > 80) {
      throw unprocessable(`entries[${i}] has no id of 1 to 80 characters`, hint, 42208);
    }
    if (seen.has(id)) throw unprocessable(`the batch has two entries with id ${JSON.stringify(id)}`, 'give each entry its own id', 42208);
    seen.add(id);
  });
  return entries as ReadonlyArray<KafkaV3Record & { readonly id: string }>;
}

/** An entry as a record: checked (422 for Schema Registry formats without one, 400 for the schema) and prepared. */
function batchRecord(
  s: RouteServices,
  topic: string,
  entry: KafkaV3Record & { readonly id: string },
  i: number,
): V3Prepared | Promise<V3Prepared> {
  const where = `entries[${i}].`;
  const problem = (s.schemas ? undefined : registryProblem(entry, where)) ?? dataProblem(entry, where);
  if (problem) throw problem;
  const record: Record<string, unknown> = { ...entry };
  delete record.id;
  const validate = inspectedValidators().v3Record;
  if (!validate(record)) {
    const why = describeSchemaErrors(validate.errors).replaceAll('message ', 'entry ');
    throw new HttpError(400, 'SF_HTTP_VALIDATION', `entries[${i}] does not match the schema: ${why}`, 'see /docs, "kafka-rest v3"');
  }
  return withSchemas(s, topic, record as KafkaV3Record, where);
}

async function produceBatch(s: RouteServices, req: FastifyRequest) {
  const { cluster_id, topic: name } = req.params as { cluster_id: string; topic: string };
  const entries = batchEntries(req.body, s.batchLimit);
  const { clusterId } = await producingCluster(s, cluster_id);
  const topic = await checkedTopicFor(s, name, undefined, entries.length);
  s.metrics.batch(entries.length);
  const now = s.now();
  const failures: Array<{ id: string; error_code: number; message: string }> = [];
  const ready: Array<{ id: string; prepared: V3Prepared }> = [];
  const settled = await Promise.allSettled(entries.map(async (entry, i) => batchRecord(s, topic.name, entry, i)));
  settled.forEach((result, i) => {
    const { id } = entries[i] as { id: string };
    if (result.status === 'fulfilled') {
      ready.push({ id, prepared: result.value });
      return;
    }
    // anything but an answer is a bug: the whole request fails with it (500, logged), not one entry
    if (!(result.reason instanceof HttpError)) throw result.reason;
    const err = result.reason;
    s.metrics.failed(s.route, topic.name, err.code);
    failures.push({ id, error_code: kafkaRestCode(err), message: kafkaRestMessage(err) });
  });
  const problems = await partitionProblems(
    s,
    topic,
    ready.map((r) => r.prepared.message.partition),
  );
  const sendable: Array<{ id: string; prepared: V3Prepared }> = [];
  ready.forEach((r, i) => {
    const problem = problems[i];
    if (problem) {
      s.metrics.failed(s.route, topic.name, problem.code);
      failures.push({ id: r.id, error_code: kafkaRestCode(problem), message: kafkaRestMessage(problem) });
    } else sendable.push(r);
  });
  const outcomes = await publishMany(
    s,
    sendable.map((r): OutgoingMessage => r.prepared.message),
  );
  const successes: Array<Record<string, unknown>> = [];
  outcomes.forEach((outcome, i) => {
    const { id, prepared } = sendable[i] as { id: string; prepared: V3Prepared };
    if (outcome instanceof HttpError) failures.push({ id, error_code: kafkaRestCode(outcome), message: kafkaRestMessage(outcome) });
    else successes.push({ id, ...v3Report(clusterId, prepared, outcome as Delivery, isoTimestamp(outcome as Delivery, now)) });
  });
  // in request order within each list
  const order = new Map(entries.map((e, i) => [e.id, i]));
  failures.sort((a, b) => (order.get(a.id) as number) - (order.get(b.id) as number));
  return { successes: successes.map(({ error_code: _code, ...rest }) => rest), failures };
}

const recordsSchema = {
  summary: 'produce records (REST Proxy v3): one record object, or several one after another (streamed)',
  description:
    'Content-Type application/json. key and value are {"type": "BINARY"|"JSON"|"STRING", "data": ...} or, with --schema-registry-url, {"type": "AVRO"|"JSONSCHEMA"|"PROTOBUF", "data": ..., "schema_id"|"schema"|"subject"|"schema_version"|"subject_name_strategy": ...}; headers [{"name", "value": base64}]. One record: answered with its report (error_code 200, partition_id, offset after acks=all) or with its own error status (400 bad data, 404/40401 unknown topic, 404/40402 unknown partition, 422 a record that does not match its schema (42203), a missing or invalid schema (42201, 42202, 42205) or Schema Registry formats without --schema-registry-url (42207), 409 an incompatible schema, 429/42901 a full queue, 503 nothing written, 504 outcome unknown). Several: 200, one report per line in record order as Kafka acknowledges them, errors inside.',
  tags: ['kafka-rest v3'],
  params,
  body: ref('kafka-v3-produce-record'),
  response: { 200: ref('kafka-v3-produce-report'), ...errors },
};

const batchSchema = {
  summary: 'produce a batch of records (REST Proxy v3 records:batch)',
  description:
    'Always 207 once every entry has its result: successes (partition_id, offset after acks=all) and failures (error_code, message), each by entry id. 422/42208 for an empty batch, duplicate ids, or more entries than --batch-limit.',
  tags: ['kafka-rest v3'],
  params,
  body: ref('kafka-v3-batch-request'),
  response: { 207: ref('kafka-v3-batch-response'), ...errors },
};

/** The batch schema with this server's --batch-limit, for the document. */
const batchSchemaFor = (limit: number) => ({
  ...batchSchema,
  description: `${batchSchema.description} This server takes at most ${limit} entries.`,
  body: { allOf: [ref('kafka-v3-batch-request')], properties: { entries: { type: 'array', maxItems: limit } } },
});

const noValidation = () => () => true;

/** The streamed route, in a context of its own: its application/json body is read as a stream. */
const streamedRecords: FastifyPluginCallback = (app, _opts, done) => {
  const s = servicesFor(app.services, 'kafka-rest-v3');
  const maxRecordChars = app.initialConfig.bodyLimit ?? 1024 * 1024;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (_req, payload, parsed) => parsed(null, payload));
  app.post(
    '/v3/clusters/:cluster_id/topics/:topic/records',
    { config, schema: recordsSchema, validatorCompiler: noValidation },
    async (req, reply) => produceRecords(servicesForRequest(s, req), req, reply, maxRecordChars),
  );
  done();
};

const kafkaRestV3Routes: FastifyPluginCallback = (app, _opts, done) => {
  const s = servicesFor(app.services, 'kafka-rest-v3');
  app.register(streamedRecords);
  // `::` is a literal colon in find-my-way's paths
  app.post(
    '/v3/clusters/:cluster_id/topics/:topic/records::batch',
    { config, schema: batchSchemaFor(s.batchLimit), validatorCompiler: noValidation },
    async (req, reply) => {
      const answer = await produceBatch(servicesForRequest(s, req), req);
      return reply.code(207).send(answer);
    },
  );
  done();
};

export default kafkaRestV3Routes;
