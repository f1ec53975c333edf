import type { FastifyPluginCallback } from 'fastify';
import { HttpError } from '../../errors.js';
import type { ProduceRequest } from '../../protocol/types.js';
import { describeSchemaErrors, inspectedValidators } from '../../protocol/validators.js';
import { errorResponses, produceErrorStatuses } from '../errors/documented-responses.js';
import { ref } from '../schema-refs.js';
import { enrichment, messageValue, type Enrichment } from '../publish/message-value.js';
import { checkedTopic, checkedTopicFor, knownTopic, knownTopicFor } from '../publish/topic-check.js';
import { isoTimestamp, publish, publishMany } from '../publish/publish.js';
import { servicesForRequest } from '../request-span.js';
import { servicesFor, type RouteServices } from '../services.js';
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import { scanOrParseJson } from '../body/json-body.js';
import { scannedValue, scanProduce, scanProduceBatch, ScannedItems, ScannedProduce, type ScannedItem } from '../publish/produce-scan.js';

const errors = errorResponses('streamforge', produceErrorStatuses);

// This and placedItem build their objects field by field, not by spreading: they run per item
// of every batch.
/** A request item as the Kafka record it becomes (its topic checked already). */
function toOutgoing(item: ProduceRequest, added: Enrichment | undefined): OutgoingMessage {
  return {
    topic: item.topic,
    key: item.key ?? null,
    value: messageValue(item.message, added),
    partition: item.partition,
    headers: item.headers ? Object.entries(item.headers).map(([k, v]) => ({ [k]: v })) : undefined,
  };
}

/** The same for an item read from its bytes (produce-scan.ts). */
const scannedOutgoing = (item: ScannedItem, added: Enrichment | undefined): OutgoingMessage => ({
  topic: item.topic,
  key: item.key,
  value: scannedValue(item.message, added),
  partition: item.partition,
  headers: undefined,
});

const placed = (d: Delivery, now: Date) => ({ topic: d.topic, partition: d.partition, offset: d.offset, timestamp: isoTimestamp(d, now) });
const placedItem = (index: number, d: Delivery, now: Date) => ({
  index,
  success: true,
  status: 200,
  topic: d.topic,
  partition: d.partition,
  offset: d.offset,
  timestamp: isoTimestamp(d, now),
});
const failed = (index: number, e: HttpError) => ({
  index,
  success: false,
  status: e.statusCode,
  ...(e.outcome === undefined ? {} : { outcome: e.outcome }),
  error: { code: e.code, message: e.message, hint: e.hint },
});

type Item = ProduceRequest | ScannedItem;

/** /produce's validator: a body read from its bytes passes as it is (the scanner took only what the schema allows). */
function scannedOr(validate: ReturnType<typeof inspectedValidators>['produceRequest']) {
  const check = (body: unknown): boolean => {
    if (body instanceof ScannedProduce) return true;
    const ok = validate(body);
    check.errors = validate.errors;
    return ok;
  };
  check.errors = validate.errors;
  return check;
}

const topicKey = (item: Item) => (item.partition === undefined ? item.topic : `${item.topic}\u0000${item.partition}`);

/**
 * Each distinct topic (and partition) of a batch checked once, all at once: the allowlist, then
 * the catalog. An unknown topic fails its own items (404) and delays no other item.
 */
async function topicChecks(opts: RouteServices, items: ReadonlyArray<Item | undefined>): Promise<Map<string, HttpError>> {
  const distinct = new Map<string, Item>();
  for (const item of items) if (item) distinct.set(topicKey(item), item);
  const problems = new Map<string, HttpError>();
  // the usual batch: its topics known to the catalog, no promise at all
  const unknown = [...distinct].filter(([key, item]) => {
    try {
      return !knownTopic(opts, item.topic, item.partition);
    } catch (err) {
      problems.set(key, err as HttpError);
      return false;
    }
  });
  if (unknown.length === 0) return problems;
  await Promise.all(
    unknown.map(async ([key, item]) => {
      try {
        await checkedTopic(opts, item.topic, item.partition);
      } catch (err) {
        problems.set(key, err as HttpError);
      }
    }),
  );
  return problems;
}

/**
 * A batch: every item validated and its topic checked first, then all the good ones handed to
 * Kafka at once; one result per item, in request order, and one bad item sinks no other.
 */
