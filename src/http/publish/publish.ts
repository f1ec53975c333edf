/**
 * One way to publish from any route: allowlist, the admission budget, the key rule, metrics,
 * bounded failure logs and error mapping in one place.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { HttpError } from '../../errors.js';
import type { Delivery, OutgoingMessage } from '../../kafka/producer.js';
import type { Admitted, AdmissionRefusal } from './admission.js';
import { produceFailure } from '../errors/failure-answer.js';
import { isWellFormed } from '../body/utf8.js';
import type { ProducerServices, RouteServices } from '../services.js';

/** What publishing needs from the app's services. */
type PublishServices = Pick<RouteServices, 'publisher' | 'metrics' | 'failureLog' | 'admission' | 'route'>;

/** The longest key on every route, in bytes (the JSON Schema of /produce says the same in characters). */
export const MAX_KEY_BYTES = 65_536;

/**
 * Records handed to librdkafka in one go: a batch of 100,000 records took the event loop for
 * tens of milliseconds at a time, and /health with it. Between slices the loop serves others.
 */
export const PRODUCE_SLICE = 1000;

export function checkTopicAllowed(opts: Pick<ProducerServices, 'topicAllow'>, topic: string): void {
  // Kafka's own topics (__consumer_offsets, __transaction_state, __cluster_metadata): a record
  // there corrupts consumer groups or transactions, and the broker's answer ("does not exist")
  // would not say why
  if (topic.startsWith('__')) {
    throw HttpError.of(
      'forbidden',
      `topic ${topic} is one of Kafka's internal topics; serve-producer never writes to them`,
      'topics whose names start with __ belong to Kafka itself: use a topic of your own',
    );
  }
  if (opts.topicAllow && !opts.topicAllow.test(topic)) {
    throw HttpError.of(
      'forbidden',
      `topic ${topic} is not in this server's allowlist`,
      'use a topic that matches --topics / PRODUCER_TOPIC_ALLOW',
    );
  }
}

