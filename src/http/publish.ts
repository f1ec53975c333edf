/** One way to publish from any route: allowlist, metrics and error mapping in one place. */
import { performance } from 'node:perf_hooks';
import { HttpError } from '../errors.js';
import type { Delivery, OutgoingMessage } from '../kafka/producer.js';
import { produceFailure } from './kafka-http-errors.js';
import type { ProducerServices } from './services.js';

/** What publishing needs from the app's services. */
type PublishServices = Pick<ProducerServices, 'publisher' | 'metrics' | 'logger'>;

export function checkTopicAllowed(opts: Pick<ProducerServices, 'topicAllow'>, topic: string): void {
  if (opts.topicAllow && !opts.topicAllow.test(topic)) {
    throw new HttpError(
      403,
      'SF_HTTP_FORBIDDEN_TOPIC',
      `topic ${topic} is not in this server's allowlist`,
      'use a topic that matches --topics / PRODUCER_TOPIC_ALLOW',
    );
  }
}

function failure(opts: PublishServices, err: unknown, topic: string): HttpError {
  const f = produceFailure(err);
  if (f.outcome === 'unknown') opts.metrics.outcomeUnknown(topic);
  else opts.metrics.failed(topic, f.code);
  opts.logger.warn(f.outcome === 'unknown' ? 'produce outcome unknown' : 'produce failed', {
    topic,
    status: f.statusCode,
    code: f.code,
    ...(f.outcome === undefined ? {} : { outcome: f.outcome }),
    error: f.message,
  });
  return f;
}

export async function publish(opts: PublishServices, msg: OutgoingMessage): Promise<Delivery> {
  const t0 = performance.now();
  try {
    const delivery = await opts.publisher.publish(msg);
    opts.metrics.published(msg.topic, (performance.now() - t0) / 1000);
    return delivery;
  } catch (err) {
    throw failure(opts, err, msg.topic);
  }
}

/** Many at once (one promise for all): each outcome is a Delivery or the HttpError it maps to. */
export async function publishMany(opts: PublishServices, msgs: readonly OutgoingMessage[]): Promise<Array<Delivery | HttpError>> {
  if (msgs.length === 0) return [];
  const t0 = performance.now();
  const outcomes = await opts.publisher.publishMany(msgs);
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