async function produceBatch(opts: RouteServices, items: readonly unknown[]) {
  opts.metrics.batch(items.length);
  const validate = inspectedValidators().produceRequest;
  const now = opts.now();
  const added = opts.enrich ? enrichment(opts.info.name, now) : undefined;
  const results: Array<Record<string, unknown> & { success: boolean }> = new Array(items.length);
  const outgoing: OutgoingMessage[] = [];
  const slots: number[] = [];
  // read from its bytes: every item satisfies the schema already
  const scanned = items instanceof ScannedItems;
  const valid: Array<Item | undefined> = scanned ? items : new Array(items.length);
  if (!scanned) validateItems(opts, validate, items, valid, results);
  const topicProblems = await topicChecks(opts, valid);
  valid.forEach((item, index) => {
    if (!item) return;
    const problem = topicProblems.get(topicKey(item));
    if (problem) {
      opts.metrics.failed(opts.route, item.topic, problem.code);
      results[index] = failed(index, problem);
      return;
    }
    outgoing.push(scanned ? scannedOutgoing(item as ScannedItem, added) : toOutgoing(item as ProduceRequest, added));
    slots.push(index);
  });
  const outcomes = await publishMany(opts, outgoing);
  outcomes.forEach((outcome, i) => {
    const index = slots[i] as number;
    results[index] = outcome instanceof HttpError ? failed(index, outcome) : placedItem(index, outcome, now);
  });
  const failures = results.filter((r) => !r.success).length;
  return { success: failures === 0, messages_sent: results.length - failures, messages_failed: failures, results };
}

/** A parsed batch's items through the schema: the valid ones into `valid`, a 400 result for each other. */
function validateItems(
  opts: RouteServices,
  validate: ReturnType<typeof inspectedValidators>['produceRequest'],
  items: readonly unknown[],
  valid: Array<Item | undefined>,
  results: Array<Record<string, unknown> & { success: boolean }>,
): void {
  items.forEach((item, index) => {
    if (validate(item)) {
      valid[index] = item;
      return;
    }
    const topic = typeof (item as { topic?: unknown })?.topic === 'string' ? (item as { topic: string }).topic : 'invalid';
    opts.metrics.failed(opts.route, topic, 'SF_HTTP_VALIDATION');
    results[index] = failed(
      index,
      new HttpError(400, 'SF_HTTP_VALIDATION', `item ${index}: ${describeSchemaErrors(validate.errors)}`, 'see /docs'),
    );
  });
}

/** POST /produce and /produce/batch: JSON in, Kafka records out, answered with real offsets. */
const produceRoutes: FastifyPluginCallback = (app, _opts, done) => {
  const opts = servicesFor(app.services, 'produce');
  // these routes read their usual bodies from the bytes (produce-scan.ts); any other body is
  // parsed as every JSON body is (plugins/json-bodies.ts)
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, parsed) => {
    const batch = req.routeOptions.url === '/produce/batch';
    const result = scanOrParseJson(body as Buffer, (bytes) => (batch ? scanProduceBatch(bytes, opts.batchLimit) : scanProduce(bytes)));
    if ('error' in result) return parsed(result.error, undefined);
    parsed(null, result.value);
  });
  app.post(
    '/produce',
    {
      schema: {
        summary: 'produce one message; answers once Kafka has acknowledged it',
        description:
          "429 with Retry-After when the server, or librdkafka's own queue, holds as many records not yet acknowledged as it takes (--max-pending-records, --max-pending-bytes); 503 with Retry-After when Kafka is unavailable (within --produce-timeout); 413 when the body or the broker finds the message too large.",
        tags: ['produce'],
        body: ref('produce-request'),
        response: { 200: ref('produce-response'), ...errors },
      },
      // the schema above is the documented one; the body passed json-body's inspection already,
      // or was read from its bytes (produce-scan.ts), which satisfies it
      validatorCompiler: () => scannedOr(inspectedValidators().produceRequest),
    },
    async (req) => {
      const s = servicesForRequest(opts, req);
      const now = opts.now();
      const added = opts.enrich ? enrichment(opts.info.name, now) : undefined;
      const scanned = req.body instanceof ScannedProduce ? req.body.item : undefined;
      const item = scanned ?? (req.body as ProduceRequest);
      // the allowlist, then the topic catalog: an unknown topic or partition is a 404 at once,
      // where librdkafka would hold the message until its metadata wait ran out (1.7-5.3 s)
      if (!knownTopicFor(opts, item.topic, item.partition, 1)) await checkedTopicFor(opts, item.topic, item.partition, 1);
      const delivery = await publish(s, scanned ? scannedOutgoing(scanned, added) : toOutgoing(item as ProduceRequest, added));
      return { success: true, message: 'Message delivered', ...placed(delivery, now) };
    },
  );

  app.post(
    '/produce/batch',
    {
      schema: {
        summary: 'produce many messages; one result per item, in request order',
        description:
          '200 when every item was acknowledged; 207 when at least one item failed (each result has its own status and error, and one bad item does not sink the others); 400 for an empty array; 413 over --batch-limit items or --body-limit bytes.',
        tags: ['produce'],
        // maxItems is answered 413 (app.ts), as a body over --body-limit is
        body: { type: 'array', minItems: 1, maxItems: opts.batchLimit, items: {}, description: 'items as for POST /produce' },
        response: { 200: ref('batch-response'), 207: ref('batch-response'), ...errors },
      },
    },
    async (req, reply) => {
      const answer = await produceBatch(servicesForRequest(opts, req), req.body as unknown[]);
      reply.code(answer.messages_failed === 0 ? 200 : 207);
      return answer;
    },
  );
  done();
};

export default produceRoutes;