const byteLength = (v: Buffer | string | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** The bytes a record holds while it waits for Kafka: key, value and headers. */
export function heldBytes(msg: OutgoingMessage): number {
  let n = byteLength(msg.value) + byteLength(msg.key);
  if (msg.headers) for (const h of msg.headers) for (const k in h) n += k.length + byteLength(h[k]);
  return n;
}

/**
 * A record that cannot go as sent: a key longer than MAX_KEY_BYTES, or a text key or value
 * holding a lone surrogate (a JSON escape such as "\ud800"), which UTF-8 cannot encode: it would
 * reach Kafka as U+FFFD, and two different keys could become one.
 */
function recordProblem(msg: OutgoingMessage): HttpError | undefined {
  for (const [field, v] of [
    ['key', msg.key],
    ['value', msg.value],
  ] as const) {
    if (typeof v === 'string' && !isWellFormed(v)) {
      return new HttpError(
        400,
        'SF_HTTP_VALIDATION',
        `the ${field} holds a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair), which UTF-8 cannot encode`,
        'send text as whole characters; for bytes that are not text, use a binary format (base64)',
        { outcome: 'not_written' },
      );
    }
  }
  const bytes = byteLength(msg.key);
  if (bytes <= MAX_KEY_BYTES) return undefined;
  return new HttpError(
    400,
    'SF_HTTP_VALIDATION',
    `the key is ${bytes} bytes, more than ${MAX_KEY_BYTES}`,
    'a key is for partitioning and compaction: send a shorter one (a hash or an id) and put the rest in the value',
    { outcome: 'not_written' },
  );
}

/** The 429 of a full budget: nothing was written, and a retry soon may succeed. */
export function tooBusy(opts: Pick<ProducerServices, 'admission' | 'metrics'>, refusal: AdmissionRefusal): HttpError {
  opts.metrics.refused(refusal.bound);
  const { limits } = opts.admission;
  const which =
    refusal.bound === 'records'
      ? `${refusal.heldRecords} records (its limit, --max-pending-records, is ${limits.records})`
      : refusal.bound === 'bytes'
        ? `${(refusal.heldBytes / 1048576).toFixed(1)} MiB of records (its limit, --max-pending-bytes, is ${(limits.bytes / 1048576).toFixed(1)} MiB)`
        : `as many ?async=true records as it takes (a quarter of --max-pending-records / --max-pending-bytes: the rest is kept for clients that wait for their answer)`;
  // the row librdkafka's own full queue answers with: one meaning, whichever queue is full
  return HttpError.of(
    'backpressure',
    `the server is holding ${which} that Kafka has not yet acknowledged; this request would pass that limit`,
  );
}

function failure(opts: PublishServices, err: unknown, topic: string): HttpError {
  const f = produceFailure(err);
  if (f.outcome === 'unknown') opts.metrics.outcomeUnknown(topic);
  else opts.metrics.failed(opts.route, topic, f.code);
  // the first few per minute, then a count: one request once wrote 87,000 of these lines
  opts.failureLog.log('warn', f.outcome === 'unknown' ? 'produce outcome unknown' : 'produce failed', {
    topic,
    status: f.statusCode,
    code: f.code,
    ...(f.outcome === undefined ? {} : { outcome: f.outcome }),
    error: f.message,
  });
  return f;
}

export async function publish(opts: PublishServices, msg: OutgoingMessage): Promise<Delivery> {
  const problem = recordProblem(msg);
  if (problem) {
    opts.metrics.failed(opts.route, msg.topic, problem.code);
    throw problem;
  }
  const bytes = heldBytes(msg);
  const refusal = opts.admission.take(1, bytes);
  if (refusal) throw tooBusy(opts, refusal);
  const t0 = performance.now();
  try {
    const delivery = await opts.publisher.publish(msg);
    opts.metrics.published(msg.topic, (performance.now() - t0) / 1000);
    return delivery;
  } catch (err) {
    throw failure(opts, err, msg.topic);
  } finally {
    opts.admission.release(1, bytes);
  }
}

/**
 * Many at once: each outcome is a Delivery or the HttpError it maps to. The budget is taken for
 * all of them or none: past it this throws the 429 at once (synchronously, so that a caller that
 * does not wait, `?async=true`, still answers it), and nothing is sent.
 */
export function publishMany(
  opts: PublishServices,
  msgs: readonly OutgoingMessage[],
  who: Admitted = 'waits',
): Promise<Array<Delivery | HttpError>> {
  if (msgs.length === 0) return Promise.resolve([]);
  const refusedKeys = msgs.map(recordProblem);
  refusedKeys.forEach((p, i) => p && opts.metrics.failed(opts.route, (msgs[i] as OutgoingMessage).topic, p.code));
  const sendable = refusedKeys.some(Boolean) ? msgs.filter((_, i) => !refusedKeys[i]) : msgs;
  let bytes = 0;
  for (const m of sendable) bytes += heldBytes(m);
  const refusal = opts.admission.take(sendable.length, bytes, who);
  if (refusal) throw tooBusy(opts, refusal);
  return sendAdmitted(opts, sendable, bytes, who).then((outcomes) => {
    if (sendable === msgs) return outcomes;
    let next = 0;
    return refusedKeys.map((refused) => refused ?? (outcomes[next++] as Delivery | HttpError));
  });
}

async function sendAdmitted(
  opts: PublishServices,
  msgs: readonly OutgoingMessage[],
  bytes: number,
  who: Admitted,
): Promise<Array<Delivery | HttpError>> {
  const t0 = performance.now();
  let outcomes: Array<Delivery | Error>;
  try {
    if (msgs.length <= PRODUCE_SLICE) outcomes = await opts.publisher.publishMany(msgs);
    else {
      const slices: Array<Promise<Array<Delivery | Error>>> = [];
      for (let i = 0; i < msgs.length; i += PRODUCE_SLICE) {
        if (i > 0) await nextTurn();
        slices.push(opts.publisher.publishMany(msgs.slice(i, i + PRODUCE_SLICE)));
      }
      outcomes = (await Promise.all(slices)).flat();
    }
  } finally {
    opts.admission.release(msgs.length, bytes, who);
  }
  const seconds = (performance.now() - t0) / 1000;
  // counted per topic once per batch: a labelled counter's inc costs as much as a produce call
  const acked = new Map<string, number>();
  const mapped = outcomes.map((outcome, i) => {
    const topic = (msgs[i] as OutgoingMessage).topic;
    if (outcome instanceof Error) return failure(opts, outcome, topic);
    acked.set(topic, (acked.get(topic) ?? 0) + 1);
    return outcome;
  });
  for (const [topic, count] of acked) opts.metrics.published(topic, seconds, count);
  return mapped;
}

// The messages of a batch share a few milliseconds: remember the last conversion.
let lastMs = Number.NaN;
let lastIso = '';

export function isoTimestamp(delivery: Delivery, fallback: Date): string {
  const ms = delivery.timestamp ?? fallback.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
